using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Embeddings;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;

namespace TraceViewer.Tests.MetricSets;

/// <summary>Recompute through a configured embedding model: the real SDK against the loopback server.</summary>
public sealed class EmbeddingRecomputeTests : IAsyncLifetime
{
    private LoopbackOpenAIServer _server = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackOpenAIServer.StartAsync();
        _app = new TestApp()
            .WithSetting("Providers:loopback:BaseUrl", _server.BaseUrl)
            .WithSetting("Embeddings:Provider", "loopback")
            .WithSetting("Embeddings:Model", "test-embed");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _server.DisposeAsync();
    }

    private async Task<SeededTrace> SeedAsync()
    {
        var trace = await TraceSeeder.SeedAsync(_app, new TraceSeed { DatasetKey = $"embed/{Guid.NewGuid():N}", Alternative = (i, j) => $"Variant {j % 4} of step {i}." });
        await MetricsLabels.LabelAsync(_app, trace.TraceId, OutcomeRegistry.IsCorrect, (i, j) => j < 3 + 2 * i);
        return trace;
    }

    [Fact]
    public async Task RecomputeRecordsTheModelAndCachesEveryVector()
    {
        var trace = await SeedAsync();

        var result = Assert.Single(await MetricsLabels.RecomputeAsync(_app, trace.TraceId));

        Assert.Equal("test-embed", result.EmbeddingModel);
        Assert.True(_server.Requests > 0);
        await using var db = _app.CreateDbContext();
        var set = await db.Set<MetricSet>().SingleAsync(m => m.Id == result.MetricSetId);
        Assert.Equal("test-embed", set.EmbeddingModel);
        Assert.Equal(MetricSource.Computed, set.Source);
        var texts = trace.Sentences.Select(s => s.Text)
            .Concat(await db.Set<Resample>().Where(r => r.TraceId == trace.TraceId).Select(r => r.FirstSentence!).ToListAsync())
            .Distinct().Select(EmbeddingService.Hash).ToList();
        Assert.Equal(texts.Count, await db.Set<CachedEmbedding>().CountAsync(e => e.Model == "test-embed" && texts.Contains(e.TextHash)));
    }

    [Fact]
    public async Task ASecondRecomputeMakesNoEmbeddingRequests()
    {
        var trace = await SeedAsync();
        var first = Assert.Single(await MetricsLabels.RecomputeAsync(_app, trace.TraceId));
        var requests = _server.Requests;

        var second = Assert.Single(await MetricsLabels.RecomputeAsync(_app, trace.TraceId, threshold: 0.5));

        Assert.Equal(requests, _server.Requests);
        Assert.Equal("test-embed", second.EmbeddingModel);
        var firstValues = await MetricsLabels.ValuesAsync(_app, first.MetricSetId);
        Assert.NotEmpty(firstValues);
    }

    [Fact]
    public async Task APageAtAnotherThresholdUsesTheCachedVectorsAndAsksNoEndpoint()
    {
        var trace = await SeedAsync();
        await MetricsLabels.RecomputeAsync(_app, trace.TraceId);
        var requests = _server.Requests;

        var html = await _app.CreateClient().GetStringAsync($"/traces/{trace.TraceId}?threshold=0.55");

        Assert.Equal(requests, _server.Requests);
        var panel = ComponentRenderer.Parse(html).QuerySelector("[data-testid=provenance]")!;
        Assert.Contains("test-embed", panel.QuerySelector("[data-field=similarity]")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("lexical", panel.QuerySelector("[data-field=similarity]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("not stored", panel.QuerySelector("[data-field=source]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangedResamplesRecomputeEveryStoredThreshold()
    {
        var trace = await SeedAsync();
        await MetricsLabels.RecomputeAsync(_app, trace.TraceId, threshold: 0.5);
        await MetricsLabels.RecomputeAsync(_app, trace.TraceId, threshold: 0.8);
        await MetricsLabels.LabelAsync(_app, trace.TraceId, OutcomeRegistry.IsCorrect, (i, j) => j < 9 - 2 * i);

        using var scope = _app.Services.CreateScope();
        var results = await scope.ServiceProvider.GetRequiredService<MetricsRecomputer>().RecomputeTraceAsync(trace.TraceId, CancellationToken.None);

        Assert.Equal(2, results.Count);
        await using var db = _app.CreateDbContext();
        var sets = await db.Set<MetricSet>().Where(m => m.TraceId == trace.TraceId && m.Source == MetricSource.Computed).ToListAsync();
        Assert.Equal([0.5, 0.8], sets.Select(s => s.Threshold!.Value).Order());
        var prefix = await db.Set<SentenceMetric>()
            .Where(v => v.MetricSetId == results[0].MetricSetId && v.Name == MetricNames.PrefixRate && v.SentenceIndex == 0).SingleAsync();
        Assert.Equal(9, prefix.Successes);
    }
}
