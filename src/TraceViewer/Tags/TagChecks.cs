using TraceViewer.Import;

namespace TraceViewer.Tags;

/// <summary>The rules an imported tag value meets before anything is written, in native JSONL and tag files alike.</summary>
internal static class TagChecks
{
    public static void Name(string? value, string field, FieldError error)
    {
        ImportChecks.RequiredText(value, field, error);
        if (value!.Length > TagLimits.MaxNameLength)
        {
            throw error(field, $"is {value.Length} characters long; a name may have {TagLimits.MaxNameLength}");
        }
    }

    public static void Annotator(string? value, string field, FieldError error)
    {
        ImportChecks.RequiredText(value, field, error);
        if (value!.Length > TagLimits.MaxAnnotatorLength)
        {
            throw error(field, $"is {value.Length} characters long; an annotator may have {TagLimits.MaxAnnotatorLength}");
        }
    }

    /// <summary>An empty note is no note.</summary>
    public static string? Note(string? value, string field, FieldError error)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (value.Length > TagLimits.MaxNoteLength)
        {
            throw error(field, $"is {value.Length} characters long; a note may have {TagLimits.MaxNoteLength}");
        }

        return value;
    }

    public static void Description(string? value, string field, FieldError error)
    {
        if (value is { Length: > TagLimits.MaxDescriptionLength })
        {
            throw error(field, $"is {value.Length} characters long; a description may have {TagLimits.MaxDescriptionLength}");
        }
    }

    public static ImportedSentenceTag SentenceTag(ImportedSentenceTag tag, string prefix, FieldError error)
    {
        if (tag.Sentence < 0)
        {
            throw error(prefix + "sentence", $"{tag.Sentence} is not a sentence index (0 or more)");
        }

        Name(tag.Taxonomy, prefix + "taxonomy", error);
        Name(tag.Tag, prefix + "tag", error);
        if (!Enum.IsDefined(tag.AnnotatorKind))
        {
            throw error(prefix + "annotatorKind", "must be Person, Import or Model");
        }

        Annotator(tag.Annotator, prefix + "annotator", error);
        // PostgreSQL stores times in UTC.
        return tag with { Note = Note(tag.Note, prefix + "note", error), CreatedAt = tag.CreatedAt?.ToUniversalTime(), UpdatedAt = tag.UpdatedAt?.ToUniversalTime() };
    }

    public static ImportedTaxonomy Taxonomy(ImportedTaxonomy taxonomy, string prefix, FieldError error)
    {
        Name(taxonomy.Name, prefix + "name", error);
        Description(taxonomy.Description, prefix + "description", error);
        var tags = taxonomy.Tags ?? [];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i] ?? throw error($"{prefix}tags[{i}]", "wrong type: expected an object, found null");
            Name(tag.Name, $"{prefix}tags[{i}].name", error);
            Description(tag.Description, $"{prefix}tags[{i}].description", error);
            if (!names.Add(tag.Name))
            {
                throw error($"{prefix}tags[{i}].name", $"tag '{tag.Name}' appears twice");
            }

            if (tag.Hotkey is { } key and (< 1 or > 9))
            {
                throw error($"{prefix}tags[{i}].hotkey", $"{key} is not a key from 1 to 9");
            }
        }

        return taxonomy with { Tags = tags };
    }
}
