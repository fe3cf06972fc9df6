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
        // Every finished item rates every tag, so each tag's table has the same annotators and items in the same
        // order (that of their first rating): index them once and fill one grid per tag.
        var annotatorIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var itemIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var annotators = new List<string>();
        var itemKeys = new List<string>();
        var cells = new (int Item, int Annotator)[items.Count];
        for (var f = 0; f < items.Count; f++)
        {
            if (items[f].Annotator is null || items[f].Item is null)
            {
                throw new ArgumentException($"finished[{f}]: annotator and item are both required.", nameof(finished));
            }

            if (!annotatorIndex.TryGetValue(items[f].Annotator, out var annotator))
            {
                annotatorIndex.Add(items[f].Annotator, annotator = annotators.Count);
                annotators.Add(items[f].Annotator);
            }

            if (!itemIndex.TryGetValue(items[f].Item, out var item))
            {
                itemIndex.Add(items[f].Item, item = itemKeys.Count);
                itemKeys.Add(items[f].Item);
            }

            cells[f] = (item, annotator);
        }

        const int present = 0; // BinaryCategories[0]
        const int absent = 1;
        var tables = new List<TagRatingTable>(tags.Count);
        foreach (var tag in tags)
        {
            var grid = new int[itemKeys.Count * annotators.Count];
            Array.Fill(grid, RatingTable.Missing);
            for (var f = 0; f < items.Count; f++)
            {
                grid[cells[f].Item * annotators.Count + cells[f].Annotator] = items[f].Tags.Contains(tag, StringComparer.Ordinal) ? present : absent;
            }

            tables.Add(new TagRatingTable(tag, RatingTable.FromGrid(BinaryCategories, annotators, itemKeys, grid)));
        }

        return tables;
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
