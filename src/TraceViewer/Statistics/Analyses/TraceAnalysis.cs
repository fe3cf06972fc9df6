using System.Text.Json.Serialization;

namespace TraceViewer.Statistics.Analyses;

/// <summary>One sentence's effect on an outcome (the counterfactual effect or its fallback, TraceViewer's sign).</summary>
public readonly record struct IndexedEffect(int Index, double Effect);

/// <summary>The sentence effects of one outcome in one trace, as the trace page shows them.</summary>
public sealed record OutcomeEffects(string Outcome, IReadOnlyList<IndexedEffect> Effects);

/// <summary>
/// The post's two analyses of one trace: are the alignment-faking and compliance decisions moved by the same
/// sentences (<see cref="Pairs"/> and their <see cref="Correlation"/>, null unless the trace has effects for both
/// outcomes), and do a few sentences carry most of each outcome's effect (<see cref="Concentration"/>, one per outcome).
/// </summary>
public sealed record TraceAnalysis(
    IReadOnlyList<EffectPair> Pairs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] EffectCorrelation? Correlation,
    IReadOnlyList<EffectConcentration> Concentration)
{
    public bool HasBothOutcomes => Correlation is not null;

    public EffectConcentration? ConcentrationOf(string outcome) => Concentration.FirstOrDefault(c => c.Outcome == outcome);

    /// <summary>
    /// Analyses <paramref name="outcomes"/>; the pairs are the sentences with a finite effect on both
    /// <paramref name="alignmentFaking"/> and <paramref name="compliance"/>, in sentence order. Non-finite effects are
    /// left out (they are not defined), and so is a repeated index after its first value.
    /// </summary>
    public static TraceAnalysis Of(IEnumerable<OutcomeEffects> outcomes, string alignmentFaking, string compliance)
    {
        var byOutcome = new Dictionary<string, SortedDictionary<int, double>>(StringComparer.Ordinal);
        foreach (var outcome in outcomes)
        {
            if (byOutcome.ContainsKey(outcome.Outcome))
            {
                continue;
            }

            var effects = new SortedDictionary<int, double>();
            foreach (var e in outcome.Effects)
            {
                if (double.IsFinite(e.Effect))
                {
                    effects.TryAdd(e.Index, e.Effect);
                }
            }

            byOutcome[outcome.Outcome] = effects;
        }

        var concentration = byOutcome.Select(o => EffectConcentration.Of(o.Key, o.Value.Values)).ToList();
        if (!byOutcome.TryGetValue(alignmentFaking, out var af) || !byOutcome.TryGetValue(compliance, out var comply))
        {
            return new TraceAnalysis([], null, concentration);
        }

        var pairs = af.Where(a => comply.ContainsKey(a.Key)).Select(a => new EffectPair(a.Key, a.Value, comply[a.Key])).ToList();
        return new TraceAnalysis(pairs, EffectCorrelation.Of(pairs), concentration);
    }
}
