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
                HoverTextArray = [.. bars.Select(r => Hover(r, view.Selection.TopK))],
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

    private static string Hover(KindsRow row, int topK)
    {
        var t = row.Tagged;
        return string.Create(CultureInfo.InvariantCulture,
            $"{ChartText.Escape(row.Tag)}<br>mean signed effect {KindsFormat.Number(t.MeanSigned.Value)} [{KindsFormat.Number(t.MeanSigned.Low)}, {KindsFormat.Number(t.MeanSigned.High)}]"
            + $"<br>untagged {KindsFormat.Number(row.Untagged.MeanSigned.Value)}"
            + $"<br>{t.Sentences} sentences in {t.Traces} traces; {KindsFormat.Percent(t.TopKShare.Value)} of the top {topK}<br>click to list the sentences");
    }
}

/// <summary>How the page writes the numbers.</summary>
internal static class KindsFormat
{
    public const string Undefined = "—";

    public static string Number(double? value) =>
        value is { } v ? v.ToString("+0.000;−0.000;0.000", CultureInfo.InvariantCulture) : Undefined;

    public static string Unsigned(double? value) =>
        value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : Undefined;

    public static string Percent(double? value) =>
        value is { } v ? v.ToString("0%", CultureInfo.InvariantCulture) : Undefined;

    public static string Interval(KindsNumber n, Func<double?, string> format) =>
        n.Low is null || n.High is null ? "" : $"[{format(n.Low)}, {format(n.High)}]";
}
