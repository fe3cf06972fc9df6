namespace TraceViewer.Traces;

/// <summary>A button the trace page shows beside Share, to the trace (and selected sentence) elsewhere.</summary>
internal sealed record TracePageButton(string Href, string Label, string Icon, string TestId);

/// <summary>
/// A link the trace page offers, registered by the feature it leads to, so the page shows it without referring to
/// that feature (features above Traces register one; the page takes every one registered).
/// </summary>
internal interface ITracePageLink
{
    /// <summary>The button for this trace and selection, or null when there is nothing to link to.</summary>
    TracePageButton? For(int traceId, int? sentence);
}
