using Microsoft.EntityFrameworkCore;
using TraceViewer.Agreement;
using TraceViewer.Datasets;
using TraceViewer.Judging;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Agreement;

/// <summary>An annotator as the seed names it.</summary>
internal sealed record SeededAnnotator(AnnotatorKind Kind, string Id)
{
    public string Key => AgreementQueries.AnnotatorKey(Kind, Id);
}

/// <summary>
/// What to seed: an alignment-faking dataset of <see cref="Traces"/> traces of <see cref="SentencesPerTrace"/> sentences,
/// a multi-choice taxonomy and each annotator's tags per sentence (an empty list: not seen).
/// </summary>
internal sealed record AgreementSeed
{
    public string DatasetName { get; init; } = "Agreement data";

    public int Traces { get; init; } = 2;

    public int SentencesPerTrace { get; init; } = 10;

    public string TaxonomyName { get; init; } = $"Kinds {Guid.NewGuid():N}";

    public bool MultiChoice { get; init; } = true;

    public IReadOnlyList<string> Tags { get; init; } = ["plan", "doubt", "fact"];

    public IReadOnlyList<SeededAnnotator> Annotators { get; init; } = [];

    /// <summary>The tags annotator a gave the sentence number s (counted across traces).</summary>
    public Func<int, int, IReadOnlyList<string>> TagsOf { get; init; } = (_, _) => [];

    public Func<int, string> SentenceText { get; init; } = s => $"Sentence number {s}.";
}

internal sealed record SeededAgreement(int DatasetId, int TaxonomyId, IReadOnlyList<int> TraceIds, IReadOnlyList<(int Id, int TraceId, int Index)> Sentences);

internal static class AgreementSeeder
{
    public static async Task<SeededAgreement> SeedAsync(TestApp app, AgreementSeed seed)
    {
        await using var db = app.CreateDbContext();
        var faking = await db.GetOrAddAsync(OutcomeRegistry.AlignmentFaking, CancellationToken.None);
        var dataset = new Dataset { Key = $"af/{Guid.NewGuid():N}", Name = seed.DatasetName, Model = "test-model", Kind = TraceViewer.Datasets.DatasetKind.AlignmentFaking, SourceFormat = "test" };
        db.Add(dataset);
        var taxonomy = new Taxonomy { Name = seed.TaxonomyName, MultiChoice = seed.MultiChoice, Tags = [.. seed.Tags.Select(t => new Tag { Name = t })] };
        db.Add(taxonomy);
        await db.SaveChangesAsync();
        _ = faking;

        var traces = new List<Trace>();
        for (var t = 0; t < seed.Traces; t++)
        {
            var trace = new Trace
            {
                DatasetId = dataset.Id, ExternalKey = $"t{t}", Title = $"Query {t}", Model = "test-model", SourceFormat = "test",
                SentenceCount = seed.SentencesPerTrace,
                Sentences = [.. Enumerable.Range(0, seed.SentencesPerTrace).Select(i => new Sentence { Index = i, Text = seed.SentenceText(t * seed.SentencesPerTrace + i) })],
            };
            traces.Add(trace);
            db.Add(trace);
        }

        await db.SaveChangesAsync();
        var sentences = traces.SelectMany(t => t.Sentences.OrderBy(s => s.Index).Select(s => (Id: s.Id, TraceId: t.Id, s.Index))).ToList();
        var tagIds = taxonomy.Tags.ToDictionary(t => t.Name, t => t.Id);
        for (var a = 0; a < seed.Annotators.Count; a++)
        {
            for (var s = 0; s < sentences.Count; s++)
            {
                foreach (var tag in seed.TagsOf(a, s))
                {
                    db.Add(new SentenceTag { SentenceId = sentences[s].Id, TagId = tagIds[tag], AnnotatorKind = seed.Annotators[a].Kind, Annotator = seed.Annotators[a].Id });
                }
            }
        }

        await db.SaveChangesAsync();
        return new SeededAgreement(dataset.Id, taxonomy.Id, [.. traces.Select(t => t.Id)], sentences);
    }

    /// <summary>People's verdicts (annotator, trace index, verdict) and a judge's labels (trace index, label) on the dataset's traces.</summary>
    public static async Task SeedVerdictsAsync(
        TestApp app, SeededAgreement seeded, IEnumerable<(string Person, int Trace, bool Verdict)> verdicts, string classifier, IEnumerable<(int Trace, bool Label)> labels)
    {
        await using var db = app.CreateDbContext();
        var faking = await db.GetOrAddAsync(OutcomeRegistry.AlignmentFaking, CancellationToken.None);
        foreach (var (person, trace, verdict) in verdicts)
        {
            db.Add(new HumanVerdict { TraceId = seeded.TraceIds[trace], Annotator = person, Verdict = verdict });
        }

        foreach (var (trace, label) in labels)
        {
            db.Add(new JudgeLabel { TraceId = seeded.TraceIds[trace], OutcomeId = faking.Id, Classifier = classifier, Label = label, Score = label ? 0.8 : 0.2 });
        }

        await db.SaveChangesAsync();
    }
}
