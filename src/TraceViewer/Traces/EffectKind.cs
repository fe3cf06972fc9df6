namespace TraceViewer.Traces;

/// <summary>Which per-sentence number tints the sentences and colours the curve.</summary>
public enum EffectKind
{
    /// <summary>Counterfactual effect, or the resampling effect where it falls back (method.md §5).</summary>
    Counterfactual,

    Resampling,

    /// <summary>Counterfactual KL (resampling KL on fallback) as strength; KL has no sign, so the colour stays the counterfactual direction.</summary>
    Kl,
}

/// <summary>How one sentence is drawn for the selected effect: colour, tint strength (unscaled) and whether its interval contains 0.</summary>
public sealed record ShownEffect(Direction Direction, double Strength, Estimate? Effect, bool NeedsMoreSamples);

internal static class EffectKinds
{
    public static EffectKind Parse(string? value) => value?.ToLowerInvariant() switch
    {
        "resampling" => EffectKind.Resampling,
        "kl" => EffectKind.Kl,
        _ => EffectKind.Counterfactual,
    };

    public static string QueryValue(this EffectKind kind) => kind switch
    {
        EffectKind.Resampling => "resampling",
        EffectKind.Kl => "kl",
        _ => "counterfactual",
    };

    public static string Label(this EffectKind kind) => kind switch
    {
        EffectKind.Resampling => "Resampling effect",
        EffectKind.Kl => "KL divergence",
        _ => "Counterfactual effect",
    };

    public static ShownEffect Shown(this SentenceEffects? effects, EffectKind kind)
    {
        if (effects is null)
        {
            return new ShownEffect(Direction.None, 0, null, false);
        }

        // The effect behind the direction: the counterfactual one unless the sentence falls back.
        var directional = effects.Fallback ? effects.ResamplingEffect : effects.CounterfactualEffect;
        return kind switch
        {
            EffectKind.Resampling => new ShownEffect(
                MetricSets.ShownMetricSets.DirectionOf(effects.ResamplingEffect?.Value), Math.Abs(effects.ResamplingEffect?.Value ?? 0), effects.ResamplingEffect, IntervalContainsZero(effects.ResamplingEffect)),
            EffectKind.Kl => new ShownEffect(
                effects.Direction, Math.Abs((effects.Fallback ? effects.ResamplingKl : effects.CounterfactualKl) ?? 0), directional, IntervalContainsZero(directional)),
            _ => new ShownEffect(effects.Direction, effects.Importance, directional, IntervalContainsZero(directional)),
        };
    }

    /// <summary>Only a known interval can say so; imported values without counts are never greyed.</summary>
    public static bool IntervalContainsZero(Estimate? effect) =>
        effect is { Low: { } low, High: { } high } && low <= 0 && high >= 0;
}
