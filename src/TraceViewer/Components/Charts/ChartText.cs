namespace TraceViewer.Components.Charts;

/// <summary>
/// plotly.js reads a subset of HTML in names, category labels and hover text (<c>&lt;b&gt;</c>, <c>&lt;a href&gt;</c>,
/// <c>&lt;br&gt;</c>...). Imported or model text goes into a chart through here, so it is always shown as text.
/// </summary>
internal static class ChartText
{
    public static string Escape(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal);
}
