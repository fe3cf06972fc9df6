using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Outcomes;
using TraceViewer.Traces;

namespace TraceViewer.Studies;

public sealed record StudyTraceRow(int Id, string Title, string Variant, string Tier, bool? Compliant, bool? AlignmentFaking);

internal sealed record StudyOverview(int DatasetId, string DatasetName, string Model, StudySummary Summary);

internal static class StudyQueries
{
    /// <summary>Traces without a variant are grouped under this name.</summary>
    public const string DefaultVariant = "default";

    public static async Task<StudyOverview?> LoadOverviewAsync(TraceViewerDbContext db, int datasetId, CancellationToken ct)
    {
        var dataset = await db.Set<Dataset>().AsNoTracking().Where(d => d.Id == datasetId)
            .Select(d => new { d.Name, d.Model }).FirstOrDefaultAsync(ct);
        if (dataset is null)
        {
            return null;
        }

        var rows = await TraceRows(db, datasetId, variant: null, tier: null).ToListAsync(ct);
        var observations = rows.Select(r => new StudyObservation(r.Id, r.Variant, r.Tier, r.Compliant, r.AlignmentFaking));
        return new StudyOverview(datasetId, dataset.Name, dataset.Model, StudyStatistics.Summarize(observations));
    }

    /// <summary>The traces behind one bar of the overview chart.</summary>
    public static Task<List<StudyTraceRow>> LoadTracesAsync(TraceViewerDbContext db, int datasetId, string variant, string tier, CancellationToken ct) =>
        TraceRows(db, datasetId, variant, tier, limit: 500).ToListAsync(ct);

    private static IQueryable<StudyTraceRow> TraceRows(TraceViewerDbContext db, int datasetId, string? variant, string? tier, int limit = int.MaxValue)
    {
        var labels = db.Set<TraceLabel>();
        var compliance = db.Set<Outcome>().Where(o => o.Key == OutcomeRegistry.Compliance).Select(o => o.Id);
        var alignmentFaking = db.Set<Outcome>().Where(o => o.Key == OutcomeRegistry.AlignmentFaking).Select(o => o.Id);
        var traces = db.Set<Trace>().AsNoTracking().Where(t => t.DatasetId == datasetId && t.Tier != null);
        if (variant is not null)
        {
            traces = variant == DefaultVariant
                ? traces.Where(t => t.PromptVariant == null || t.PromptVariant == DefaultVariant)
                : traces.Where(t => t.PromptVariant == variant);
        }

        if (tier is not null)
        {
            traces = traces.Where(t => t.Tier == tier);
        }

        return traces.OrderBy(t => t.Id).Take(limit).Select(t => new StudyTraceRow(
            t.Id,
            t.Title,
            t.PromptVariant ?? DefaultVariant,
            t.Tier!,
            labels.Where(l => l.TraceId == t.Id && compliance.Contains(l.OutcomeId)).Select(l => l.IsPositive).FirstOrDefault(),
            labels.Where(l => l.TraceId == t.Id && alignmentFaking.Contains(l.OutcomeId)).Select(l => l.IsPositive).FirstOrDefault()));
    }
}
