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
