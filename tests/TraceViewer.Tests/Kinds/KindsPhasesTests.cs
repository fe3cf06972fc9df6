using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Kinds;
using TraceViewer.Telemetry;

namespace TraceViewer.Tests.Kinds;

/// <summary>A first load reports each of its steps as a span of the app's source, one after another; a cached load only its stamp.</summary>
public sealed class KindsPhasesTests(TestApp app) : IClassFixture<TestApp>
{
    private const string TestSource = "TraceViewer.Tests.KindsPhases";

    // By name: the listener is asked about this source while it is being made, before the field holds it.
    private static readonly ActivitySource Test = new(TestSource);

    [Fact]
    public async Task AFirstLoadHasOneSpanPerStepInOrderAndACachedOneOnlyTheStamp()
    {
        var study = await KindsSeeder.SeedAsync(app, "kinds/phases", traces: 3, sentences: 5, seed: 2);
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is AppTelemetry.SourceName or TestSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var request = new KindsRequest([study.DatasetKey], null, null, null, null, 4);

        var first = await LoadAsync(request);
        var again = await LoadAsync(request);

        var firstSpans = Steps(spans, first);
        string[] steps = ["stamp", "options", "sets", "effects", "tags", "table", "bootstrap", "view"];
        Assert.Equal(steps.Select(s => KindsPhases.Prefix + s), firstSpans.Select(a => a.OperationName));
        // One after another: each step starts when the one before has ended.
        for (var i = 1; i < firstSpans.Count; i++)
        {
            Assert.True(firstSpans[i].StartTimeUtc >= firstSpans[i - 1].StartTimeUtc + firstSpans[i - 1].Duration, $"{firstSpans[i].OperationName} overlaps the step before");
        }

        Assert.Equal([KindsPhases.Prefix + "stamp"], Steps(spans, again).Select(a => a.OperationName));
    }

    /// <summary>Loads under a parent span of its own, so the steps can be told from other tests' loads running at the same time.</summary>
    private async Task<ActivityTraceId> LoadAsync(KindsRequest request)
    {
        using var parent = Test.StartActivity("load")!;
        await using var scope = app.Services.CreateAsyncScope();
        var view = await scope.ServiceProvider.GetRequiredService<KindsQueries>().LoadAsync(request, CancellationToken.None);
        Assert.Null(view.Empty);
        return parent.TraceId;
    }

    private static List<Activity> Steps(IEnumerable<Activity> spans, ActivityTraceId trace) =>
        [.. spans.Where(a => a.TraceId == trace && a.OperationName.StartsWith(KindsPhases.Prefix, StringComparison.Ordinal)).OrderBy(a => a.StartTimeUtc)];
}
