using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Kinds;
using TraceViewer.MetricSets;
using TraceViewer.Statistics.TagEffects;
using TraceViewer.Tags;
using TraceViewer.Tests.Data;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Kinds;

/// <summary>
/// The page's two large reads, written as SQL, on each provider: they return exactly the rows the LINQ queries they
/// replace return on the same data (other datasets, another taxonomy, an annotator missing from the list and
/// sentences without an effect included), and the API's numbers are still the pure statistics of the seed's rows.
/// </summary>
public abstract class KindsReadsTests(PostgresServer? postgres) : ProviderAppTests(postgres)
{
    [Fact]
    public async Task TheStoredEffectsOfTheShownSetsAreTheRowsTheLinqReadGives()
    {
        var study = await KindsSeeder.SeedAsync(App, "reads/effects", traces: 5, sentences: 8, seed: 4);
        var other = await KindsSeeder.SeedAsync(App, "reads/effects-other", traces: 2, sentences: 4, seed: 6);
        var traceIds = study.Traces.Select(t => t.TraceId).ToList();
        await using (var db = App.CreateDbContext())
        {
            // Sentence 0 of each trace loses its resampling effect, so neither effect is defined: null columns too.
            var setIds = await db.Set<MetricSet>().Where(m => traceIds.Contains(m.TraceId)).Select(m => m.Id).ToListAsync();
            db.RemoveRange(db.Set<SentenceMetric>().Where(v => setIds.Contains(v.MetricSetId) && v.SentenceIndex == 0 && v.Name == MetricNames.ResamplingEffect));
            await db.SaveChangesAsync();
        }

        await using var context = App.CreateDbContext();
        var sets = await context.Set<MetricSet>().AsNoTracking().Where(m => traceIds.Contains(m.TraceId)).Select(ShownMetricSets.Projection).ToListAsync();
        var shown = ShownMetricSets.PerTrace(sets);
        var outcomeId = shown.Values.First().OutcomeId;
        var expected = (await context.Set<SearchEffect>().AsNoTracking()
                .Where(e => e.OutcomeId == outcomeId && traceIds.Contains(e.TraceId))
                .Select(e => new KindsReads.StoredEffect(e.SentenceId, e.TraceId, e.SentenceIndex, e.MetricSetId, e.Directional, e.Resampling, e.KlRank))
                .ToListAsync())
            .Where(e => shown[e.TraceId].Id == e.MetricSetId)
            .OrderBy(e => e.SentenceId)
            .ToList();

        var actual = await KindsReads.StoredEffectsAsync(context, outcomeId, [.. shown.Values.Select(s => s.Id)], CancellationToken.None);

        Assert.Equal(5 * 8, expected.Count);
        Assert.Contains(expected, e => e.Directional is null && e.Resampling is null);
        Assert.Equal(expected, actual.OrderBy(e => e.SentenceId));
        Assert.DoesNotContain(actual, e => other.Traces.Any(t => t.TraceId == e.TraceId));
        Assert.Empty(await KindsReads.StoredEffectsAsync(context, outcomeId, [], CancellationToken.None));
        Assert.Empty(await KindsReads.StoredEffectsAsync(context, outcomeId + 1000, [.. shown.Values.Select(s => s.Id)], CancellationToken.None));
    }

    [Fact]
    public async Task TheTagRowsAreTheRowsTheLinqReadGivesForEveryoneAndForOneAnnotator()
    {
        var study = await KindsSeeder.SeedAsync(App, "reads/tags", traces: 5, sentences: 8, seed: 7, people: true);
        var other = await KindsSeeder.SeedAsync(App, "reads/tags-other", traces: 2, sentences: 4, seed: 8, people: true);
        int taxonomyId;
        await using (var db = App.CreateDbContext())
        {
            // Tags of another taxonomy on the same sentences are not read.
            await TagStore.AddTagsAsync(db, BuiltInTaxonomies.Reasoning, [(study.Traces[0].Sentences[1].Id, "situational_awareness"), (study.Traces[1].Sentences[2].Id, "situational_awareness")],
                AnnotatorKind.Person, "alice", App.Clock.GetUtcNow(), CancellationToken.None);
            taxonomyId = (await TagStore.TaxonomyIdAsync(db, BuiltInTaxonomies.Functions, CancellationToken.None))!.Value;
        }

        // Traces 0-3 of the study (alice tagged 0-2, bob 1-3); bob is left out of the list, so his rows are -1.
        var traceIds = study.Traces.Take(4).Select(t => t.TraceId).ToList();
        List<(AnnotatorKind, string)> annotators = [(AnnotatorKind.Import, "viewer-bundle"), (AnnotatorKind.Person, "alice")];
        await using var context = App.CreateDbContext();
        var reference = await (
            from st in context.Set<SentenceTag>().AsNoTracking()
            join s in context.Set<Sentence>() on st.SentenceId equals s.Id
            join t in context.Set<Tag>() on st.TagId equals t.Id
            where t.TaxonomyId == taxonomyId && traceIds.Contains(s.TraceId)
            select new { s.TraceId, st.SentenceId, st.TagId, st.AnnotatorKind, st.Annotator })
            .ToListAsync();
        List<KindsReads.TagRow> Expected(Func<AnnotatorKind, string, bool> keep) =>
            [.. reference.Where(r => keep(r.AnnotatorKind, r.Annotator))
                .Select(r => new KindsReads.TagRow(r.TraceId, r.SentenceId, r.TagId, annotators.IndexOf((r.AnnotatorKind, r.Annotator))))
                .OrderBy(r => r.SentenceId).ThenBy(r => r.TagId).ThenBy(r => r.Who)];
        static List<KindsReads.TagRow> Sorted(List<KindsReads.TagRow> rows) => [.. rows.OrderBy(r => r.SentenceId).ThenBy(r => r.TagId).ThenBy(r => r.Who)];

        var everyone = await KindsReads.TagRowsAsync(context, taxonomyId, traceIds, annotators, null, CancellationToken.None);
        var alice = await KindsReads.TagRowsAsync(context, taxonomyId, traceIds, annotators, (AnnotatorKind.Person, "alice"), CancellationToken.None);
        var bob = await KindsReads.TagRowsAsync(context, taxonomyId, traceIds, annotators, (AnnotatorKind.Person, "bob"), CancellationToken.None);
        var nobody = await KindsReads.TagRowsAsync(context, taxonomyId, traceIds, [], null, CancellationToken.None);

        Assert.Equal(Expected((_, _) => true), Sorted(everyone));
        Assert.Contains(everyone, r => r.Who == -1);
        Assert.Contains(everyone, r => r.Who == 1);
        Assert.Equal(Expected((k, a) => (k, a) == (AnnotatorKind.Person, "alice")), Sorted(alice));
        Assert.NotEmpty(alice);
        Assert.All(bob, r => Assert.Equal(-1, r.Who));
        Assert.Equal(Expected((k, a) => (k, a) == (AnnotatorKind.Person, "bob")).Count, bob.Count);
        Assert.All(nobody, r => Assert.Equal(-1, r.Who));
        Assert.Equal(reference.Count, nobody.Count);
        Assert.DoesNotContain(everyone, r => other.Traces.Any(t => t.TraceId == r.TraceId) || r.TraceId == study.Traces[4].TraceId);
        Assert.Empty(await KindsReads.TagRowsAsync(context, taxonomyId, [], annotators, null, CancellationToken.None));
    }

    [Fact]
    public async Task TheAnnotatorsAreEveryoneWithATagOfTheTaxonomyOnAReadableSentence()
    {
        var study = await KindsSeeder.SeedAsync(App, "reads/annotators", traces: 4, sentences: 5, seed: 2, people: true);
        var other = await KindsSeeder.SeedAsync(App, "reads/annotators-other", traces: 1, sentences: 3, seed: 3);
        int functions;
        await using (var db = App.CreateDbContext())
        {
            // carol tags only in another taxonomy; dora only in another dataset.
            await TagStore.AddTagsAsync(db, BuiltInTaxonomies.Reasoning, [(study.Traces[0].Sentences[0].Id, "situational_awareness")],
                AnnotatorKind.Person, "carol", App.Clock.GetUtcNow(), CancellationToken.None);
            await TagStore.AddTagsAsync(db, BuiltInTaxonomies.Functions, [(other.Traces[0].Sentences[0].Id, KindsSeeder.Tags[0])],
                AnnotatorKind.Model, "dora", App.Clock.GetUtcNow(), CancellationToken.None);
            functions = (await TagStore.TaxonomyIdAsync(db, BuiltInTaxonomies.Functions, CancellationToken.None))!.Value;
        }

        await using var context = App.CreateDbContext();
        var everything = await KindsReads.AnnotatorsAsync(context, functions, CancellationToken.None);
        DatasetScope.Set([study.DatasetId]);
        List<KindsReads.TagAuthor> readable;
        try
        {
            readable = await KindsReads.AnnotatorsAsync(context, functions, CancellationToken.None);
        }
        finally
        {
            DatasetScope.Set(null);
        }

        static string Key(KindsReads.TagAuthor a) => $"{a.AnnotatorKind}:{a.Annotator}";
        KindsReads.TagAuthor[] seeded = [new(AnnotatorKind.Import, "viewer-bundle"), new(AnnotatorKind.Person, "alice"), new(AnnotatorKind.Person, "bob")];
        Assert.Equal(seeded.Append(new(AnnotatorKind.Model, "dora")).OrderBy(Key, StringComparer.Ordinal), everything.OrderBy(Key, StringComparer.Ordinal));
        Assert.Equal(seeded.OrderBy(Key, StringComparer.Ordinal), readable.OrderBy(Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task TheApiGivesThePureStatisticsOfTheSeededRows()
    {
        var study = await KindsSeeder.SeedAsync(App, "reads/api", traces: 5, sentences: 8, seed: 5, people: true);
        var client = App.CreateClient();

        var everyone = (await client.GetFromJsonAsync<KindsView>($"/api/kinds?dataset={study.DatasetKey}", JsonSerializerOptions.Web))!;
        var alice = (await client.GetFromJsonAsync<KindsView>($"/api/kinds?dataset={study.DatasetKey}&layer={Uri.EscapeDataString(KindsSeeder.Alice)}", JsonSerializerOptions.Web))!;

        AssertSame(study, everyone, TagRule.Any, study.Finished);
        AssertSame(study, alice, TagRule.Of(KindsSeeder.Alice), study.By(KindsSeeder.Alice));
        Assert.Equal((3, 3 * 8), (alice.Basis!.Traces, alice.Basis.Sentences));
    }

    private static void AssertSame(KindsStudy study, KindsView view, TagRule rule, IEnumerable<global::TraceViewer.Statistics.Agreement.FinishedItem> finished)
    {
        var expected = TagEffectAnalysis.Compute(
            TagEffectTable.FromAnnotations([.. view.Rows.Select(r => r.Tag)], study.Sentences, finished, rule), KindsQueries.DefaultTopK, KindsQueries.Bootstrap);
        Assert.Null(view.Empty);
        Assert.Equal((expected.Traces, expected.Sentences), (view.Basis!.Traces, view.Basis.Sentences));
        foreach (var e in expected.Tags)
        {
            var row = view.Find(e.Tag)!;
            Assert.Equal(
                (e.Tagged.Sentences, e.Tagged.MeanSignedEffect.Value, e.Tagged.MeanSignedEffect.Interval.Range?.Low, e.Tagged.MeanSignedEffect.Interval.Range?.High,
                    e.Tagged.TopKShare.Value, e.Untagged.MeanAbsoluteEffect.Value, e.SignedDifference.Interval.Range?.Low, e.SignedDifference.Interval.Range?.High),
                (row.Tagged.Sentences, row.Tagged.MeanSigned.Value, row.Tagged.MeanSigned.Low, row.Tagged.MeanSigned.High,
                    row.Tagged.TopKShare.Value, row.Untagged.MeanAbsolute.Value, row.SignedDifference.Low, row.SignedDifference.High));
        }
    }
}

public sealed class SqliteKindsReadsTests() : KindsReadsTests(null);

[Collection(PostgresServerGroup.Name)]
public sealed class PostgresKindsReadsTests(PostgresServer server) : KindsReadsTests(server);
