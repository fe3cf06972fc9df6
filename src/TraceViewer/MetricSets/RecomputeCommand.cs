using System.CommandLine;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Metrics.Engine;
using TraceViewer.Traces;

namespace TraceViewer.MetricSets;

/// <summary>`recompute [--trace id] [--threshold t] [--reference]`: recomputes stored metrics from labelled resamples.</summary>
internal static class RecomputeCommand
{
    public static Command Create(IServiceProvider services)
    {
        var trace = new Option<int?>("--trace") { Description = "Only this trace (default: every trace with labelled resamples)." };
        var threshold = new Option<double?>("--threshold") { Description = "Similarity threshold for the dissimilar set (default 0.8)." };
        var reference = new Option<bool>("--reference") { Description = "Use the Thought Anchors reference's counting rules." };
        var command = new Command("recompute", "Recompute per-sentence metrics from stored resamples.") { trace, threshold, reference };
        command.SetAction((parseResult, ct) => RunAsync(
            services,
            parseResult.GetValue(trace),
            (parseResult.GetValue(reference) ? MetricsParameters.Reference : MetricsParameters.TraceViewerDefaults) with
            {
                Threshold = parseResult.GetValue(threshold) ?? 0.8,
            },
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            ct));
        return command;
    }

    private static async Task<int> RunAsync(IServiceProvider services, int? traceId, MetricsParameters parameters, TextWriter output, TextWriter error, CancellationToken ct)
    {
        List<int> traces;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
            traces = await db.Set<Trace>().Where(t => traceId == null ? t.HasLabelledResamples : t.Id == traceId)
                .OrderBy(t => t.Id).Select(t => t.Id).ToListAsync(ct);
        }

        if (traceId is not null && traces.Count == 0)
        {
            await error.WriteLineAsync($"error: no trace {traceId}");
            return 1;
        }

        var done = 0;
        foreach (var id in traces)
        {
            await using var scope = services.CreateAsyncScope();
            var results = await scope.ServiceProvider.GetRequiredService<MetricsRecomputer>().RecomputeTraceAsync(id, parameters, ct);
            done++;
            // Progress on stderr, results on stdout.
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"[{done}/{traces.Count}] trace {id}: {results.Count} outcome(s)"));
            foreach (var r in results)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"trace {id} outcome {r.OutcomeId}: metric set {r.MetricSetId}, {r.Resamples} resamples, {r.Sentences} sentences, similarity {r.EmbeddingModel}"));
            }
        }

        return 0;
    }
}
