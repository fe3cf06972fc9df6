using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Outcomes;
using TraceViewer.Traces;

namespace TraceViewer.Studies;

/// <summary>Reads behind the study page and the study links on the dataset and trace pages.</summary>
internal sealed class StudyQueries(TraceViewerDbContext db)
{
    public const int PageSize = 25;

    /// <summary>
    /// Datasets with a study: base traces in at least two conditions (prompt variant and tier) to compare. Read from the
    /// datasets' condition summaries (decision 0051), whose rows are the conditions that have traces.
    /// </summary>
    public async Task<IReadOnlyList<int>> ListStudyDatasetsAsync(CancellationToken ct) =>
        await db.Set<DatasetConditionSummary>().AsNoTracking()
            .GroupBy(c => c.DatasetId)
            .Where(g => g.Count() >= StudyStatistics.MinConditions)
            .Select(g => g.Key)
            .OrderBy(id => id)
            .ToListAsync(ct);

    public async Task<bool> HasStudyAsync(int datasetId, CancellationToken ct) =>
        await db.Set<DatasetConditionSummary>().AsNoTracking().CountAsync(c => c.DatasetId == datasetId, ct) >= StudyStatistics.MinConditions;

    /// <summary>The study's rates per condition and its compliance gaps; null when the dataset does not exist.</summary>
    public async Task<StudyView?> LoadAsync(int datasetId, CancellationToken ct)
    {
        var dataset = await db.Set<Dataset>().AsNoTracking().Where(d => d.Id == datasetId)
            .Select(d => new { d.Name, d.Model }).FirstOrDefaultAsync(ct);
        if (dataset is null)
        {
            return null;
        }

        var (compliance, faking) = await OutcomeIdsAsync(ct);
        var labels = db.Set<TraceLabel>();
        var observations = await TieredTraces(datasetId)
            .Select(t => new StudyObservation(
                t.Id,
                t.PromptVariant ?? StudyStatistics.DefaultVariant,
                t.Tier!,
                labels.Where(l => l.TraceId == t.Id && l.OutcomeId == compliance).Select(l => l.IsPositive).FirstOrDefault(),
                labels.Where(l => l.TraceId == t.Id && l.OutcomeId == faking).Select(l => l.IsPositive).FirstOrDefault()))
            .ToListAsync(ct);
        return StudyView.Of(datasetId, dataset.Name, dataset.Model, StudyStatistics.Summarize(observations));
    }

    /// <summary>One page of the traces in one condition (the traces behind one bar of the chart).</summary>
    public async Task<PagedResult<StudyTraceRow>> ListTracesAsync(int datasetId, string variant, string tier, int page, CancellationToken ct)
    {
        page = Math.Max(1, page);
        var (compliance, faking) = await OutcomeIdsAsync(ct);
        var labels = db.Set<TraceLabel>();
        // The trace list's own query selects the condition, so this list, the list at /traces with the same tier and
        // variant, and the jobs started from either count the same traces.
        var traces = TraceQueries.Filtered(db, ConditionFilter(datasetId, variant, tier)).Where(t => t.Tier != null);

        var total = await traces.CountAsync(ct);
        var rows = await traces.OrderBy(t => t.Id)
            .Skip((page - 1) * PageSize).Take(PageSize)
            .Select(t => new StudyTraceRow(
                t.Id,
                t.Title,
                labels.Where(l => l.TraceId == t.Id && l.OutcomeId == compliance).Select(l => new StudyLabel(l.IsPositive, l.Value)).FirstOrDefault(),
                labels.Where(l => l.TraceId == t.Id && l.OutcomeId == faking).Select(l => new StudyLabel(l.IsPositive, l.Value)).FirstOrDefault()))
            .ToListAsync(ct);
        return new PagedResult<StudyTraceRow>(rows, page, PageSize, total);
    }

    /// <summary>The trace list's filter for one condition of a study: <c>/traces?dataset=&amp;tier=&amp;variant=</c>.</summary>
    public static TraceFilter ConditionFilter(int datasetId, string variant, string tier) =>
        new(Dataset: datasetId.ToString(System.Globalization.CultureInfo.InvariantCulture), Tier: tier, Variant: variant);

    private IQueryable<Trace> TieredTraces(int datasetId) =>
        db.Set<Trace>().AsNoTracking().Where(t => t.DatasetId == datasetId && t.Tier != null);

    private async Task<(int Compliance, int AlignmentFaking)> OutcomeIdsAsync(CancellationToken ct)
    {
        var ids = await db.Set<Outcome>().AsNoTracking()
            .Where(o => o.Key == OutcomeRegistry.Compliance || o.Key == OutcomeRegistry.AlignmentFaking)
            .Select(o => new { o.Key, o.Id })
            .ToListAsync(ct);
        // An outcome that was never stored has no labels: -1 matches none.
        int Id(string key) => ids.FirstOrDefault(o => o.Key == key)?.Id ?? -1;
        return (Id(OutcomeRegistry.Compliance), Id(OutcomeRegistry.AlignmentFaking));
    }
}
