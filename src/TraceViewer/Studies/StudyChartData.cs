using System.Globalization;
using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.BarLib;
using Plotly.Blazor.Traces.BarLib.MarkerLib;
using TraceViewer.Components;
using TraceViewer.Components.Charts;
using PlotlyLayout = Plotly.Blazor.Layout;

namespace TraceViewer.Studies;

/// <summary>One group of bars: an outcome in one tier, one bar per prompt variant.</summary>
internal sealed record StudySeries(string Outcome, string Tier);

/// <summary>
/// The study chart as Plotly.Blazor bars, the way the alignment-faking post draws its Figure 4: compliance blue,
/// alignment faking orange (the study colours, never the direction colours), free tier solid, paid tier hatched,
/// Wilson 95% error bars. Bars are grouped by prompt variant; with a condition selected, the other bars fade.
/// </summary>
internal static class StudyChartData
{
    public const string Compliance = "Compliance";
    public const string AlignmentFaking = "Alignment faking";

    public static (IList<ITrace> Data, IReadOnlyList<StudySeries> Series) Build(StudyView study, StudySelection? selected, bool dark)
    {
        var variants = study.Variants;
        var data = new List<ITrace>();
        var series = new List<StudySeries>();
        foreach (var (outcome, colour, rate) in new (string, ProductColors.Rgb, Func<StudyCondition, StudyRate>)[]
                 {
                     (Compliance, ProductColors.Compliance, c => c.Compliance),
                     (AlignmentFaking, ProductColors.AlignmentFaking, c => c.AlignmentFaking),
                 })
        {
            foreach (var tier in study.Tiers)
            {
                var rates = variants.Select(v => study.Find(v, tier) is { } c ? rate(c) : null).ToList();
                var isSelected = variants.Select(v => selected is not null && selected.Variant == v && selected.Tier == tier).ToList();
                data.Add(new Bar
                {
                    Name = ChartText.Escape($"{outcome}, {tier} tier"),
                    X = [.. variants.Select(v => (object)ChartText.Escape(v))],
                    Y = [.. rates.Select(r => (object?)r?.Rate ?? null!)],
                    ErrorY = new ErrorY
                    {
                        Type = Plotly.Blazor.Traces.BarLib.ErrorYLib.TypeEnum.Data,
                        Symmetric = false,
                        Visible = true,
                        Array = [.. rates.Select(r => (object)(r?.Rate is { } p ? r.High - p : 0))],
                        ArrayMinus = [.. rates.Select(r => (object)(r?.Rate is { } p ? p - r.Low : 0))],
                        Color = dark ? "rgba(255, 255, 255, 0.8)" : "rgba(0, 0, 0, 0.7)",
                        Thickness = 1.5m,
                        Width = 4,
                    },
                    Marker = Marker(colour, tier, dark),
                    // With a selection, the other bars fade; the legend keeps every series' own look.
                    SelectedPoints = selected is null ? null : isSelected.Select((s, i) => (s, i)).Where(p => p.s).Select(p => (object)p.i).ToList(),
                    Selected = new Plotly.Blazor.Traces.BarLib.Selected { Marker = new Plotly.Blazor.Traces.BarLib.SelectedLib.Marker { Opacity = 1 } },
                    Unselected = new Plotly.Blazor.Traces.BarLib.Unselected { Marker = new Plotly.Blazor.Traces.BarLib.UnselectedLib.Marker { Opacity = 0.35m } },
                    HoverTextArray = [.. variants.Select((v, i) => Hover(outcome, v, tier, rates[i]))],
                    HoverInfo = HoverInfoFlag.Text,
                });
                series.Add(new StudySeries(outcome, tier));
            }
        }

        return (data, series);
    }

    public static PlotlyLayout Layout() => new()
    {
        BarMode = BarModeEnum.Group,
        BarGap = 0.08m,
        BarGroupGap = 0.22m,
        HoverMode = HoverModeEnum.Closest,
        // Category labels: variant names that look like numbers must not become a numeric axis.
        XAxis = [new XAxis { Type = Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Category, ShowGrid = false, FixedRange = true, AutoMargin = Plotly.Blazor.LayoutLib.XAxisLib.AutoMarginFlag.True }],
        YAxis = [new YAxis { Range = [0, 1.05], TickFormat = ".0%", FixedRange = true, Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = "share of traces" } }],
        Legend = [new Legend { Orientation = Plotly.Blazor.LayoutLib.LegendLib.OrientationEnum.H, X = 0, Y = 1.02m, YAnchor = Plotly.Blazor.LayoutLib.LegendLib.YAnchorEnum.Bottom }],
        Margin = new Margin { L = 56, R = 12, T = 56, B = 40 },
    };

    /// <summary>Free tier solid, paid tier hatched in the same colour.</summary>
    private static Marker Marker(ProductColors.Rgb colour, string tier, bool dark) => new()
    {
        Color = tier == StudyStatistics.Free ? colour.Hex : colour.Rgba(dark ? 0.2 : 0.12),
        Pattern = tier == StudyStatistics.Free
            ? null
            : new Pattern
            {
                Shape = tier == StudyStatistics.Paid ? Plotly.Blazor.Traces.BarLib.MarkerLib.PatternLib.ShapeEnum.Slash : Plotly.Blazor.Traces.BarLib.MarkerLib.PatternLib.ShapeEnum.Dot,
                FgColor = colour.Hex,
                BgColor = colour.Rgba(dark ? 0.2 : 0.12),
                FillMode = Plotly.Blazor.Traces.BarLib.MarkerLib.PatternLib.FillModeEnum.Replace,
                Size = 8,
                Solidity = 0.35m,
            },
        Line = new Line { Color = colour.Hex, Width = 1.5m },
    };

    private static string Hover(string outcome, string variant, string tier, StudyRate? rate)
    {
        var head = ChartText.Escape($"{variant} · {tier} tier");
        if (rate?.Rate is not { } p)
        {
            return $"{head}<br>{outcome}: no determined traces";
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"{head}<br>{outcome}: {p:0.0%} ({rate.Positives} of {rate.Determined})<br>95% interval {rate.Low:0.0%} to {rate.High:0.0%}");
    }
}
