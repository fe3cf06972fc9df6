using System.Globalization;
using Plotly.Blazor;
using Plotly.Blazor.Traces.ScatterLib;
using TraceViewer.Components.Charts;
using TraceViewer.Statistics.Analyses;
using TraceViewer.Traces;
using PlotlyLayout = Plotly.Blazor.Layout;

namespace TraceViewer.Analyses;

/// <summary>One column of a strip plot: a number each trace may have (null: undefined for that trace).</summary>
internal sealed record StripColumn(string Label, Func<TracePoint, double?> Value, Func<ConditionAnalysis, double?> Median);

/// <summary>
/// Strip plots of a study's trace analyses: one column per number, in it one strip per condition (prompt variant
/// colour, free tier filled, paid tier open), one point per trace at a small fixed offset so equal values stay
/// apart, and each strip's median as a dash. <see cref="Built.TraceIds"/> maps a clicked point to its trace.
/// </summary>
internal static class StudyStripData
{
    private static readonly string[] VariantColours = ["#3472ba", "#0f766e", "#b45309", "#9d174d", "#4d7c0f", "#475569"];

    public sealed record Built(IList<ITrace> Data, IReadOnlyList<IReadOnlyList<int>> TraceIds, PlotlyLayout Layout);

    /// <summary>The study page's strips of the concentration of each outcome's effect (share carried by the top 1, 2 and 5 sentences).</summary>
    public static Built Concentration(StudyAnalysesView view, bool dark) =>
        Build(view.Conditions, ConcentrationColumns(view.Outcomes), 0, 1.05, "share of total effect", percent: true, dark);

    /// <summary>The study page's strips of the correlation of a trace's alignment-faking and compliance effects.</summary>
    public static Built Correlation(StudyAnalysesView view, bool dark) =>
        Build(view.Conditions, CorrelationColumns, -1.05, 1.05, "correlation", percent: false, dark);

    public static IReadOnlyList<StripColumn> ConcentrationColumns(IReadOnlyList<OutcomeRef> outcomes) =>
    [
        .. outcomes.SelectMany(o => EffectConcentration.Ks.Select(k => new StripColumn(
            $"{Short(o)}<br>top {k}",
            p => p.Concentration.FirstOrDefault(c => c.Outcome == o.Key)?.ShareOf(k),
            c => c.MedianConcentration.FirstOrDefault(m => m.Outcome == o.Key && m.K == k)?.Median))),
    ];

    public static IReadOnlyList<StripColumn> CorrelationColumns { get; } =
    [
        new("Pearson r", p => p.Correlation?.Pearson, c => c.MedianPearson),
        new("Spearman ρ", p => p.Correlation?.Spearman, c => c.MedianSpearman),
    ];

    public static Built Build(IReadOnlyList<ConditionAnalysis> conditions, IReadOnlyList<StripColumn> columns, double low, double high, string axis, bool percent, bool dark)
    {
        var variants = conditions.Select(c => c.Variant).Distinct().ToList();
        var data = new List<ITrace>();
        var ids = new List<IReadOnlyList<int>>();
        var width = conditions.Count <= 1 ? 0 : 0.6 / conditions.Count;
        for (var ci = 0; ci < conditions.Count; ci++)
        {
            var condition = conditions[ci];
            var colour = VariantColours[variants.IndexOf(condition.Variant) % VariantColours.Length];
            var offset = (ci - (conditions.Count - 1) / 2.0) * width;
            var xs = new List<object>();
            var ys = new List<object>();
            var texts = new List<string>();
            var traceIds = new List<int>();
            var medianX = new List<object>();
            var medianY = new List<object>();
            for (var col = 0; col < columns.Count; col++)
            {
                for (var i = 0; i < condition.Traces.Count; i++)
                {
                    var point = condition.Traces[i];
                    if (columns[col].Value(point) is not { } value)
                    {
                        continue;
                    }

                    xs.Add(col + offset + Jitter(point.TraceId, width));
                    ys.Add(value);
                    texts.Add(Hover(point, condition, columns[col].Label, value, percent));
                    traceIds.Add(point.TraceId);
                }

                if (columns[col].Median(condition) is { } median)
                {
                    medianX.Add(col + offset);
                    medianY.Add(median);
                }
            }

            var name = ChartText.Escape($"{condition.Variant} · {condition.Tier}");
            data.Add(new Plotly.Blazor.Traces.Scatter
            {
                Name = name,
                LegendGroup = name,
                X = xs,
                Y = ys,
                Mode = ModeFlag.Markers,
                Marker = new Marker
                {
                    Color = colour,
                    Size = 8,
                    Symbol = condition.Tier == StudyAnalysis.Free ? Plotly.Blazor.Traces.ScatterLib.MarkerLib.SymbolEnum.Circle : Plotly.Blazor.Traces.ScatterLib.MarkerLib.SymbolEnum.CircleOpen,
                    Line = new Plotly.Blazor.Traces.ScatterLib.MarkerLib.Line { Color = colour, Width = 1.5m },
                    Opacity = 0.85m,
                },
                TextArray = texts,
                HoverTemplate = "%{text}<extra></extra>",
            });
            ids.Add(traceIds);
            data.Add(new Plotly.Blazor.Traces.Scatter
            {
                Name = name + " median",
                LegendGroup = name,
                ShowLegend = false,
                X = medianX,
                Y = medianY,
                Mode = ModeFlag.Markers,
                Marker = new Marker
                {
                    Symbol = Plotly.Blazor.Traces.ScatterLib.MarkerLib.SymbolEnum.LineEw,
                    Size = 22,
                    Line = new Plotly.Blazor.Traces.ScatterLib.MarkerLib.Line { Color = dark ? "#f3f4f6" : "#111827", Width = 2.5m },
                },
                HoverTemplate = "median %{y:" + (percent ? ".0%" : ".2f") + "}<extra>" + name + "</extra>",
            });
            ids.Add([]);
        }

        var layout = new PlotlyLayout
        {
            HoverMode = Plotly.Blazor.LayoutLib.HoverModeEnum.Closest,
            Margin = new Plotly.Blazor.LayoutLib.Margin { L = 48, R = 8, T = 28, B = 48 },
            ShowLegend = true,
            Legend = [new Plotly.Blazor.LayoutLib.Legend { Orientation = Plotly.Blazor.LayoutLib.LegendLib.OrientationEnum.H, X = 0, Y = 1.02m, YAnchor = Plotly.Blazor.LayoutLib.LegendLib.YAnchorEnum.Bottom }],
            XAxis =
            [
                new Plotly.Blazor.LayoutLib.XAxis
                {
                    TickMode = Plotly.Blazor.LayoutLib.XAxisLib.TickModeEnum.Array,
                    TickVals = [.. columns.Select((_, i) => (object)i)],
                    TickText = [.. columns.Select(c => (object)c.Label)],
                    Range = [-0.5, columns.Count - 0.5],
                    // Short labels on one level even on a phone, never turned on their side.
                    TickAngle = 0,
                    TickFont = new Plotly.Blazor.LayoutLib.XAxisLib.TickFont { Size = 11 },
                    ShowGrid = false,
                    ZeroLine = false,
                    FixedRange = true,
                },
            ],
            YAxis =
            [
                new Plotly.Blazor.LayoutLib.YAxis
                {
                    Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = axis },
                    Range = [low, high],
                    TickFormat = percent ? ".0%" : ".1f",
                    FixedRange = true,
                },
            ],
        };
        return new Built(data, ids, layout);
    }

    /// <summary>A fixed spread of a trace's points inside its strip, from its id, so a redraw puts them in the same place.</summary>
    internal static double Jitter(int traceId, double width) =>
        width == 0 ? ((traceId * 2654435761u % 1000) / 1000.0 - 0.5) * 0.3 : ((traceId * 2654435761u % 1000) / 1000.0 - 0.5) * width * 0.7;

    private static string Short(OutcomeRef outcome) => outcome.Key switch
    {
        Outcomes.OutcomeRegistry.AlignmentFaking => "AF",
        Outcomes.OutcomeRegistry.Compliance => "compl.",
        _ => ChartText.Escape(outcome.Name),
    };

    private static string Hover(TracePoint point, ConditionAnalysis condition, string column, double value, bool percent)
    {
        var title = point.Title.Length > 80 ? point.Title[..79] + "…" : point.Title;
        var number = percent ? value.ToString("0%", CultureInfo.InvariantCulture) : value.ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture);
        return $"{ChartText.Escape(title)}<br>{ChartText.Escape($"{condition.Variant} · {condition.Tier}")} · {column.Replace("<br>", " ", StringComparison.Ordinal)}: {number}<br>click to open trace {point.TraceId}";
    }
}
