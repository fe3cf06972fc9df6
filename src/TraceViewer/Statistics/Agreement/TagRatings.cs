namespace TraceViewer.Statistics.Agreement;

/// <summary>An item (a sentence, a trace) one annotator finished: seen and submitted, with the tags set, possibly none.</summary>
internal sealed record FinishedItem(string Annotator, string Item, IReadOnlyCollection<string> Tags);

/// <summary>One tag of a taxonomy scored as a binary variable.</summary>
internal sealed record TagRatingTable(string Tag, RatingTable Table);

/// <summary>
/// Turns finished items into rating tables (method.md §8). A multi-choice taxonomy gives one binary table per
/// tag: every finished item is <see cref="Present"/> or <see cref="Absent"/> for every tag, so an item finished
/// with no tag counts as absent everywhere. A single-choice taxonomy is one nominal variable over its tags.
/// </summary>
internal static class TagRatings
{
    public const string Present = "present";
    public const string Absent = "absent";

    public static IReadOnlyList<string> BinaryCategories { get; } = [Present, Absent];

    /// <exception cref="ArgumentException">A tag outside the taxonomy, or an item finished twice by one annotator.</exception>
    public static IReadOnlyList<TagRatingTable> PerTag(IReadOnlyList<string> tags, IEnumerable<FinishedItem> finished)
    {
        var items = Validated(tags, finished);
        return [.. tags.Select(tag => new TagRatingTable(tag, RatingTable.Create(
            BinaryCategories,
            items.Select(f => new Rating(f.Annotator, f.Item, f.Tags.Contains(tag, StringComparer.Ordinal) ? Present : Absent)))))];
    }

    /// <summary>
    /// A single-choice taxonomy as one nominal variable whose categories are the tags. An item finished with no tag
    /// is rated <paramref name="noTagCategory"/> (appended to the categories) or, when that is null, not rated.
    /// </summary>
    /// <exception cref="ArgumentException">More than one tag on an item, a tag outside the taxonomy, or an item finished twice.</exception>
    public static RatingTable SingleChoice(IReadOnlyList<string> tags, IEnumerable<FinishedItem> finished, string? noTagCategory = null)
    {
        var items = Validated(tags, finished);
        var ratings = new List<Rating>(items.Count);
        foreach (var item in items)
        {
            if (item.Tags.Count > 1)
            {
                throw new ArgumentException(
                    $"Annotator '{item.Annotator}' gave item '{item.Item}' {item.Tags.Count} tags in a single-choice taxonomy.", nameof(finished));
            }

            var label = item.Tags.Count == 1 ? item.Tags.First() : noTagCategory;
            if (label is not null)
            {
                ratings.Add(new Rating(item.Annotator, item.Item, label));
            }
        }

        return RatingTable.Create(noTagCategory is null ? tags : [.. tags, noTagCategory], ratings);
    }

    private static List<FinishedItem> Validated(IReadOnlyList<string> tags, IEnumerable<FinishedItem> finished)
    {
        var known = new HashSet<string>(tags, StringComparer.Ordinal);
        var seen = new HashSet<(string, string)>();
        var items = new List<FinishedItem>();
        foreach (var item in finished)
        {
            if (!seen.Add((item.Annotator, item.Item)))
            {
                throw new ArgumentException($"Annotator '{item.Annotator}' finished item '{item.Item}' twice.", nameof(finished));
            }

            foreach (var tag in item.Tags)
            {
                if (!known.Contains(tag))
                {
                    throw new ArgumentException(
                        $"Annotator '{item.Annotator}' gave item '{item.Item}' the tag '{tag}', which is not in the taxonomy.", nameof(finished));
                }
            }

            items.Add(item);
        }

        return items;
    }
}
