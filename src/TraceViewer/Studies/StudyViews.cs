using TraceViewer.Statistics;

namespace TraceViewer.Studies;

/// <summary>A rate over the determined traces of a condition with its Wilson 95% interval (null rate: none determined).</summary>
public sealed record StudyRate(int Positives, int Determined, int Undetermined, double? Rate, double Low, double High)
{
    internal static StudyRate Of(RateCell cell) =>
        new(cell.Positives, cell.Determined, cell.Undetermined, cell.Rate, cell.Interval.Low, cell.Interval.High);
}

/// <summary>One condition of a study: a prompt variant and a tier.</summary>
public sealed record StudyCondition(string Variant, string Tier, int Traces, StudyRate Compliance, StudyRate AlignmentFaking);

/// <summary>Free-tier minus paid-tier compliance of one prompt variant with Newcombe's 95% interval (null when a side has no determined trace).</summary>
public sealed record StudyGap(string Variant, StudyRate Free, StudyRate Paid, double? Difference, double? Low, double? High);

/// <summary>What the study page shows, read once while prerendering and carried into the circuit.</summary>
public sealed record StudyView(
    int DatasetId, string DatasetName, string Model, IReadOnlyList<StudyCondition> Conditions, IReadOnlyList<StudyGap> Gaps)
{
    /// <summary>A study compares conditions; with fewer than two there is nothing to compare.</summary>
    public bool CanCompare => Conditions.Count >= StudyStatistics.MinConditions;

    public IReadOnlyList<string> Variants => [.. Conditions.Select(c => c.Variant).Distinct()];

    public IReadOnlyList<string> Tiers => [.. Conditions.Select(c => c.Tier).Distinct()];

    public StudyCondition? Find(string variant, string tier) => Conditions.FirstOrDefault(c => c.Variant == variant && c.Tier == tier);

    internal static StudyView Of(int datasetId, string name, string model, StudySummary summary) => new(
        datasetId,
        name,
        model,
        [.. summary.Groups.Select(g => new StudyCondition(g.Variant, g.Tier, g.Traces, StudyRate.Of(g.Compliance), StudyRate.Of(g.AlignmentFaking)))],
        [.. summary.Gaps.Select(g => new StudyGap(g.Variant, StudyRate.Of(g.Free), StudyRate.Of(g.Paid), g.Difference, g.Interval?.Low, g.Interval?.High))]);
}

/// <summary>A trace's stored value for an outcome: yes, no or undetermined, and the raw value that says how it was decided.</summary>
public sealed record StudyLabel(bool? IsPositive, string? Value);

public sealed record StudyTraceRow(int Id, string Title, StudyLabel? Compliance, StudyLabel? AlignmentFaking);

/// <summary>The condition whose traces are listed (the bar the reader picked), and the page of its list.</summary>
public sealed record StudySelection(string Variant, string Tier, int Page);

/// <summary>One page of a condition's traces with the selection it was read for.</summary>
public sealed record StudyTraceListing(int DatasetId, StudySelection Selection, Traces.PagedResult<StudyTraceRow> Result);

internal static class StudyLinks
{
    public static string Overview(int datasetId) => $"/datasets/{datasetId}/study";

    public static string Selection(int datasetId, string variant, string tier, int page = 1) =>
        $"{Overview(datasetId)}?variant={Uri.EscapeDataString(variant)}&tier={Uri.EscapeDataString(tier)}" + (page > 1 ? $"&page={page}" : "");
}
