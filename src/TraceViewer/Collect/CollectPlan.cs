using TraceViewer.Judging;
using TraceViewer.Text;

namespace TraceViewer.Collect;

/// <summary>
/// One base query of a collect run: prompt variant, tier, AdvBench row and sample number, with the messages to
/// send. <see cref="Key"/> is stable across runs of the same plan, so a worker that restarts can tell done
/// from missing.
/// </summary>
internal sealed record CollectQuery(
    string Variant,
    string Tier,
    int RowIndex,
    int Sample,
    string Goal,
    string SystemPrompt,
    string SystemPromptHash,
    string UserTurn)
{
    /// <summary><c>collect/{variant, URI-escaped}/{tier}/{row}/{sample}</c>.</summary>
    public string Key => KeyOf(Variant, Tier, RowIndex, Sample);

    public static string KeyOf(string variant, string tier, int rowIndex, int sample) =>
        $"collect/{Uri.EscapeDataString(variant)}/{tier}/{rowIndex}/{sample}";
}

/// <summary>
/// The queries of a collect run (issue 4, "Collect"): chosen AdvBench rows x tiers x prompt variants x samples.
/// Ordered by variant name, then tier as given, row, sample.
/// </summary>
internal sealed record CollectPlan(
    string Selection,
    IReadOnlyList<int> RowIndices,
    IReadOnlyList<string> Tiers,
    IReadOnlyList<string> Variants,
    int SamplesPerQuery,
    IReadOnlyList<CollectQuery> Queries)
{
    public static readonly IReadOnlyList<string> BothTiers = [TierParser.Free, TierParser.Paid];

    /// <param name="rows">AdvBench rows, as read by <see cref="AdvBenchReader"/>.</param>
    /// <param name="selection">Which rows: first n or a seeded sample.</param>
    /// <param name="tiers"><see cref="TierParser.Free"/> and/or <see cref="TierParser.Paid"/>.</param>
    /// <param name="variants">Prompt variant name to system prompt text.</param>
    /// <param name="samplesPerQuery">Responses drawn per (variant, tier, row).</param>
    /// <param name="complianceTags">Ask for the compliance markers in the user turn (<see cref="CollectUserTurn"/>).</param>
    public static CollectPlan Create(
        IReadOnlyList<AdvBenchRow> rows,
        AdvBenchSelection selection,
        IReadOnlyList<string> tiers,
        IReadOnlyDictionary<string, string> variants,
        int samplesPerQuery = 1,
        bool complianceTags = true)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(tiers);
        ArgumentNullException.ThrowIfNull(variants);
        if (tiers.Count == 0)
        {
            throw new ArgumentException("Choose at least one tier.", nameof(tiers));
        }

        foreach (var tier in tiers)
        {
            if (tier is not (TierParser.Free or TierParser.Paid))
            {
                throw new ArgumentException($"Unknown tier \"{tier}\"; expected {TierParser.Free} or {TierParser.Paid}.", nameof(tiers));
            }
        }

        if (tiers.Distinct(StringComparer.Ordinal).Count() != tiers.Count)
        {
            throw new ArgumentException("A tier is listed twice.", nameof(tiers));
        }

        if (variants.Count == 0)
        {
            throw new ArgumentException("Choose at least one prompt variant.", nameof(variants));
        }

        foreach (var (name, prompt) in variants)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("A prompt variant has no name.", nameof(variants));
            }

            if (string.IsNullOrWhiteSpace(prompt))
            {
                throw new ArgumentException($"The prompt variant \"{name}\" has an empty system prompt.", nameof(variants));
            }
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerQuery, 1);

        var chosen = selection.Pick(rows);
        var names = variants.Keys.Order(StringComparer.Ordinal).ToList();
        var queries = new List<CollectQuery>(names.Count * tiers.Count * chosen.Count * samplesPerQuery);
        foreach (var name in names)
        {
            var system = variants[name];
            var hash = PromptHash.Of(system);
            foreach (var tier in tiers)
            {
                foreach (var row in chosen)
                {
                    var user = CollectUserTurn.Format(tier, row.Goal, complianceTags);
                    for (var sample = 0; sample < samplesPerQuery; sample++)
                    {
                        queries.Add(new CollectQuery(name, tier, row.Index, sample, row.Goal, system, hash, user));
                    }
                }
            }
        }

        return new CollectPlan(selection.Describe(rows.Count), chosen.Select(r => r.Index).ToList(), tiers.ToList(), names, samplesPerQuery, queries);
    }
}
