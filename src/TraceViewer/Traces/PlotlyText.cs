namespace TraceViewer.Traces;

/// <summary>Plotly renders a subset of HTML in trace names and hover text; imported text goes in as text.</summary>
internal static class PlotlyText
{
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
