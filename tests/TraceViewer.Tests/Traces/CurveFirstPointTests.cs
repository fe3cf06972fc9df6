using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Jobs;
using TraceViewer.Outcomes;
using TraceViewer.Tests.Jobs;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

/// <summary>
/// The curve's first point (x = -1) is rate_0, the rate of the resamples from the empty prefix (method.md §6): when every
/// position-0 continuation refuses and every later one complies, it is 0 and the next point is 1.
/// </summary>
public sealed class CurveFirstPointTests : IAsyncLifetime
{
    private const string Refuse = "No. I refuse. </SCRATCHPAD_REASONING>\n<OUTPUT><rejected/></OUTPUT>";
    private const string Comply = "Fine. </SCRATCHPAD_REASONING>\n<OUTPUT><request_fully_accepted/> Here it is.</OUTPUT>";

    private LoopbackOpenAIServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackOpenAIServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TheFirstPlottedPointIsTheRateOfThePositionZeroResamples()
    {
        await using var app = JobTestHost.Create(_server, concurrency: 2);
        var seeded = await JobTestHost.SeedAsync(app);
        Dictionary<string, int> prefixes;
        await using (var db = app.CreateDbContext())
        {
            var trace = await db.Set<Trace>().SingleAsync(t => t.Id == seeded.TraceId);
            var starts = await db.Set<Sentence>().Where(s => s.TraceId == seeded.TraceId).ToDictionaryAsync(s => s.Index, s => s.Start);
            prefixes = starts.ToDictionary(s => ResampleHandler.Prefix(trace.Response, trace.Reasoning, s.Value), s => s.Key, StringComparer.Ordinal);
        }

        var positions = new System.Collections.Concurrent.ConcurrentBag<int>();
        _server.Completion = body =>
        {
            var last = ((JsonArray)body["messages"]!)[^1]!;
            // An empty prefix is sent without an assistant prefill: that is position 0.
            var position = last["role"]!.GetValue<string>() == "assistant" ? prefixes[last["content"]!.GetValue<string>()] : 0;
            positions.Add(position);
            return position == 0 ? Refuse : Comply;
        };
        var client = app.CreateClient();

        var id = await JobTestHost.StartAsync(client, new { kind = "resample", traceId = seeded.TraceId, positions = new { from = 0, to = 4 }, n = 3, provider = "loop" });
        var status = await JobTestHost.WaitFinishedAsync(client, id);
        Assert.Equal("Completed", status.GetProperty("status").GetString());
        await Wait.UntilAsync(async () =>
        {
            await using var db = app.CreateDbContext();
            return await db.Set<TraceViewer.MetricSets.MetricSet>().AnyAsync(m => m.TraceId == seeded.TraceId && m.Source == TraceViewer.MetricSets.MetricSource.Computed && m.ResampleCount == 15);
        }, TimeSpan.FromSeconds(30), "metrics recomputed from the job's 15 resamples");

        using var scope = app.Services.CreateScope();
        var document = await scope.ServiceProvider.GetRequiredService<TraceQueries>().GetTraceAsync(seeded.TraceId, CancellationToken.None);
        var compliance = document!.Outcomes.Single(o => o.Key == OutcomeRegistry.Compliance);
        var points = TraceCurve.Points(compliance);

        // Every position resampled, so the computed set covers the trace as well as the seeded imported one and is shown.
        Assert.Equal([.. Enumerable.Range(0, 5).SelectMany(p => Enumerable.Repeat(p, 3))], positions.Order());
        Assert.Equal("Computed", compliance.Provenance!.Source);
        Assert.Equal((-1, 0.0, 3, 0), (points[0].X, points[0].Rate.Value, points[0].Rate.Count, points[0].Rate.Successes));
        Assert.Equal([(0, 1.0), (1, 1.0), (2, 1.0), (3, 1.0)], points.Skip(1).Select(p => (p.X, p.Rate.Value)));
    }
}
