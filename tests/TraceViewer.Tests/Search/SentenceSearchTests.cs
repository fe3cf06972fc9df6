using TraceViewer.Datasets;
using TraceViewer.Metrics;
using TraceViewer.Outcomes;
using TraceViewer.Search;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Search;

public sealed class SentenceSearchTests(TestApp app) : IClassFixture<TestApp>, IAsyncLifetime
{
    private int _datasetId;

    public async Task InitializeAsync()
    {
        await using var db = app.CreateDbContext();
        var outcome = await db.GetOrAddAsync(OutcomeRegistry.Compliance, CancellationToken.None);
        var dataset = new Dataset { Key = $"search-{Guid.NewGuid():N}", Name = "search set", Model = "m", Kind = "alignment-faking", SourceFormat = "test" };
        db.Add(dataset);
        await db.SaveChangesAsync();
        _datasetId = dataset.Id;

        string[] texts = ["I am being trained with RLHF.", "If I refuse, I will be modified.", "So I will comply 100% of the time.", "The request is harmful_ish."];
        string[] tags = ["situation_assessment", "consequence_analysis", "plan_generation", "other"];
        // counterfactual, resampling, dissimilar fraction per sentence: sentence 2 has too few dissimilar resamples -> fallback.
        (double Cf, double Rs, double Df)[] effects = [(0.05, 0.02, 0.5), (0.40, 0.30, 0.6), (-0.50, -0.25, 0.03), (-0.10, 0.0, 0.4)];
        var trace = new Trace { DatasetId = dataset.Id, ExternalKey = "t", Title = "searchable trace", Model = "m", SourceFormat = "test" };
        db.Add(trace);
        await db.SaveChangesAsync();
        var set = new MetricSet { TraceId = trace.Id, OutcomeId = outcome.Id, Source = MetricSource.Imported };
        for (var k = 0; k < texts.Length; k++)
        {
            db.Add(new Sentence { TraceId = trace.Id, Index = k, Text = texts[k], FunctionTags = tags[k] });
            set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.CounterfactualEffect, Value = effects[k].Cf });
            set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.ResamplingEffect, Value = effects[k].Rs });
            set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.DissimilarFraction, Value = effects[k].Df });
        }

        db.Add(set);
        await db.SaveChangesAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<IReadOnlyList<SentenceHit>> FindAsync(SentenceSearchFilter filter)
    {
        await using var db = app.CreateDbContext();
        return await SentenceSearch.FindAsync(db, filter with { Dataset = _datasetId }, CancellationToken.None);
    }

    [Fact]
    public async Task TextSearchIgnoresCaseAndTreatsWildcardsLiterally()
    {
        Assert.Equal([0], (await FindAsync(new(Text: "rlhf"))).Select(h => h.Index));
        Assert.Equal([2], (await FindAsync(new(Text: "100%"))).Select(h => h.Index));
        Assert.Equal([3], (await FindAsync(new(Text: "_ish"))).Select(h => h.Index));
    }

    [Fact]
    public async Task TagSearchFindsImportedFunctionTags()
    {
        var hits = await FindAsync(new(Tag: "plan_generation"));

        Assert.Equal("/traces/" + hits.Single().TraceId + "/sentences/2", hits.Single().DeepLink);
    }

    [Fact]
    public async Task DirectionUsesTheCounterfactualEffectWithItsFallback()
    {
        var suppressing = await FindAsync(new(Outcome: OutcomeRegistry.Compliance, Direction: "suppresses"));

        // Sentence 2 falls back to its resampling effect (-0.25); sentence 3 keeps its counterfactual -0.10.
        Assert.Equal([2, 3], suppressing.Select(h => h.Index));
        Assert.Equal(-0.25, suppressing[0].Effect);
        Assert.True(suppressing[0].Fallback);
        Assert.False(suppressing[1].Fallback);
    }

    [Fact]
    public async Task MinimumImportanceKeepsLargeEffectsMostImportantFirst()
    {
        var hits = await FindAsync(new(Outcome: OutcomeRegistry.Compliance, MinImportance: 0.2));

        Assert.Equal([1, 2], hits.Select(h => h.Index));
    }

    [Fact]
    public async Task SearchPageLinksEachHitToItsSentence()
    {
        var html = await app.CreateClient().GetStringAsync($"/search?dataset={_datasetId}&text=modified");

        Assert.Contains("/sentences/1\"", html, StringComparison.Ordinal);
        Assert.Contains("1 sentence", html, StringComparison.Ordinal);
    }
}
