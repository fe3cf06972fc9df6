using Microsoft.EntityFrameworkCore;
using System.Globalization;
using TraceViewer.Statistics.Agreement;
using TraceViewer.Statistics.TagEffects;
using TraceViewer.Tags;

namespace TraceViewer.Tests.Kinds;

/// <summary>
/// A seeded study for the kinds page, with the rows the pure statistics take computed from the seed itself (not read
/// back from the database): each sentence's effect and every annotator's finished sentences with their tags.
/// </summary>
internal sealed record KindsStudy(int DatasetId, string DatasetKey, IReadOnlyList<SeededTrace> Traces, List<EffectSentence> Sentences, List<FinishedItem> Finished)
{
    public IEnumerable<FinishedItem> By(params string[] annotators) => Finished.Where(f => annotators.Contains(f.Annotator));
}

internal static class KindsSeeder
{
    public const string Import = "Import:viewer-bundle";

    public const string Alice = "Person:alice";

    public const string Bob = "Person:bob";

    public static readonly string[] Tags = ["plan_generation", "active_computation", "self_checking", "fact_retrieval"];

    /// <summary>
    /// <paramref name="traces"/> traces of <paramref name="sentences"/> sentences with random counterfactual effects
    /// (every fifth sentence rests on too few dissimilar resamples and falls back to its resampling effect). Imported
    /// function tags on every trace; with <paramref name="people"/>, alice tags traces 0-2 and bob traces 1-3,
    /// each differing from the import on some sentences. <paramref name="effectScale"/> other than 1 shrinks the
    /// counterfactual effects (drawn in [-0.45, 0.55)) and leaves no sentence falling back to its resampling effect.
    /// </summary>
    public static async Task<KindsStudy> SeedAsync(TestApp app, string key, int traces = 6, int sentences = 8, int seed = 1, bool people = false, double effectScale = 1)
    {
        var random = new Random(seed);
        var seeded = new List<SeededTrace>();
        var effects = new List<EffectSentence>();
        var finished = new List<FinishedItem>();
        for (var t = 0; t < traces; t++)
        {
            var successes = Enumerable.Range(0, sentences).Select(_ => random.Next(0, 11)).ToArray();
            var counterfactual = Enumerable.Range(0, sentences).Select(_ => Math.Round(random.NextDouble() - 0.45, 3) * effectScale).ToArray();
            var imported = Enumerable.Range(0, sentences).Select(k => ImportTags(t, k)).ToArray();
            var trace = await TraceSeeder.SeedAsync(app, new TraceSeed
            {
                DatasetKey = key, DatasetName = $"Kinds {key}", Title = $"Problem {t}",
                Sentences = [.. Enumerable.Range(0, sentences).Select(k => $"Sentence {k} of problem {t}.")],
                Successes = i => successes[i],
                Counterfactual = k => counterfactual[k],
                DissimilarFraction = k => k % 5 == 0 && effectScale == 1 ? 0.02 : 0.5,
                Tags = k => imported[k],
            });
            seeded.Add(trace);
            var rates = successes.Select(s => s / 10.0).ToArray();
            for (var k = 0; k < sentences; k++)
            {
                var resampling = k + 1 < sentences ? rates[k + 1] - rates[k] : 0;
                var effect = k % 5 == 0 && effectScale == 1 ? resampling : counterfactual[k];
                var id = Item(trace, k);
                effects.Add(new EffectSentence(trace.TraceId.ToString(CultureInfo.InvariantCulture), id, effect));
                finished.Add(new FinishedItem(Import, id, imported[k]));
            }

            if (people)
            {
                foreach (var (person, from, to, shift) in new[] { ("alice", 0, 2, 1), ("bob", 1, 3, 2) })
                {
                    if (t < from || t > to)
                    {
                        continue;
                    }

                    var own = Enumerable.Range(0, sentences).Select(k => (k + shift) % 3 == 0 ? [Tags[(k + shift) % Tags.Length]] : imported[k]).ToArray();
                    await using var db = app.CreateDbContext();
                    await TagStore.AddTagsAsync(db, BuiltInTaxonomies.Functions,
                        [.. Enumerable.Range(0, sentences).SelectMany(k => own[k].Select(tag => (trace.Sentences[k].Id, tag)))],
                        AnnotatorKind.Person, person, app.Clock.GetUtcNow(), CancellationToken.None);
                    finished.AddRange(Enumerable.Range(0, sentences).Select(k => new FinishedItem($"Person:{person}", Item(trace, k), own[k])));
                }
            }
        }

        return new KindsStudy(seeded[0].DatasetId, key, seeded, effects, finished);
    }

    /// <summary>Deletes the study's metric sets, leaving its sentences and tags.</summary>
    public static async Task DropMetricsAsync(TestApp app, KindsStudy study)
    {
        var ids = study.Traces.Select(t => t.TraceId).ToList();
        await using var db = app.CreateDbContext();
        await db.Set<global::TraceViewer.MetricSets.MetricSet>().Where(m => ids.Contains(m.TraceId)).ExecuteDeleteAsync();
    }

    /// <summary>Some sentences carry two tags, every seventh none.</summary>
    private static string[] ImportTags(int trace, int k) =>
        (trace + k) % 7 == 6 ? [] : (trace * 3 + k) % 4 == 0 ? [Tags[(trace + k) % Tags.Length], Tags[(trace + k + 1) % Tags.Length]] : [Tags[(trace + k) % Tags.Length]];

    private static string Item(SeededTrace trace, int k) => trace.Sentences[k].Id.ToString(CultureInfo.InvariantCulture);
}
