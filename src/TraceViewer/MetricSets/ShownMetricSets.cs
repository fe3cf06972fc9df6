using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Traces;

namespace TraceViewer.MetricSets;

/// <summary>
/// A stored metric set as far as choosing it goes. Its coverage: <paramref name="ResampleCount"/>, the resamples it rests
/// on, and <paramref name="Positions"/>, the positions with a prefix rate (sentences whose rate it measured).
/// </summary>
internal readonly record struct MetricSetChoice(
    int Id, int TraceId, int OutcomeId, MetricSource Source, double? Threshold, string? EmbeddingModel, DateTimeOffset ComputedAt,
    int ResampleCount, int Positions)
{
    /// <summary>Whether this set covers the trace at least as well as <paramref name="other"/>: as many positions and as many resamples.</summary>
    public bool CoversAtLeast(MetricSetChoice other) => Positions >= other.Positions && ResampleCount >= other.ResampleCount;
}

/// <summary>
/// What a page or endpoint asks for: the source it prefers, a similarity threshold (null: any), and the similarity
/// source, i.e. the embedding model (null: any).
/// </summary>
internal sealed record MetricSetPolicy(MetricSource PreferredSource = MetricSource.Computed, double? Threshold = null, string? SimilaritySource = null)
{
    /// <summary>What every page shows when nothing else is asked for.</summary>
    public static MetricSetPolicy Default { get; } = new();

    /// <summary>Whether <paramref name="set"/> is one this policy may show.</summary>
    public bool Admits(MetricSetChoice set) =>
        (Threshold is not { } wanted || set.Threshold is { } stored && ShownMetricSets.SameThreshold(stored, wanted))
        && (SimilaritySource is null || string.Equals(set.EmbeddingModel, SimilaritySource, StringComparison.Ordinal));
}

/// <summary>
/// The one place that decides which numbers are shown: which stored metric set a page, an endpoint or an export reads
/// for a trace and an outcome, and which way a sentence points in it.
/// <para>
/// The set: among the sets the policy admits (its threshold and similarity source when it names them), the newest of each
/// source by <see cref="MetricSet.ComputedAt"/>, then the larger id. Of the newest computed and the newest imported set,
/// a policy that prefers imported sets takes the imported one; the default policy takes the computed one only when it
/// covers the trace at least as well (<see cref="MetricSetChoice.CoversAtLeast"/>: at least as many positions with a
/// prefix rate and at least as many resamples), so a small job does not replace the source's numbers
/// (docs/decisions/0032). The time is the one the provenance line shows; imports keep the time from their file, so ids alone do
/// not say which set is newest (docs/decisions/0028). SQLite cannot order by a DateTimeOffset, so the choice is made
/// in memory on the small <see cref="MetricSetChoice"/> projection, the same way for both providers.
/// </para>
/// <para>
/// The direction (method.md §5): the counterfactual effect, or the resampling effect where the counterfactual one is
/// missing, not finite or rests on a dissimilar fraction of at most <see cref="MinimumDissimilarFraction"/>; it
/// promotes above <see cref="NoEffectAtOrBelow"/>, suppresses below its negative, and otherwise has no measurable
/// effect.
/// </para>
/// </summary>
internal static class ShownMetricSets
{
    /// <summary>At or below this share of dissimilar resamples the counterfactual effect is not defined.</summary>
    public const double MinimumDissimilarFraction = 0.05;

    /// <summary>An effect whose size is at most this has no measurable effect (grey): only exactly zero.</summary>
    public const double NoEffectAtOrBelow = 0;

    /// <summary>Thresholds typed into a page and stored ones are the same number when this close.</summary>
    public const double ThresholdTolerance = 1e-9;

    public static bool SameThreshold(double a, double b) => Math.Abs(a - b) <= ThresholdTolerance;

    /// <summary>The columns a choice needs, for a database query.</summary>
    public static Expression<Func<MetricSet, MetricSetChoice>> Projection { get; } =
        m => new MetricSetChoice(m.Id, m.TraceId, m.OutcomeId, m.Source, m.Threshold, m.EmbeddingModel, m.ComputedAt,
            m.ResampleCount, m.Values.Count(v => v.Name == MetricNames.PrefixRate));

    /// <summary>The shown set of each trace and outcome among <paramref name="sets"/>.</summary>
    public static async Task<Dictionary<(int TraceId, int OutcomeId), MetricSetChoice>> LoadAsync(
        IQueryable<MetricSet> sets, MetricSetPolicy policy, CancellationToken ct)
    {
        var choices = await sets.AsNoTracking().Select(Projection).ToListAsync(ct);
        return choices.GroupBy(s => (s.TraceId, s.OutcomeId))
            .Select(g => Pick(g, policy))
            .OfType<MetricSetChoice>()
            .ToDictionary(s => (s.TraceId, s.OutcomeId));
    }

    /// <summary>The shown set among <paramref name="sets"/> (of one trace and outcome), or null when the policy admits none.</summary>
    public static MetricSetChoice? Pick(IEnumerable<MetricSetChoice> sets, MetricSetPolicy policy) => Choose(sets, policy).Shown;

    /// <summary>
    /// The shown set among <paramref name="sets"/> (of one trace and outcome) with the newest admitted set of each source,
    /// which the page names when it says why one is shown.
    /// </summary>
    public static ShownChoice Choose(IEnumerable<MetricSetChoice> sets, MetricSetPolicy policy)
    {
        MetricSetChoice? computed = null, imported = null;
        foreach (var set in sets.Where(policy.Admits))
        {
            if (set.Source == MetricSource.Computed)
            {
                computed = computed is { } c && !Newer(set, c) ? c : set;
            }
            else
            {
                imported = imported is { } i && !Newer(set, i) ? i : set;
            }
        }

        var shown = (computed, imported) switch
        {
            ({ } c, { } i) => policy.PreferredSource == MetricSource.Imported || !c.CoversAtLeast(i) ? i : c,
            ({ } c, null) => c,
            (null, { } i) => i,
            _ => (MetricSetChoice?)null,
        };
        return new ShownChoice(shown, computed, imported);
    }

    /// <summary>The shown set of each trace among <paramref name="sets"/> (all of one outcome), by trace id.</summary>
    public static Dictionary<int, MetricSetChoice> PerTrace(IEnumerable<MetricSetChoice> sets, MetricSetPolicy? policy = null) =>
        sets.GroupBy(s => s.TraceId)
            .Select(g => Pick(g, policy ?? MetricSetPolicy.Default))
            .OfType<MetricSetChoice>()
            .ToDictionary(s => s.TraceId);

    /// <summary>Of two sets of the same source, whether <paramref name="a"/> is the newer: later computed, then the larger id.</summary>
    public static bool Newer(MetricSetChoice a, MetricSetChoice b)
    {
        var byTime = a.ComputedAt.CompareTo(b.ComputedAt);
        return byTime != 0 ? byTime > 0 : a.Id > b.Id;
    }

    /// <summary>
    /// The direction and importance of one sentence from its stored numbers: the counterfactual effect, or the
    /// resampling effect when the counterfactual one is missing or rests on too few dissimilar resamples. Both effects
    /// are in TraceViewer's sign.
    /// </summary>
    public static SentenceInfluence Influence(double? counterfactualEffect, double? resamplingEffect, double? dissimilarFraction)
    {
        var counterfactualDefined = counterfactualEffect is { } c && double.IsFinite(c)
            && dissimilarFraction is not (<= MinimumDissimilarFraction);
        var effect = counterfactualDefined ? counterfactualEffect : resamplingEffect;
        if (effect is not { } value || !double.IsFinite(value))
        {
            return new SentenceInfluence(Direction.None, 0, Fallback: false, Effect: null);
        }

        return new SentenceInfluence(DirectionOf(value), Math.Abs(value), Fallback: !counterfactualDefined, value);
    }

    /// <summary>Which way a signed effect points: promotes, suppresses, or no measurable effect.</summary>
    public static Direction DirectionOf(double? effect) =>
        effect is not { } v || !double.IsFinite(v) || Math.Abs(v) <= NoEffectAtOrBelow ? Direction.None
        : v > 0 ? Direction.Promotes
        : Direction.Suppresses;

    /// <summary>The largest importance over sentences, each read as <see cref="Influence"/> reads it; null when none has one.</summary>
    public static double? MaxImportance(IEnumerable<(int Index, string Name, double Value)> values)
    {
        double? max = null;
        foreach (var sentence in values.GroupBy(v => v.Index))
        {
            double? counterfactual = null, resampling = null, dissimilar = null;
            foreach (var (_, name, value) in sentence)
            {
                switch (name)
                {
                    case MetricNames.CounterfactualEffect: counterfactual = value; break;
                    case MetricNames.ResamplingEffect: resampling = value; break;
                    case MetricNames.DissimilarFraction: dissimilar = value; break;
                }
            }

            if (Influence(counterfactual, resampling, dissimilar) is { Effect: not null } influence)
            {
                max = Math.Max(max ?? 0, influence.Importance);
            }
        }

        return max;
    }
}

/// <summary>The shown set and the newest admitted set of each source it was chosen from.</summary>
internal readonly record struct ShownChoice(MetricSetChoice? Shown, MetricSetChoice? Computed, MetricSetChoice? Imported)
{
    /// <summary>
    /// Why <see cref="Shown"/> is shown, in a sentence for the page: the coverage of both sets when both exist. Null when
    /// only one set exists.
    /// </summary>
    public string? Reason(MetricSource preferred = MetricSource.Computed)
    {
        if (Shown is not { } shown || Computed is not { } computed || Imported is not { } imported)
        {
            return null;
        }

        if (preferred == MetricSource.Imported)
        {
            return $"Imported values shown as asked; a computed set rests on {Coverage(computed)}.";
        }

        return shown.Source == MetricSource.Computed
            ? $"Computed set shown: it rests on {Coverage(computed)}, at least the imported set's {Coverage(imported)}."
            : $"Imported values shown: the computed set rests on {Coverage(computed)}, less than the imported set's {Coverage(imported)}.";
    }

    public static string Coverage(MetricSetChoice set) =>
        $"{Count(set.ResampleCount, "resample")} over {Count(set.Positions, "position")}";

    private static string Count(int n, string noun) =>
        n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " " + noun + (n == 1 ? "" : "s");
}
