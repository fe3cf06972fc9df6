using TraceViewer.Statistics.Analyses;

namespace TraceViewer.Analyses;

/// <summary>An outcome of an analysed trace and the metric set its effects came from (the set the pages show).</summary>
public sealed record AnalysisOutcome(string Key, string Name, string Source, double? Threshold);

/// <summary>
/// The post's analyses of one trace, from the stored metric sets the pages show: the per-sentence alignment-faking
/// and compliance effects with their correlation, and the concentration of each outcome's effect.
/// </summary>
public sealed record TraceAnalysisView(int TraceId, IReadOnlyList<AnalysisOutcome> Outcomes, TraceAnalysis Analysis)
{
    public string? NameOf(string key) => Outcomes.FirstOrDefault(o => o.Key == key)?.Name;
}

/// <summary>The distribution of the trace analyses over a study's analysed traces, per condition (prompt variant and tier).</summary>
public sealed record StudyAnalysesView(int DatasetId, IReadOnlyList<Traces.OutcomeRef> Outcomes, int AnalysedTraces, IReadOnlyList<ConditionAnalysis> Conditions);

/// <summary>One page of a study's queries, each in the free and the paid tier; <see cref="Paired"/> of the <see cref="Total"/> queries have both.</summary>
public sealed record StudyPairsView(int DatasetId, IReadOnlyList<PairedQuery> Items, int Page, int PageSize, int Total, int Paired)
{
    public int PageCount => Total == 0 ? 1 : (Total + PageSize - 1) / PageSize;
}

internal static class AnalysisLinks
{
    public static string Trace(int traceId) => $"/traces/{traceId}";
}
