using System.Globalization;
using Plotly.Blazor;
using Plotly.Blazor.Traces.ScatterLib;
using TraceViewer.Components;
using TraceViewer.Components.Charts;
using TraceViewer.Statistics.Analyses;
using TraceViewer.Traces;
using PlotlyLayout = Plotly.Blazor.Layout;

namespace TraceViewer.Analyses;

/// <summary>
/// The scatter of a trace's sentences: compliance effect across, alignment-faking effect up, one point per sentence
/// with both, coloured by the sentence's direction for one of the two outcomes (orange promotes, purple suppresses,
/// grey neither). One series per direction, so the legend names the colours; <see cref="Indices"/> maps a clicked point
/// back to its sentence.
/// </summary>
internal static class AnalysisScatterData
{
    public const int HoverLength = 220;

    public sealed record Built(IList<ITrace> Data, IReadOnlyList<IReadOnlyList<int>> Indices);

    public static Built Build(IReadOnlyList<EffectPair> pairs, IReadOnlyList<SentenceView> sentences, string colourBy, string colourByName, int? selected, bool dark)
    {
        var texts = sentences.ToDictionary(s => s.Index, s => s.Text);
        var data = new List<ITrace>();
        var indices = new List<IReadOnlyList<int>>();
        foreach (var (direction, colour, label) in new (Direction, ProductColors.Rgb, string)[]
                 {
                     (Direction.Promotes, ProductColors.Promotes, $"promotes {colourByName.ToLowerInvariant()}"),
                     (Direction.Suppresses, ProductColors.Suppresses, $"suppresses {colourByName.ToLowerInvariant()}"),
                     (Direction.None, ProductColors.NoDirection, "no effect"),
                 })
        {
            var points = pairs.Where(p => DirectionOf(p, colourBy) == direction).ToList();
            if (points.Count == 0)
            {
                continue;
            }

            data.Add(new Plotly.Blazor.Traces.Scatter
            {
                Name = PlotlyText.Escape(label),
                X = [.. points.Select(p => (object)p.Compliance)],
                Y = [.. points.Select(p => (object)p.AlignmentFaking)],
                Mode = ModeFlag.Markers,
                Marker = new Marker
                {
                    Color = direction == Direction.None ? colour.Rgba(0.7) : colour.Hex,
                    SizeArray = [.. points.Select(p => (decimal?)(p.Index == selected ? 14 : 9))],
                    Line = new Plotly.Blazor.Traces.ScatterLib.MarkerLib.Line
                    {
                        WidthArray = [.. points.Select(p => (decimal?)(p.Index == selected ? 2.5m : 1m))],
                        Color = dark ? "#e5e7eb" : "#111827",
                    },
                },
                TextArray = [.. points.Select(p => Hover(p, texts.GetValueOrDefault(p.Index)))],
                HoverTemplate = "%{text}<extra></extra>",
            });
            indices.Add([.. points.Select(p => p.Index)]);
        }

        return new Built(data, indices);
    }

    public static PlotlyLayout Layout(IReadOnlyList<EffectPair> pairs, string alignmentFakingName, string complianceName)
    {
        // Symmetric axes around 0, so the quadrants (same or opposite direction) read at a glance.
        var x = Reach(pairs.Select(p => p.Compliance));
        var y = Reach(pairs.Select(p => p.AlignmentFaking));
        return new PlotlyLayout
        {
            HoverMode = Plotly.Blazor.LayoutLib.HoverModeEnum.Closest,
            Margin = new Plotly.Blazor.LayoutLib.Margin { L = 52, R = 8, T = 28, B = 40 },
            ShowLegend = true,
            Legend = [new Plotly.Blazor.LayoutLib.Legend { Orientation = Plotly.Blazor.LayoutLib.LegendLib.OrientationEnum.H, X = 0, Y = 1.02m, YAnchor = Plotly.Blazor.LayoutLib.LegendLib.YAnchorEnum.Bottom }],
            XAxis = [new Plotly.Blazor.LayoutLib.XAxis { Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = PlotlyText.Escape($"{complianceName} effect") }, Range = [-x, x], ZeroLine = true, FixedRange = true }],
            YAxis = [new Plotly.Blazor.LayoutLib.YAxis { Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = PlotlyText.Escape($"{alignmentFakingName} effect") }, Range = [-y, y], ZeroLine = true, FixedRange = true }],
        };
    }

    /// <summary>The outcome whose direction colours the points: the page's outcome when it is one of the two, else alignment faking.</summary>
    public static string ColourKey(string? shownOutcome) =>
        shownOutcome == Outcomes.OutcomeRegistry.Compliance ? Outcomes.OutcomeRegistry.Compliance : Outcomes.OutcomeRegistry.AlignmentFaking;

    /// <summary>An outcome's name as the analyses read it.</summary>
    public static string Name(TraceAnalysisView view, string key) =>
        view.NameOf(key) ?? (key == Outcomes.OutcomeRegistry.Compliance ? "Compliance" : "Alignment faking");

    /// <summary>The scatter and its layout for a trace's analyses, as the trace page draws them.</summary>
    public static (Built Built, PlotlyLayout Layout) Figure(TraceAnalysisView view, IReadOnlyList<SentenceView> sentences, string colourKey, int? selected, bool dark) =>
        (Build(view.Analysis.Pairs, sentences, colourKey, Name(view, colourKey), selected, dark),
         Layout(view.Analysis.Pairs, Name(view, Outcomes.OutcomeRegistry.AlignmentFaking), Name(view, Outcomes.OutcomeRegistry.Compliance)));

    /// <summary>The sentence's direction for the colouring outcome: the sign of its effect on it.</summary>
    public static Direction DirectionOf(EffectPair pair, string colourBy)
    {
        var value = colourBy == Outcomes.OutcomeRegistry.Compliance ? pair.Compliance : pair.AlignmentFaking;
        return value > 0 ? Direction.Promotes : value < 0 ? Direction.Suppresses : Direction.None;
    }

    private static double Reach(IEnumerable<double> values)
    {
        var max = values.Select(Math.Abs).DefaultIfEmpty(0).Max();
        return max == 0 ? 0.1 : max * 1.15;
    }

    private static string Hover(EffectPair pair, string? text)
    {
        var sentence = text is null ? "" : text.ReplaceLineEndings(" ").Trim();
        if (sentence.Length > HoverLength)
        {
            sentence = sentence[..(HoverLength - 1)] + "…";
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"Sentence {pair.Index}: {PlotlyText.Escape(sentence)}<br>alignment faking {MetricFormat.Signed(pair.AlignmentFaking)} · compliance {MetricFormat.Signed(pair.Compliance)}");
    }
}
