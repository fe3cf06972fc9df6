using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Datasets;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Search;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Search;

public sealed class SearchQueriesTests(TestApp app) : IClassFixture<TestApp>, IAsyncLifetime
{
    private int _datasetId;
    private string _datasetKey = "";
    private int _traceId;

    public async Task InitializeAsync()
    {
        await using var db = app.CreateDbContext();
        var outcome = await db.GetOrAddAsync(OutcomeRegistry.Compliance, CancellationToken.None);
        _datasetKey = $"search-{Guid.NewGuid():N}";
        var dataset = new Dataset { Key = _datasetKey, Name = "search set", Model = "m", Kind = TraceViewer.Datasets.DatasetKind.AlignmentFaking, SourceFormat = "test" };
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
        _traceId = trace.Id;
        var set = new MetricSet { TraceId = trace.Id, OutcomeId = outcome.Id, Source = MetricSource.Imported, Threshold = 0.8 };
        for (var k = 0; k < texts.Length; k++)
        {
            db.Add(new Sentence { TraceId = trace.Id, Index = k, Text = texts[k] });
            set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.CounterfactualEffect, Value = effects[k].Cf, Low = effects[k].Cf - 0.2, High = effects[k].Cf + 0.2 });
            set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.ResamplingEffect, Value = effects[k].Rs });
            set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.DissimilarFraction, Value = effects[k].Df });
            set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.CounterfactualKl, Value = Math.Abs(effects[k].Cf) * 3 });
            set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.ResamplingKl, Value = Math.Abs(effects[k].Rs) * 2 });
        }

        db.Add(set);
        await db.SaveChangesAsync();
        var sentenceIds = await db.Set<Sentence>().Where(s => s.TraceId == trace.Id).OrderBy(s => s.Index).Select(s => s.Id).ToListAsync();
        await TagStore.AddTagsAsync(db, BuiltInTaxonomies.Functions, [.. sentenceIds.Select((id, k) => (id, tags[k]))], AnnotatorKind.Import, "test", DateTimeOffset.UnixEpoch, CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<PagedResult<SentenceHit>> FindAsync(SentenceSearchFilter filter)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var queries = scope.ServiceProvider.GetRequiredService<SearchQueries>();
        return await queries.FindAsync(filter with { Dataset = filter.Dataset ?? _datasetId.ToString(System.Globalization.CultureInfo.InvariantCulture) }, CancellationToken.None);
    }

    private static IEnumerable<int> Indices(PagedResult<SentenceHit> result) => result.Items.Select(h => h.Index);

    [Fact]
    public async Task TextSearchIgnoresCaseAndTreatsWildcardsLiterally()
    {
        Assert.Equal([0], Indices(await FindAsync(new(Text: "rlhf"))));
        Assert.Equal([2], Indices(await FindAsync(new(Text: "100%"))));
        Assert.Equal([3], Indices(await FindAsync(new(Text: "_ish"))));
        Assert.Empty(Indices(await FindAsync(new(Text: "1_0"))));
    }

    [Fact]
    public async Task TagSearchFindsImportedFunctionTagsAndTheDatasetMayBeNamedByKey()
    {
        var hits = await FindAsync(new(Dataset: _datasetKey, Tag: "PLAN_generation"));

        var hit = Assert.Single(hits.Items);
        Assert.Equal((_traceId, 2, "searchable trace", "search set"), (hit.TraceId, hit.Index, hit.TraceTitle, hit.DatasetName));
        Assert.Equal(["plan_generation"], hit.Tags);
        Assert.Null(hit.Effect);
    }

    [Fact]
    public async Task DirectionUsesTheCounterfactualEffectWithItsFallback()
    {
        var suppressing = await FindAsync(new(Outcome: OutcomeRegistry.Compliance, Direction: Direction.Suppresses));

        // Sentence 2 falls back to its resampling effect (-0.25); sentence 3 keeps its counterfactual -0.10.
        Assert.Equal([2, 3], Indices(suppressing));
        var fallback = suppressing.Items[0].Effect!;
        Assert.Equal(-0.25, fallback.Value);
        Assert.True(fallback.Fallback);
        Assert.Equal(Direction.Suppresses, fallback.Shown.Direction);
        var counterfactual = suppressing.Items[1].Effect!;
        Assert.Equal(-0.10, counterfactual.Value);
        Assert.False(counterfactual.Fallback);
        // [-0.3, 0.1] contains 0: the page shows it as uncertain, as the trace page does.
        Assert.True(counterfactual.Shown.NeedsMoreSamples);
        Assert.Equal((0.8, "imported"), (counterfactual.Threshold, counterfactual.Source));
    }

    [Fact]
    public async Task MinimumSizeKeepsLargeEffectsLargestFirst()
    {
        var hits = await FindAsync(new(Outcome: OutcomeRegistry.Compliance, MinImportance: 0.2));

        Assert.Equal([1, 2], Indices(hits));
        Assert.Equal(2, hits.Total);
    }

    [Fact]
    public async Task TheResamplingEffectRanksAndFiltersByItsOwnSign()
    {
        var hits = await FindAsync(new(Outcome: OutcomeRegistry.Compliance, Effect: EffectKind.Resampling, Direction: Direction.Promotes));

        // 0.30 and 0.02 raise the rate; sentence 3's resampling effect is 0, sentence 2's is negative.
        Assert.Equal([1, 0], Indices(hits));
        Assert.Equal([0.30, 0.02], hits.Items.Select(h => h.Effect!.Value!.Value));
    }

    [Fact]
    public async Task KlRanksBySizeWithTheCounterfactualDirection()
    {
        var hits = await FindAsync(new(Outcome: OutcomeRegistry.Compliance, Effect: EffectKind.Kl));

        // Counterfactual KL is 3 x |cf|; sentence 2 falls back to its resampling KL (2 x 0.25).
        Assert.Equal([1, 2, 3, 0], Indices(hits));
        Assert.Equal(1.2, hits.Items[0].Effect!.Value!.Value, 9);
        Assert.Equal(0.5, hits.Items[1].Effect!.Value!.Value, 9);
        Assert.Equal([Direction.Promotes, Direction.Suppresses, Direction.Suppresses, Direction.Promotes], hits.Items.Select(h => h.Effect!.Shown.Direction));
    }

    [Fact]
    public async Task AComputedSetIsShownBeforeAnImportedOneAsOnTheTracePage()
    {
        await using (var db = app.CreateDbContext())
        {
            var outcome = await db.GetOrAddAsync(OutcomeRegistry.Compliance, CancellationToken.None);
            var computed = new MetricSet { TraceId = _traceId, OutcomeId = outcome.Id, Source = MetricSource.Computed, Threshold = 0.7 };
            computed.Values.Add(new SentenceMetric { SentenceIndex = 0, Name = MetricNames.CounterfactualEffect, Value = 0.9 });
            computed.Values.Add(new SentenceMetric { SentenceIndex = 0, Name = MetricNames.DissimilarFraction, Value = 0.5 });
            db.Add(computed);
            await db.SaveChangesAsync();
            // A later import (a higher id) does not hide the computed set.
            var reimported = new MetricSet { TraceId = _traceId, OutcomeId = outcome.Id, Source = MetricSource.Imported, Threshold = 0.8 };
            reimported.Values.Add(new SentenceMetric { SentenceIndex = 0, Name = MetricNames.CounterfactualEffect, Value = -0.9 });
            db.Add(reimported);
            await db.SaveChangesAsync();
        }

        var hits = await FindAsync(new(Text: "RLHF", Outcome: OutcomeRegistry.Compliance));
        await using var scope = app.Services.CreateAsyncScope();
        var trace = await scope.ServiceProvider.GetRequiredService<TraceQueries>().GetTraceAsync(_traceId, CancellationToken.None);

        var effect = Assert.Single(hits.Items).Effect!;
        Assert.Equal(0.9, effect.Value);
        Assert.Equal((0.7, "computed"), (effect.Threshold, effect.Source));
        Assert.Equal(trace!.Outcomes.Single(o => o.Key == OutcomeRegistry.Compliance).EffectsAt(0)!.CounterfactualEffect!.Value, effect.Value);
    }

    [Fact]
    public async Task RankedByAnOutcomeOnlyTracesWithItsMetricsAreSearched()
    {
        var other = await TraceSeeder.SeedAsync(app, new TraceSeed
        {
            DatasetKey = _datasetKey, OutcomeKey = OutcomeRegistry.ContainsBlackmail, Sentences = ["I am being trained with RLHF too."],
        });

        var byText = await FindAsync(new(Text: "rlhf"));
        var byOutcome = await FindAsync(new(Text: "rlhf", Outcome: OutcomeRegistry.Compliance));

        Assert.Equal([_traceId, other.TraceId], byText.Items.Select(h => h.TraceId));
        Assert.Equal([_traceId], byOutcome.Items.Select(h => h.TraceId));
        Assert.Equal(1, byOutcome.Total);
    }

    [Fact]
    public async Task PagesSplitTheHitsAndCountThemAll()
    {
        var model = $"paged-{Guid.NewGuid():N}";
        for (var i = 0; i < 3; i++)
        {
            await TraceSeeder.SeedAsync(app, new TraceSeed
            {
                DatasetKey = model, Model = model, Title = $"T{i}",
                Sentences = [.. Enumerable.Range(0, 40).Select(k => $"Needle {k} of trace {i}.")],
                Counterfactual = k => (k + 1) / 100.0 * (k % 2 == 0 ? 1 : -1),
            });
        }

        var first = await FindAsync(new(Dataset: model, Text: "needle", Outcome: OutcomeRegistry.IsCorrect));
        var third = await FindAsync(new(Dataset: model, Text: "needle", Outcome: OutcomeRegistry.IsCorrect, Page: 3));

        Assert.Equal(120, first.Total);
        Assert.Equal((50, 3), (first.Items.Count, first.PageCount));
        Assert.Equal(20, third.Items.Count);
        // Largest effect first, ties in trace and sentence order, and every hit exactly once across the pages.
        Assert.Equal([39, 39, 39], first.Items.Take(3).Select(h => h.Index));
        var all = new List<SentenceHit>(first.Items);
        all.AddRange((await FindAsync(new(Dataset: model, Text: "needle", Outcome: OutcomeRegistry.IsCorrect, Page: 2))).Items);
        all.AddRange(third.Items);
        Assert.Equal(120, all.Select(h => (h.TraceId, h.Index)).Distinct().Count());
        Assert.Equal([0, 0, 0], third.Items.TakeLast(3).Select(h => h.Index));
    }

    [Fact]
    public async Task CountingStopsAtTheLimitAndTheLastPagesStillCount()
    {
        var model = $"capped-{Guid.NewGuid():N}";
        for (var i = 0; i < 3; i++)
        {
            await TraceSeeder.SeedAsync(app, new TraceSeed
            {
                DatasetKey = model, Model = model, Title = $"T{i}",
                Sentences = [.. Enumerable.Range(0, 350).Select(k => $"Needle {k} of trace {i}.")],
                Counterfactual = k => (k + 1) / 1000.0,
            });
        }

        foreach (var outcome in new string?[] { null, OutcomeRegistry.IsCorrect })
        {
            var first = await FindAsync(new(Dataset: model, Text: "needle", Outcome: outcome));
            var last = await FindAsync(new(Dataset: model, Text: "needle", Outcome: outcome, Page: 21));

            // 1,050 hits: the first page counts to 1,000 and says there are more, with one page past the count to go on to.
            Assert.Equal((SearchQueries.CountLimit, true, 21), (first.Total, first.TotalIsLowerBound, first.PageCount));
            Assert.Equal(50, first.Items.Count);
            // A page past the limit counts to its own end: here the exact total, the last page.
            Assert.Equal((1050, false, 21), (last.Total, last.TotalIsLowerBound, last.PageCount));
            Assert.Equal(50, last.Items.Count);
        }

        var exact = await FindAsync(new(Dataset: model, Text: "needle 349"));
        Assert.Equal((false, 3), (exact.TotalIsLowerBound, exact.Total));

        var html = await app.CreateClient().GetStringAsync($"/search?dataset={model}&text=needle");
        var count = ComponentRenderer.Parse(html).QuerySelector(".result-count")!;
        Assert.StartsWith("1,000+ sentences · page 1", System.Text.RegularExpressions.Regex.Replace(count.TextContent, @"\s+", " ").Trim(), StringComparison.Ordinal);
        Assert.Equal("1000", count.GetAttribute("data-total"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(OutcomeRegistry.IsCorrect)]
    public async Task AWordMatchesWholeWordsAndAStarredWordEveryWordItStarts(string? outcome)
    {
        var model = $"words-{Guid.NewGuid():N}";
        await TraceSeeder.SeedAsync(app, new TraceSeed
        {
            DatasetKey = model, Model = model, Title = "words",
            Sentences = ["It is word3 here.", "Only word30 here.", "And word300 too.", "Word3, capitalised, with word900."],
            Counterfactual = k => (k + 1) / 10.0,
        });

        async Task<List<int>> Hits(string text) =>
            [.. (await FindAsync(new(Dataset: model, Text: text, Outcome: outcome))).Items.Select(h => h.Index).Order()];

        Assert.Equal([0, 3], await Hits("word3"));
        Assert.Equal([0, 1, 2, 3], await Hits("word3*"));
        Assert.Equal([3], await Hits("word900 word3"));
        Assert.Equal([1, 2], await Hits("word30*"));
        Assert.Empty(await Hits("word"));
    }

    [Fact]
    public async Task OptionsOfferOutcomesWithMetricsAndEveryImportedTag()
    {
        await using var scope = app.Services.CreateAsyncScope();

        var options = await scope.ServiceProvider.GetRequiredService<SearchQueries>().ListOptionsAsync(CancellationToken.None);

        Assert.Contains(options.Outcomes, o => o.Key == OutcomeRegistry.Compliance);
        Assert.Contains(options.Datasets, d => d.Id == _datasetId && d.Key == _datasetKey);
        Assert.Subset(options.Tags.ToHashSet(), new HashSet<string> { "situation_assessment", "consequence_analysis", "plan_generation", "other" });
        Assert.Equal(options.Tags.Order(StringComparer.Ordinal), options.Tags);
    }

    [Theory]
    [InlineData("/search?dataset={id}&text=modified", "If I refuse, I will be modified.")]
    [InlineData("/search?dataset={id}&tag=plan_generation", "So I will comply 100% of the time.")]
    [InlineData("/search?dataset={id}&outcome=compliance&direction=promotes&min=0.3", "If I refuse, I will be modified.")]
    public async Task AddressesOfTheFirstVersionStillFind(string address, string sentence)
    {
        var html = await app.CreateClient().GetStringAsync(address.Replace("{id}", _datasetId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var document = ComponentRenderer.Parse(html);

        var hit = Assert.Single(document.QuerySelectorAll("tr.hit"));
        Assert.Equal(sentence, hit.QuerySelector("a.hit-link")!.TextContent);
        Assert.Equal("1", document.QuerySelector(".result-count")!.GetAttribute("data-total"));
    }
}
