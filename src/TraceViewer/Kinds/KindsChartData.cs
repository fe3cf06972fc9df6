using System.Globalization;
using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.BarLib;
using TraceViewer.Components;
using TraceViewer.Components.Charts;
using PlotlyLayout = Plotly.Blazor.Layout;

namespace TraceViewer.Kinds;

/// <summary>
/// One horizontal bar per tag: the mean signed effect of its sentences with the 95% bootstrap interval over traces
/// as error bars. Orange promotes the outcome, purple suppresses it (the direction colours); a bar whose interval
/// contains zero is drawn pale. Tags whose mean is undefined (no sentence carries them) have no bar.
/// </summary>
internal static class KindsChartData
{
    public static (IList<ITrace> Data, IReadOnlyList<KindsRow> Bars) Build(KindsView view, string? openTag, bool dark)
    {
        var bars = view.Rows.Where(r => r.Tagged.MeanSigned.Value is not null).ToList();
        var values = bars.Select(r => r.Tagged.MeanSigned).ToList();
        var format = KindsFormat.For(view);
        var data = new List<ITrace>
        {
            new Bar
            {
                Name = "mean signed effect",
                Orientation = OrientationEnum.H,
                Y = [.. bars.Select(r => (object)ChartText.Escape(r.Tag))],
                X = [.. values.Select(v => (object)v.Value!.Value)],
                ErrorX = new ErrorX
                {
                    Type = Plotly.Blazor.Traces.BarLib.ErrorXLib.TypeEnum.Data,
                    Symmetric = false,
                    Visible = true,
                    Array = [.. values.Select(v => (object)(v.High is { } high ? high - v.Value!.Value : 0))],
                    ArrayMinus = [.. values.Select(v => (object)(v.Low is { } low ? v.Value!.Value - low : 0))],
                    Color = dark ? "rgba(255, 255, 255, 0.8)" : "rgba(0, 0, 0, 0.7)",
                    Thickness = 1.5m,
                    Width = 4,
                },
                Marker = new Marker
                {
                    ColorArray = [.. bars.Select(r => (object)Colour(r.Tagged.MeanSigned, dark))],
                    Line = new Plotly.Blazor.Traces.BarLib.MarkerLib.Line
                    {
                        ColorArray = [.. bars.Select(r => (object)(r.Tag == openTag ? (dark ? "#ffffff" : "#1f2328") : DirectionOf(r.Tagged.MeanSigned).Hex))],
                        WidthArray = [.. bars.Select(r => (decimal?)(r.Tag == openTag ? 3m : 1m))],
                    },
                },
                HoverTextArray = [.. bars.Select(r => Hover(r, view.Selection.TopK, format))],
                HoverInfo = HoverInfoFlag.Text,
            },
        };
        return (data, bars);
    }

    public static PlotlyLayout Layout(int bars) => new()
    {
        HoverMode = HoverModeEnum.Closest,
        ShowLegend = false,
        // No tick format: Plotly picks the step and its decimals, so small effects get distinct labels. A short title,
        // so it fits under the plot beside long tag names on a phone.
        XAxis = [new XAxis
        {
            FixedRange = true, ZeroLine = true, ZeroLineWidth = 2,
            Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = "signed effect, 95% CI" },
        }],
        // Categories top to bottom in the table's order; tag names that look like numbers stay names.
        YAxis = [new YAxis
        {
            Type = Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Category, AutoRange = Plotly.Blazor.LayoutLib.YAxisLib.AutoRangeEnum.Reversed,
            FixedRange = true, ShowGrid = false, AutoMargin = Plotly.Blazor.LayoutLib.YAxisLib.AutoMarginFlag.True,
        }],
        Margin = new Margin { L = 8, R = 16, T = 8, B = 48 },
        BarGap = bars > 6 ? 0.25m : 0.4m,
    };

    /// <summary>Height that gives every bar room for its label.</summary>
    public static string Height(int bars) => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(200, 70 + (30 * bars))}px");

    public static ProductColors.Rgb DirectionOf(KindsNumber value) => value.Value switch
    {
        > 0 => ProductColors.Promotes,
        < 0 => ProductColors.Suppresses,
        _ => ProductColors.NoDirection,
    };

    /// <summary>Saturated when the interval lies on one side of zero; pale when it contains zero.</summary>
    public static string Colour(KindsNumber value, bool dark) =>
        value.ExcludesZero ? DirectionOf(value).Hex : DirectionOf(value).Rgba(dark ? 0.45 : 0.35);

    /// <summary>A bar's hover text, its numbers written as the table writes them.</summary>
    private static string Hover(KindsRow row, int topK, KindsFormat format)
    {
        var t = row.Tagged;
        return string.Create(CultureInfo.InvariantCulture,
            $"{ChartText.Escape(row.Tag)}<br>mean signed effect {format.Number(t.MeanSigned.Value)} [{format.Number(t.MeanSigned.Low)}, {format.Number(t.MeanSigned.High)}]"
            + $"<br>untagged {format.Number(row.Untagged.MeanSigned.Value)}"
            + $"<br>{t.Sentences} sentences in {t.Traces} traces; {KindsFormat.Percent(t.TopKShare.Value)} of the top {topK}<br>click to list the sentences");
    }
}

/// <summary>
/// How the page writes the numbers. Effects get the decimals the values shown need, as the chart's ticks do: at least
/// three, enough for two significant digits of the largest value, and then more (up to four significant digits of the
/// largest) until the different values of each column read differently. Effects of a few thousandths (the sample MATH
/// problem) then read +0.0042 and +0.0017 instead of +0.004 and +0.002, and ten-thousandths no longer all read 0.000.
/// </summary>
internal sealed class KindsFormat
{
    public const string Undefined = "—";

    private const int LeastDecimals = 3;

    private const int MostDecimals = 15;

    private readonly string _signed;
    private readonly string _unsigned;

    private KindsFormat(int decimals)
    {
        Decimals = decimals;
        _unsigned = "0." + new string('0', decimals);
        // A value that rounds to zero takes the third section: "0.000", never "+0.000" or "−0.000".
        _signed = $"+{_unsigned};−{_unsigned};{_unsigned}";
    }

    /// <summary>Decimals of every effect written with this format.</summary>
    public int Decimals { get; }

    /// <summary>Three decimals: effects of a tenth or more.</summary>
    public static KindsFormat Default { get; } = new(LeastDecimals);

    /// <summary>
    /// The format for <paramref name="values"/> (every effect shown, intervals included, which sets the scale), with
    /// the values of each of <paramref name="columns"/> told apart where four significant digits of the largest can.
    /// </summary>
    public static KindsFormat For(IEnumerable<double?> values, params IEnumerable<double?>[] columns)
    {
        var largest = values.Select(v => v is { } x && double.IsFinite(x) ? Math.Abs(x) : 0).DefaultIfEmpty(0).Max();
        if (largest == 0)
        {
            return Default;
        }

        // 0.0042 has magnitude -3: two significant digits need 4 decimals, four need 6.
        var magnitude = (int)Math.Floor(Math.Log10(largest));
        var decimals = Math.Clamp(1 - magnitude, LeastDecimals, MostDecimals);
        var most = Math.Clamp(3 - magnitude, decimals, MostDecimals);
        var format = new KindsFormat(decimals);
        while (format.Decimals < most && !columns.All(format.TellsApart))
        {
            format = new KindsFormat(format.Decimals + 1);
        }

        return format;
    }

    /// <summary>The format of the kinds table and the chart's hover text: every effect of every row.</summary>
    public static KindsFormat For(KindsView view)
    {
        var rows = view.Rows;
        var numbers = rows.SelectMany(r => new[] { r.Tagged.MeanSigned, r.Tagged.MeanAbsolute, r.Untagged.MeanSigned, r.Untagged.MeanAbsolute, r.AbsoluteDifference });
        return For(
            numbers.SelectMany(n => new[] { n.Value, n.Low, n.High }),
            rows.Select(r => r.Tagged.MeanSigned.Value),
            rows.Select(r => r.Tagged.MeanAbsolute.Value),
            rows.Select(r => r.Untagged.MeanSigned.Value),
            rows.Select(r => r.Untagged.MeanAbsolute.Value),
            rows.Select(r => r.AbsoluteDifference.Value));
    }

    /// <summary>The format of an opened tag's list of sentences: their effects.</summary>
    public static KindsFormat For(KindsSentences sentences)
    {
        var effects = sentences.Sentences.Select(s => (double?)s.Effect).ToList();
        return For(effects, effects);
    }

    /// <summary>A signed effect: "+0.0042", "−0.0017", "0.0000" for zero.</summary>
    public string Number(double? value) =>
        value is { } v ? v.ToString(_signed, CultureInfo.InvariantCulture) : Undefined;

    /// <summary>The sign as written: 0 for a value written as zero ("0.0000"), which shows no direction.</summary>
    public int WrittenSign(double? value) =>
        value is { } v && double.IsFinite(v) && !string.Equals(Number(v), _unsigned, StringComparison.Ordinal) ? Math.Sign(v) : 0;

    /// <summary>A size of effect (an absolute value), without a sign.</summary>
    public string Unsigned(double? value) =>
        value is { } v ? v.ToString(_unsigned, CultureInfo.InvariantCulture) : Undefined;

    public static string Percent(double? value) =>
        value is { } v ? v.ToString("0%", CultureInfo.InvariantCulture) : Undefined;

    public static string Interval(KindsNumber n, Func<double?, string> format) =>
        n.Low is null || n.High is null ? "" : $"[{format(n.Low)}, {format(n.High)}]";

    /// <summary>Different values of <paramref name="column"/> are written differently.</summary>
    private bool TellsApart(IEnumerable<double?> column)
    {
        var distinct = column.OfType<double>().Where(double.IsFinite).Distinct().ToList();
        return distinct.Select(v => Number(v)).Distinct(StringComparer.Ordinal).Count() == distinct.Count;
    }
}
