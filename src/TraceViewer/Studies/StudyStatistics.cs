using TraceViewer.Statistics;

namespace TraceViewer.Studies;

/// <summary>One base trace of a study: its prompt variant, tier and labels (null = undetermined).</summary>
internal sealed record StudyObservation(int TraceId, string Variant, string Tier, bool? Compliant, bool? AlignmentFaking);

/// <summary>A rate over the determined traces of a group, with its Wilson 95% interval.</summary>
internal sealed record RateCell(int Positives, int Determined, int Undetermined)
{
    public double? Rate => Determined == 0 ? null : (double)Positives / Determined;

    public Interval Interval => Wilson.Interval(Positives, Determined);

    public static RateCell Of(IEnumerable<bool?> labels)
    {
        int positives = 0, determined = 0, undetermined = 0;
        foreach (var label in labels)
        {
            if (label is null)
            {
                undetermined++;
            }
            else
            {
                determined++;
                positives += label.Value ? 1 : 0;
            }
        }

        return new RateCell(positives, determined, undetermined);
    }
}

internal sealed record StudyGroup(string Variant, string Tier, int Traces, RateCell Compliance, RateCell AlignmentFaking);

/// <summary>Free-tier minus paid-tier compliance for one prompt variant, with Newcombe's 95% interval.</summary>
internal sealed record ComplianceGap(string Variant, RateCell Free, RateCell Paid)
{
    public double? Difference => Free.Rate - Paid.Rate;

    public Interval? Interval => Free.Determined == 0 || Paid.Determined == 0
        ? null
        : Newcombe.DifferenceInterval(new Proportion(Free.Positives, Free.Determined), new Proportion(Paid.Positives, Paid.Determined));
}

internal sealed record StudySummary(IReadOnlyList<StudyGroup> Groups, IReadOnlyList<ComplianceGap> Gaps);

/// <summary>Headline rates of an alignment-faking study, grouped the way the literature reports them (method.md §7).</summary>
internal static class StudyStatistics
{
    public const string Free = "free";
    public const string Paid = "paid";

    /// <summary>Traces without a prompt variant are grouped under this name.</summary>
    public const string DefaultVariant = "default";

    /// <summary>A dataset has a study when its base traces fall in at least this many conditions (variant and tier).</summary>
    public const int MinConditions = 2;

    public static StudySummary Summarize(IEnumerable<StudyObservation> observations)
    {
        var groups = observations
            .GroupBy(o => (o.Variant, o.Tier))
            .Select(g => new StudyGroup(
                g.Key.Variant,
                g.Key.Tier,
                g.Count(),
                RateCell.Of(g.Select(o => o.Compliant)),
                RateCell.Of(g.Select(o => o.AlignmentFaking))))
            .OrderBy(g => g.Variant, StringComparer.Ordinal)
            .ThenBy(g => TierOrder(g.Tier))
            .ThenBy(g => g.Tier, StringComparer.Ordinal)
            .ToList();

        var gaps = groups
            .GroupBy(g => g.Variant)
            .Select(v => (Free: v.FirstOrDefault(g => g.Tier == Free), Paid: v.FirstOrDefault(g => g.Tier == Paid), Variant: v.Key))
            .Where(v => v.Free is not null && v.Paid is not null)
            .Select(v => new ComplianceGap(v.Variant, v.Free!.Compliance, v.Paid!.Compliance))
            .ToList();

        return new StudySummary(groups, gaps);
    }

    private static int TierOrder(string tier) => tier switch
    {
        Free => 0,
        Paid => 1,
        _ => 2,
    };
}
