using System.Globalization;

namespace TraceViewer.Components;

/// <summary>
/// Every colour that carries meaning, in one place. Direction colours mean only "promotes" or "suppresses" an
/// outcome; study colours name the two outcomes of an alignment-faking study; neither is used for anything else
/// (the theme's primary colour is a third hue). CSS reads them as <c>--tv-*</c> variables (see App.razor).
/// </summary>
internal static class ProductColors
{
    /// <summary>Orange: the sentence raises the outcome rate.</summary>
    public static readonly Rgb Promotes = new(234, 118, 0);

    /// <summary>Purple: the sentence lowers the outcome rate.</summary>
    public static readonly Rgb Suppresses = new(124, 58, 237);

    /// <summary>Grey: no direction, or an interval that contains zero.</summary>
    public static readonly Rgb NoDirection = new(140, 140, 140);

    /// <summary>Compliance in study charts (free tier solid, paid tier hatched).</summary>
    public static readonly Rgb Compliance = new(52, 114, 186);

    /// <summary>Alignment faking in study charts, a lighter orange than <see cref="Promotes"/>.</summary>
    public static readonly Rgb AlignmentFaking = new(245, 160, 66);

    /// <summary>
    /// Function tags of the Thought Anchors taxonomy (imported with the sentences), one hue each, none of them a
    /// direction or study colour. Tags outside the taxonomy take <see cref="OtherTags"/> by a stable hash of their name.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Rgb> FunctionTags = new Dictionary<string, Rgb>(StringComparer.Ordinal)
    {
        ["problem_setup"] = new(120, 113, 108),
        ["plan_generation"] = new(2, 132, 199),
        ["fact_retrieval"] = new(22, 163, 74),
        ["active_computation"] = new(190, 24, 93),
        ["uncertainty_management"] = new(101, 163, 13),
        ["result_consolidation"] = new(161, 98, 7),
        ["self_checking"] = new(220, 38, 38),
        ["final_answer_emission"] = new(30, 64, 175),
    };

    /// <summary>
    /// Kinds of alignment-faking reasoning (the built-in "Alignment-faking reasoning" taxonomy), in hotkey order; none is
    /// a direction or study colour.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Rgb> ReasoningTags = new Dictionary<string, Rgb>(StringComparer.Ordinal)
    {
        ["training_objective"] = new(13, 148, 136),
        ["monitoring"] = new(8, 145, 178),
        ["rlhf_modification"] = new(190, 18, 60),
        ["value_conflict"] = new(180, 83, 9),
        ["harm_assessment"] = new(185, 28, 28),
        ["restating_instructions"] = new(71, 85, 105),
        ["strategy_decision"] = new(21, 128, 61),
        ["example_confusion"] = new(219, 39, 119),
        ["drafting_answer"] = new(101, 163, 13),
    };

    public static readonly IReadOnlyList<Rgb> OtherTags = [new(71, 85, 105), new(157, 23, 77), new(21, 128, 61), new(3, 105, 161), new(133, 77, 14), new(100, 116, 139)];

    public static Rgb ForTag(string tag)
    {
        if (FunctionTags.TryGetValue(tag, out var known))
        {
            return known;
        }

        // A hash that is the same in every process, so a tag keeps its colour across restarts.
        var hash = 0u;
        foreach (var c in tag)
        {
            hash = (hash * 31) + c;
        }

        return OtherTags[(int)(hash % (uint)OtherTags.Count)];
    }

    /// <summary>A stored tag colour ("#rrggbb"), or the name's colour when there is none or it does not read.</summary>
    public static Rgb ForTag(string tag, string? colour) => TryParseHex(colour, out var rgb) ? rgb : ForTag(tag);

    public static bool TryParseHex(string? hex, out Rgb rgb)
    {
        rgb = default;
        if (hex is not { Length: 7 } || hex[0] != '#'
            || !byte.TryParse(hex.AsSpan(1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var r)
            || !byte.TryParse(hex.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var g)
            || !byte.TryParse(hex.AsSpan(5, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
        {
            return false;
        }

        rgb = new Rgb(r, g, b);
        return true;
    }

    /// <summary>The variables as a CSS rule; each is an "r, g, b" triplet for <c>rgba(var(--tv-promote), alpha)</c>.</summary>
    public static string CssVariables { get; } = string.Create(CultureInfo.InvariantCulture,
        $":root{{--tv-promote:{Promotes.Triplet};--tv-suppress:{Suppresses.Triplet};--tv-none:{NoDirection.Triplet};" +
        $"--tv-compliance:{Compliance.Triplet};--tv-alignment-faking:{AlignmentFaking.Triplet}}}");

    public readonly record struct Rgb(byte R, byte G, byte B)
    {
        public string Hex => string.Create(CultureInfo.InvariantCulture, $"#{R:X2}{G:X2}{B:X2}");

        public string Triplet => string.Create(CultureInfo.InvariantCulture, $"{R}, {G}, {B}");

        public string Rgba(double alpha) => string.Create(CultureInfo.InvariantCulture, $"rgba({R}, {G}, {B}, {alpha})");
    }
}
