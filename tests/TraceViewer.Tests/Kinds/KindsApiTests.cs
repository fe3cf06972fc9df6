using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TraceViewer.Collect;
using TraceViewer.Kinds;
using TraceViewer.Statistics.TagEffects;

namespace TraceViewer.Tests.Kinds;

public sealed class KindsApiTests(TestApp app) : IClassFixture<TestApp>
{
    private async Task<KindsView> GetAsync(string query) =>
        (await app.CreateClient().GetFromJsonAsync<KindsView>("/api/kinds?" + query, JsonSerializerOptions.Web))!;

    /// <summary>The pure statistics on the seed's own rows, for the tags the page lists.</summary>
    private static TagEffectReport Expected(KindsStudy study, KindsView view, TagRule rule, IEnumerable<global::TraceViewer.Statistics.Agreement.FinishedItem> finished, int topK = 3, Func<double, double>? effect = null) =>
        TagEffectAnalysis.Compute(
            TagEffectTable.FromAnnotations(
                [.. view.Rows.Select(r => r.Tag)],
                effect is null ? study.Sentences : study.Sentences.Select(s => s with { Effect = effect(s.Effect) }),
                finished, rule),
            topK, KindsQueries.Bootstrap);

    private static void AssertSame(TagEffectReport expected, KindsView view)
    {
        Assert.Null(view.Empty);
        Assert.Equal((expected.Traces, expected.Sentences), (view.Basis!.Traces, view.Basis.Sentences));
        foreach (var e in expected.Tags)
        {
            var row = view.Find(e.Tag)!;
            AssertGroup(e.Tagged, row.Tagged);
            AssertGroup(e.Untagged, row.Untagged);
            AssertNumber(e.SignedDifference, row.SignedDifference);
            AssertNumber(e.AbsoluteDifference, row.AbsoluteDifference);
        }
    }

    private static void AssertGroup(TagEffectGroup expected, KindsGroup actual)
    {
        Assert.Equal((expected.Sentences, expected.Traces), (actual.Sentences, actual.Traces));
        AssertNumber(expected.MeanSignedEffect, actual.MeanSigned);
        AssertNumber(expected.MeanAbsoluteEffect, actual.MeanAbsolute);
        AssertNumber(expected.TopKShare, actual.TopKShare);
        AssertNumber(expected.Share, actual.Share);
    }

    private static void AssertNumber(global::TraceViewer.Statistics.TagEffects.Estimate expected, KindsNumber actual)
    {
        Assert.Equal(expected.Value, actual.Value);
        Assert.Equal(expected.Interval.Range?.Low, actual.Low);
        Assert.Equal(expected.Interval.Range?.High, actual.High);
    }

    [Fact]
    public async Task EveryonesTagsGiveThePureStatisticsOfTheSameRows()
    {
        var study = await KindsSeeder.SeedAsync(app, "kinds/everyone", traces: 7, sentences: 9, seed: 3);

        var view = await GetAsync($"dataset={study.DatasetKey}");

        Assert.Equal([study.DatasetId], view.Selection.Datasets);
        Assert.Equal(("counterfactual", "everyone", 3, "Thought Anchors functions"), (view.Selection.Effect, view.Selection.Layer, view.Selection.TopK, view.Selection.Taxonomy));
        var expected = Expected(study, view, TagRule.Any, study.Finished);
        AssertSame(expected, view);
        Assert.Equal(7 * 9, view.Basis!.Sentences);
        // The seeded tags all appear; bootstrap intervals are real intervals around the value.
        var plan = view.Find("plan_generation")!;
        Assert.True(plan.Tagged.Sentences > 0);
        Assert.True(plan.Tagged.MeanSigned.Low < plan.Tagged.MeanSigned.High);
        Assert.InRange(plan.Tagged.MeanSigned.Value!.Value, plan.Tagged.MeanSigned.Low!.Value, plan.Tagged.MeanSigned.High!.Value);
        // Rows run from the most promoting tag down, undefined ones last.
        var means = view.Rows.Select(r => r.Tagged.MeanSigned.Value).OfType<double>().ToList();
        Assert.Equal(means.OrderDescending(), means);
        Assert.Null(view.Find("uncertainty_management")!.Tagged.MeanSigned.Value);
    }

    [Fact]
    public async Task ConsensusAndOneAnnotatorFollowTheirRulesAndTopKIsTaken()
    {
        var study = await KindsSeeder.SeedAsync(app, "kinds/people", traces: 5, sentences: 8, seed: 5, people: true);

        var consensus = await GetAsync($"dataset={study.DatasetKey}&layer=consensus&k=2");
        var alice = await GetAsync($"dataset={study.DatasetKey}&layer={Uri.EscapeDataString(KindsSeeder.Alice)}");

        AssertSame(Expected(study, consensus, TagRule.Majority, study.Finished, topK: 2), consensus);
        Assert.Equal(2, consensus.Selection.TopK);
        AssertSame(Expected(study, alice, TagRule.Of(KindsSeeder.Alice), study.By(KindsSeeder.Alice)), alice);
        // Alice tagged three traces, so only their sentences count.
        Assert.Equal((3, 3 * 8), (alice.Basis!.Traces, alice.Basis.Sentences));
        Assert.Contains(alice.Options.Layers, l => l.Value == KindsSeeder.Bob);
    }

    [Fact]
    public async Task TheResamplingEffectAndSignedKlAreMeasuredToo()
    {
        var study = await KindsSeeder.SeedAsync(app, "kinds/effects", traces: 4, sentences: 6, seed: 9);
        var resamplingEffects = study.Traces.SelectMany(t => t.Sentences.Select(s => t.Metric(s.Index, global::TraceViewer.MetricSets.MetricNames.ResamplingEffect)!.Value)).ToList();

        var resampling = await GetAsync($"dataset={study.DatasetKey}&effect=resampling");
        var kl = await GetAsync($"dataset={study.DatasetKey}&effect=kl");

        var byItem = study.Sentences.Select((s, i) => (s.Item, Effect: resamplingEffects[i])).ToDictionary(p => p.Item, p => p.Effect);
        var resamplingRows = study with { Sentences = [.. study.Sentences.Select(s => s with { Effect = byItem[s.Item] })] };
        AssertSame(Expected(resamplingRows, resampling, TagRule.Any, study.Finished), resampling);
        // The seeder stores KL as 3 |counterfactual| (2 |resampling| on fallback sentences): the directional effect scaled.
        var scaled = study with
        {
            Sentences = [.. study.Sentences.Select((s, i) => s with { Effect = i % 6 % 5 == 0 ? 2 * s.Effect : 3 * s.Effect })],
        };
        AssertSame(Expected(scaled, kl, TagRule.Any, study.Finished), kl);
    }

    [Fact]
    public async Task TheKlOfASentenceWithNeitherEffectIsItsCounterfactualKlUnsigned()
    {
        var study = await KindsSeeder.SeedAsync(app, "kinds/kl-neither", traces: 4, sentences: 6, seed: 11);
        var setIds = study.Traces.SelectMany(t => t.Metrics.Select(m => m.MetricSetId)).Distinct().ToList();
        // Sentence 0 of each trace rests on too few dissimilar resamples; without its resampling effect neither effect
        // is defined. Removed through the context, as a recompute would, so the stored shown effects follow.
        await using (var db = app.CreateDbContext())
        {
            db.RemoveRange(db.Set<global::TraceViewer.MetricSets.SentenceMetric>()
                .Where(v => setIds.Contains(v.MetricSetId) && v.SentenceIndex == 0 && v.Name == global::TraceViewer.MetricSets.MetricNames.ResamplingEffect));
            await db.SaveChangesAsync();
        }

        var kl = await GetAsync($"dataset={study.DatasetKey}&effect=kl");

        var counterfactual = study.Traces.SelectMany(t => t.Sentences.Select(s => t.Metric(s.Index, global::TraceViewer.MetricSets.MetricNames.CounterfactualEffect)!.Value)).ToList();
        // KL is stored as 3 |counterfactual| (2 |resampling| on fallback sentences); sentence 0 now takes its counterfactual
        // KL, positive since it has no direction, where the stored size would be its resampling KL.
        var expected = study with
        {
            Sentences = [.. study.Sentences.Select((s, i) => s with
            {
                Effect = i % 6 == 0 ? 3 * Math.Abs(counterfactual[i]) : i % 6 == 5 ? 2 * s.Effect : 3 * s.Effect,
            })],
        };
        Assert.NotEqual(0, counterfactual[0]);
        AssertSame(Expected(expected, kl, TagRule.Any, study.Finished), kl);
    }

    [Fact]
    public async Task WithoutTagsOrMetricsTheResultSaysWhy()
    {
        var study = await KindsSeeder.SeedAsync(app, "kinds/untagged-taxonomy", traces: 2, sentences: 3);
        var bare = await KindsSeeder.SeedAsync(app, "kinds/no-metrics", traces: 2, sentences: 3);
        await KindsSeeder.DropMetricsAsync(app, bare);

        var noTags = await GetAsync($"dataset={study.DatasetKey}&taxonomy={Uri.EscapeDataString("Alignment-faking reasoning")}");
        var noMetrics = await GetAsync($"dataset={bare.DatasetKey}");

        Assert.Empty(noTags.Rows);
        Assert.Equal("No sentence of the chosen traces carries a tag of \"Alignment-faking reasoning\".", noTags.Empty);
        Assert.Empty(noMetrics.Rows);
        Assert.Null(noMetrics.Basis);
        Assert.Equal("No trace of the chosen datasets has per-sentence metrics for Correct answer, so no sentence has an effect to compare.", noMetrics.Empty);
    }

    [Fact]
    public async Task TheCsvHasTheSameNumbersOneRowPerTag()
    {
        var study = await KindsSeeder.SeedAsync(app, "kinds/csv", traces: 4, sentences: 5, seed: 11);
        var view = await GetAsync($"dataset={study.DatasetKey}");

        var response = await app.CreateClient().GetAsync($"/api/kinds.csv?dataset={study.DatasetKey}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        var records = CsvText.Parse(await response.Content.ReadAsStringAsync(), "kinds.csv");
        Assert.Equal(KindsCsv.Header, records[0].Fields);
        Assert.Equal(view.Rows.Count, records.Count - 1);
        var plan = records.Single(r => r.Fields[1] == "plan_generation").Fields;
        var row = view.Find("plan_generation")!;
        string Cell(string name) => plan[Array.IndexOf(KindsCsv.Header, name)];
        Assert.Equal(row.Tagged.Sentences.ToString(System.Globalization.CultureInfo.InvariantCulture), Cell("sentences"));
        Assert.Equal(row.Tagged.MeanSigned.Value, double.Parse(Cell("mean_signed"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(row.Tagged.MeanSigned.Low, double.Parse(Cell("mean_signed_low"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(row.AbsoluteDifference.High, double.Parse(Cell("absolute_difference_high"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("", records.Single(r => r.Fields[1] == "uncertainty_management").Fields[Array.IndexOf(KindsCsv.Header, "mean_signed")]);
    }

    [Fact]
    public async Task TheApiIsDescribedInOpenApi()
    {
        var document = await app.CreateClient().GetStringAsync("/openapi/v1.json");

        using var json = JsonDocument.Parse(document);
        var paths = json.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/kinds", out var kinds));
        Assert.Contains(kinds.GetProperty("get").GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "layer");
        Assert.True(paths.TryGetProperty("/api/kinds.csv", out _));
    }
}
