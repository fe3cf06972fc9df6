using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Embeddings;
using TraceViewer.Jobs;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;

namespace TraceViewer.Tests.Jobs;

public sealed class JobWriterTests : IAsyncLifetime
{
    private LoopbackOpenAIServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackOpenAIServer.StartAsync();
        _server.Completion = JobTestHost.Script;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ConcurrentDuplicateResultsStoreOneRow()
    {
        await using var app = JobTestHost.Create(_server).WithSetting("Jobs:WorkerEnabled", "false");
        var trace = await JobTestHost.SeedAsync(app);
        await using var first = app.CreateDbContext();
        await using var second = app.CreateDbContext();
        var outcome = (await first.GetOrAddAsync(OutcomeRegistry.Compliance, CancellationToken.None)).Id;
        await first.SaveChangesAsync();

        var counts = await Task.WhenAll(
            Task.Run(() => WriteAsync(first, Resample(trace.TraceId, outcome, "first"), Resample(trace.TraceId, outcome, "first again"))),
            Task.Run(() => WriteAsync(second, Resample(trace.TraceId, outcome, "second"))));

        Assert.Equal(1, counts.Sum());
        var stored = Assert.Single(await JobTestHost.ResamplesAsync(app, trace.TraceId));
        Assert.Equal((2, 7), (stored.Position, stored.SampleIndex));
        Assert.Single(stored.Labels);
    }

    [Fact]
    public async Task AResultStagedAgainAfterAFailedWriteStoresOneResampleWithOneLabel()
    {
        await using var app = JobTestHost.Create(_server).WithSetting("Jobs:WorkerEnabled", "false");
        var trace = await JobTestHost.SeedAsync(app);
        var jobId = await JobTestHost.StartAsync(app.CreateClient(), new { traceId = trace.TraceId, positions = new { from = 1, to = 1 }, n = 1, provider = "loop" });
        var item = Assert.Single(await JobTestHost.ItemsAsync(app, jobId));
        await using var scope = app.Services.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetRequiredKeyedService<IJobItemHandler>(JobKind.Resample);
        var parameters = (await scope.ServiceProvider.GetRequiredService<JobStatusQuery>().GetAsync(jobId, CancellationToken.None))!.Parameters;
        var work = new JobWork(new JobSnapshot(jobId, JobKind.Resample, "loop", "model-x", parameters), item.Id, trace.TraceId, item.Position, item.SampleIndex, 1);
        var result = await handler.RunAsync(work, CancellationToken.None);

        await using (var first = app.CreateDbContext())
        await using (var transaction = await first.Database.BeginTransactionAsync())
        {
            var batch = new JobWriteBatch(first);
            await result.StageAsync(batch, CancellationToken.None);
            await batch.SaveAsync(CancellationToken.None);
            // The batch's transaction fails after staging; the writer then stages the same result again.
            await transaction.RollbackAsync();
        }

        await using (var second = app.CreateDbContext())
        await using (var transaction = await second.Database.BeginTransactionAsync())
        {
            var batch = new JobWriteBatch(second);
            await result.StageAsync(batch, CancellationToken.None);
            await batch.SaveAsync(CancellationToken.None);
            await transaction.CommitAsync();
        }

        var stored = Assert.Single(await JobTestHost.ResamplesAsync(app, trace.TraceId));
        Assert.Equal((1, item.SampleIndex), (stored.Position, stored.SampleIndex));
        Assert.Single(stored.Labels);
    }

    [Fact]
    public async Task EmbedJobCachesSentencesAndFirstSentencesAndRecomputeUsesThem()
    {
        await using var app = JobTestHost.Create(_server)
            .WithSetting("Embeddings:Provider", "loop")
            .WithSetting("Embeddings:Model", "test-embed");
        var trace = await TraceSeeder.SeedAsync(app, new TraceSeed { ResamplesPerSentence = 3, Successes = i => i % 2 });
        await MetricsLabels.LabelAsync(app, trace.TraceId, OutcomeRegistry.IsCorrect, (i, j) => j <= i);
        var client = app.CreateClient();

        var id = await JobTestHost.StartAsync(client, new { kind = "embed", traceId = trace.TraceId });
        var status = await JobTestHost.WaitFinishedAsync(client, id);

        Assert.Equal("Completed", status.GetProperty("status").GetString());
        await using var db = app.CreateDbContext();
        var firsts = await db.Set<Resample>().Where(r => r.TraceId == trace.TraceId && r.FirstSentence != null).Select(r => r.FirstSentence!).ToListAsync();
        Assert.NotEmpty(firsts);
        var texts = trace.Sentences.Select(s => s.Text).Concat(firsts).Distinct(StringComparer.Ordinal).ToList();
        var embedded = _server.ReceivedBodies.Where(b => b["input"] is not null)
            .SelectMany(b => b["input"]!.AsArray().Select(n => n!.GetValue<string>())).ToList();
        Assert.Equal(texts.Order(StringComparer.Ordinal), embedded.Order(StringComparer.Ordinal));
        var hashes = texts.Select(EmbeddingService.Hash).ToList();
        Assert.Equal(texts.Count, await db.Set<CachedEmbedding>().CountAsync(e => e.Model == "test-embed" && hashes.Contains(e.TextHash)));

        // The worker recomputes the trace once the job is done, with the embeddings it cached: no further requests.
        var requests = _server.Requests;
        var sets = await WaitForMetricSetsAsync(app, trace.TraceId, "test-embed");
        Assert.NotEmpty(sets);
        Assert.Equal(requests, _server.Requests);
        Assert.Equal(texts.Count, _server.ReceivedBodies.Sum(b => b["input"]?.AsArray().Count ?? 0));
    }

    private static async Task<List<MetricSet>> WaitForMetricSetsAsync(TestApp app, int traceId, string model)
    {
        List<MetricSet> sets = [];
        await Wait.UntilAsync(async () =>
        {
            await using var db = app.CreateDbContext();
            sets = await db.Set<MetricSet>().AsNoTracking()
                .Where(m => m.TraceId == traceId && m.Source == MetricSource.Computed && m.EmbeddingModel == model).ToListAsync();
            return sets.Count > 0;
        }, TimeSpan.FromSeconds(20), $"metrics computed with {model}");
        return sets;
    }

    private static async Task<int> WriteAsync(TraceViewer.Data.TraceViewerDbContext db, params Resample[] resamples)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        var batch = new JobWriteBatch(db);
        foreach (var resample in resamples)
        {
            batch.AddResample(resample);
        }

        var added = await batch.SaveAsync(CancellationToken.None);
        await transaction.CommitAsync();
        return added.Values.Sum();
    }

    private static Resample Resample(int traceId, int outcomeId, string text) => new()
    {
        TraceId = traceId,
        Position = 2,
        SampleIndex = 7,
        Continuation = text,
        Origin = TraceViewer.Resampling.ResampleOrigin.Generated,
        Labels = [new ResampleLabel { OutcomeId = outcomeId, Value = "marker:no", IsPositive = false }],
    };
}
