namespace TraceViewer.Tags;

/// <summary>Which annotators' tags the tagging workbench shows on the sentences.</summary>
public enum TagLayer
{
    /// <summary>The current annotator's own tags.</summary>
    Mine,

    /// <summary>Every annotator's tags (people, imports, models).</summary>
    Everyone,

    /// <summary>The tags that most of a sentence's annotators gave it.</summary>
    Consensus,
}

/// <summary>One annotator's tag on one sentence of a trace, as the workbench reads it.</summary>
internal sealed record WorkbenchTagRow(long Id, int SentenceIndex, int TagId, AnnotatorKind Kind, string Annotator, string? Note);

/// <summary>A tag the workbench offers: its key (1-9) toggles it on the selection.</summary>
public sealed record WorkbenchTag(int Id, string Name, string Colour, int? Hotkey, string? Description)
{
    public string Words => TagNames.Words(Name);
}

/// <summary>A taxonomy the workbench offers, with its tags in hotkey order.</summary>
public sealed record WorkbenchTaxonomy(int Id, string Name, bool MultiChoice, IReadOnlyList<WorkbenchTag> Tags);

/// <summary>
/// A tag as a sentence shows it in a layer: whether it is the viewer's, how many annotators gave it, the viewer's note, and
/// where others are shown, who gave it (<see cref="By"/>: annotator keys as the agreement page names them, "Person:id",
/// "Model:provider/model" or "Import:source", ordinal order, comma separated).
/// </summary>
public sealed record ShownTag(int TagId, string Name, string Colour, int? Hotkey, bool Mine, int Annotators, int Of, string? Note, string? By = null)
{
    public string Words => TagNames.Words(Name);
}

/// <summary>
/// What each sentence shows in a layer of one taxonomy (pure). Consensus: a tag that more than half of the annotators
/// who tagged that sentence in the taxonomy gave it. While others are hidden (blind mode before the viewer submits the
/// trace), every layer shows the viewer's own tags only.
/// </summary>
internal static class TagLayers
{
    public static Dictionary<int, IReadOnlyList<ShownTag>> Show(
        IReadOnlyCollection<WorkbenchTagRow> rows, WorkbenchTaxonomy taxonomy, TagAuthor viewer, TagLayer layer, bool hideOthers)
    {
        var tags = taxonomy.Tags.ToDictionary(t => t.Id);
        var shown = new Dictionary<int, IReadOnlyList<ShownTag>>();
        foreach (var sentence in rows.Where(r => tags.ContainsKey(r.TagId)).GroupBy(r => r.SentenceIndex))
        {
            var annotators = sentence.Select(r => (r.Kind, r.Annotator)).Distinct().Count();
            var list = new List<ShownTag>();
            foreach (var byTag in sentence.GroupBy(r => r.TagId).OrderBy(g => tags[g.Key].Hotkey ?? 10).ThenBy(g => tags[g.Key].Name, StringComparer.Ordinal))
            {
                var tag = tags[byTag.Key];
                var mine = byTag.FirstOrDefault(r => r.Kind == viewer.Kind && r.Annotator == viewer.Id);
                var givers = byTag.Select(r => (r.Kind, r.Annotator)).Distinct().Count();
                var include = hideOthers || layer == TagLayer.Mine ? mine is not null
                    : layer == TagLayer.Everyone || givers * 2 > annotators;
                if (include)
                {
                    // Counts only where others are shown: "2/3" reads as two of the sentence's three annotators.
                    var counted = !hideOthers && layer != TagLayer.Mine;
                    var by = counted ? string.Join(", ", byTag.Select(r => $"{r.Kind}:{r.Annotator}").Distinct().Order(StringComparer.Ordinal)) : null;
                    list.Add(new ShownTag(tag.Id, tag.Name, tag.Colour, tag.Hotkey, mine is not null, counted ? givers : 1, counted ? annotators : 1, mine?.Note, by));
                }
            }

            if (list.Count > 0)
            {
                shown[sentence.Key] = list;
            }
        }

        return shown;
    }
}

/// <summary>
/// One taxonomy's tags on a trace as a reader who gave none sees them: the taxonomy (with every tag the trace carries,
/// retired ones too, besides those on offer), and per sentence the tags of the everyone's and the consensus layer, each
/// with who gave it and how many of the sentence's annotators did (<see cref="TagLayers.Show"/>).
/// </summary>
public sealed record TraceTagLayers(
    WorkbenchTaxonomy Taxonomy,
    IReadOnlyDictionary<int, IReadOnlyList<ShownTag>> Everyone,
    IReadOnlyDictionary<int, IReadOnlyList<ShownTag>> Consensus)
{
    /// <summary>How many sentences carry each tag in the everyone's layer, by tag id.</summary>
    public IReadOnlyDictionary<int, int> Sentences => Everyone.Values.SelectMany(tags => tags).GroupBy(t => t.TagId).ToDictionary(g => g.Key, g => g.Count());
}

/// <summary>Where a sentence's latest change stands: sent and not yet committed, committed, or failed (and being sent again).</summary>
public enum SaveState
{
    Pending,
    Saved,
    Failed,
}
