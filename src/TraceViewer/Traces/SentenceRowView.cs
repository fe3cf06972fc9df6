namespace TraceViewer.Traces;

/// <summary>
/// What one sentence of the list shows. The list keeps these per view (outcome, effect, dim, tags) and changes only
/// <see cref="Selected"/>, <see cref="Focusable"/> and <see cref="Href"/> per selection, so a row compares its own
/// state to know whether it has to render.
/// </summary>
public sealed record SentenceRowView(
    int Index, string Direction, bool Uncertain, bool Differs, bool Dimmed, string? Tag, string Style, string Title,
    bool Selected = false, bool Focusable = false, string Href = "")
{
    /// <summary>In the tagging workbench: the tags the layer shows on the sentence (null: none, or outside it).</summary>
    public IReadOnlyList<Tags.ShownTag>? Chips { get; init; }

    /// <summary>In the tagging workbench: pending, saved or failed for the sentence's latest change; null when it has none.</summary>
    public string? Save { get; init; }
}
