namespace TraceViewer.Tags;

/// <summary>One annotator's tag on one sentence as it stands: present, with its note.</summary>
internal sealed record TagState(int SentenceId, int TagId, string? Note);

/// <summary>One change to one annotator's tag on one sentence: what it was and what it becomes.</summary>
public sealed record TagEdit(int SentenceId, int TagId, TagAction Action, bool Before, bool After, string? NoteBefore, string? NoteAfter);

/// <summary>The shape of a taxonomy the rules need: whether a sentence may carry several of its tags, and its tags (retired or not).</summary>
internal sealed record TaxonomyShape(int Id, bool MultiChoice, IReadOnlyDictionary<int, bool> RetiredByTag);

/// <summary>A request the rules refuse (a tag of another taxonomy, two tags in a single-choice taxonomy, ...).</summary>
internal sealed class TagRuleException(string message) : Exception(message);

/// <summary>
/// What a tagging request changes, decided from one annotator's current tags alone (pure: no database). The writer
/// applies the edits it returns and audits each one.
/// </summary>
internal static class TagRules
{
    /// <summary>
    /// Toggles each tag on the sentences, as a key press in the workbench does: when every sentence already carries it,
    /// it comes off all of them; otherwise it goes on the ones that lack it. In a single-choice taxonomy a tag going on
    /// takes the annotator's other tag of the taxonomy off that sentence, and only one tag may be toggled at a time.
    /// A retired tag can come off but not go on.
    /// </summary>
    /// <param name="current">The annotator's tags of this taxonomy on these sentences.</param>
    public static IReadOnlyList<TagEdit> Toggle(TaxonomyShape taxonomy, IReadOnlyList<int> tagIds, IReadOnlyList<int> sentenceIds, IReadOnlyCollection<TagState> current)
    {
        var tags = tagIds.Distinct().ToList();
        var sentences = sentenceIds.Distinct().ToList();
        foreach (var tag in tags)
        {
            if (!taxonomy.RetiredByTag.ContainsKey(tag))
            {
                throw new TagRuleException($"Tag {tag} is not a tag of taxonomy {taxonomy.Id}.");
            }
        }

        if (!taxonomy.MultiChoice && tags.Count > 1)
        {
            throw new TagRuleException($"Taxonomy {taxonomy.Id} is single-choice: toggle one tag at a time, not {tags.Count}.");
        }

        var state = current.ToDictionary(t => (t.SentenceId, t.TagId), t => t.Note);
        var edits = new List<TagEdit>();
        foreach (var tag in tags)
        {
            if (sentences.All(s => state.ContainsKey((s, tag))))
            {
                foreach (var sentence in sentences)
                {
                    edits.Add(new TagEdit(sentence, tag, TagAction.Remove, true, false, state[(sentence, tag)], null));
                    state.Remove((sentence, tag));
                }

                continue;
            }

            if (taxonomy.RetiredByTag[tag])
            {
                throw new TagRuleException($"Tag {tag} is retired: it can be taken off sentences but not put on them.");
            }

            foreach (var sentence in sentences.Where(s => !state.ContainsKey((s, tag))))
            {
                if (!taxonomy.MultiChoice)
                {
                    foreach (var other in state.Keys.Where(k => k.SentenceId == sentence && k.TagId != tag).ToList())
                    {
                        edits.Add(new TagEdit(sentence, other.TagId, TagAction.Remove, true, false, state[other], null));
                        state.Remove(other);
                    }
                }

                edits.Add(new TagEdit(sentence, tag, TagAction.Add, false, true, null, null));
                state[(sentence, tag)] = null;
            }
        }

        return edits;
    }

    /// <summary>Sets (or, with null or blank text, clears) the note on a tag the annotator has put on the sentence; null when nothing changes.</summary>
    public static TagEdit? Note(int sentenceId, int tagId, string? note, TagState? current)
    {
        if (current is null)
        {
            throw new TagRuleException($"Sentence {sentenceId} does not carry tag {tagId} by this annotator: a note belongs to a tag on the sentence.");
        }

        var text = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (text is { Length: > TagLimits.MaxNoteLength })
        {
            throw new TagRuleException($"The note is {text.Length} characters long; a note may have {TagLimits.MaxNoteLength}.");
        }

        return text == current.Note ? null : new TagEdit(sentenceId, tagId, TagAction.Note, true, true, current.Note, text);
    }

    /// <summary>
    /// The edits that take a change back: each (sentence, tag) it touched returns to its state before the change, last
    /// touched first. Pairs already in that state need nothing.
    /// </summary>
    /// <param name="change">The change's edits in the order they were made.</param>
    /// <param name="current">The annotator's current tags on the pairs the change touched.</param>
    public static IReadOnlyList<TagEdit> Undo(IReadOnlyList<TagEdit> change, IReadOnlyCollection<TagState> current)
    {
        var state = current.ToDictionary(t => (t.SentenceId, t.TagId), t => t.Note);
        var edits = new List<TagEdit>();
        for (var i = change.Count - 1; i >= 0; i--)
        {
            var was = change[i];
            var key = (was.SentenceId, was.TagId);
            var present = state.TryGetValue(key, out var note);
            if (was.Before && !present)
            {
                edits.Add(new TagEdit(was.SentenceId, was.TagId, TagAction.Add, false, true, null, was.NoteBefore));
                state[key] = was.NoteBefore;
            }
            else if (!was.Before && present)
            {
                edits.Add(new TagEdit(was.SentenceId, was.TagId, TagAction.Remove, true, false, note, null));
                state.Remove(key);
            }
            else if (was.Before && note != was.NoteBefore)
            {
                edits.Add(new TagEdit(was.SentenceId, was.TagId, TagAction.Note, true, true, note, was.NoteBefore));
                state[key] = was.NoteBefore;
            }
        }

        return edits;
    }
}
