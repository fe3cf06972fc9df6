using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.MetricSets;
using TraceViewer.Metrics.Engine;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;

namespace TraceViewer.Tests;

/// <summary>Labels a seeded trace's resamples and recomputes its metrics through the app's services.</summary>
internal static class MetricsLabels
{
    /// <summary>Resample j at position i is positive when <paramref name="positive"/>(i, j).</summary>
    public static async Task<int> LabelAsync(TestApp app, int traceId, string outcomeKey, Func<int, int, bool> positive)
    {
        await using var db = app.CreateDbContext();
        var outcome = await db.GetOrAddAsync(outcomeKey, CancellationToken.None);
        await db.SaveChangesAsync();
        await db.Set<ResampleLabel>().Where(l => l.OutcomeId == outcome.Id && db.Set<Resample>().Any(r => r.Id == l.ResampleId && r.TraceId == traceId)).ExecuteDeleteAsync();
        foreach (var r in await db.Set<Resample>().Where(r => r.TraceId == traceId).ToListAsync())
        {
            var isPositive = positive(r.Position, r.SampleIndex);
            db.Add(new ResampleLabel { ResampleId = r.Id, OutcomeId = outcome.Id, IsPositive = isPositive, Value = isPositive ? "true" : "false" });
        }

        await db.SaveChangesAsync();
        // As the importers and the resampling jobs do: the trace's metrics can now be computed from its resamples.
        await db.Set<TraceViewer.Traces.Trace>().Where(t => t.Id == traceId).ExecuteUpdateAsync(s => s.SetProperty(t => t.HasLabelledResamples, true));
        return outcome.Id;
    }

    public static async Task<IReadOnlyList<RecomputeResult>> RecomputeAsync(TestApp app, int traceId, double threshold = 0.8)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<MetricsRecomputer>()
            .RecomputeTraceAsync(traceId, MetricsParameters.TraceViewerDefaults with { Threshold = threshold }, CancellationToken.None);
    }

    public static async Task<List<SentenceMetric>> ValuesAsync(TestApp app, int metricSetId)
    {
        await using var db = app.CreateDbContext();
        return await db.Set<SentenceMetric>().AsNoTracking().Where(v => v.MetricSetId == metricSetId).ToListAsync();
    }
}
