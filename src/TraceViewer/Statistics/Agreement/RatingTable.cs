namespace TraceViewer.Statistics.Agreement;

/// <summary>One annotator's label for one item.</summary>
internal sealed record Rating(string Annotator, string Item, string Label);

/// <summary>
/// Who gave which category to which item: an items × annotators grid of category indices, with
/// <see cref="Missing"/> where an annotator did not rate an item. Annotators and items keep the order of
/// their first rating; categories keep the order given (it is the order of confusion-matrix rows and columns).
/// </summary>
internal sealed class RatingTable
{
    public const int Missing = -1;

    private readonly int[] labels;

    private RatingTable(IReadOnlyList<string> categories, IReadOnlyList<string> annotators, IReadOnlyList<string> items, int[] labels)
    {
        Categories = categories;
        Annotators = annotators;
        Items = items;
        this.labels = labels;
    }

    public IReadOnlyList<string> Categories { get; }

    public IReadOnlyList<string> Annotators { get; }

    public IReadOnlyList<string> Items { get; }

    /// <summary>The category index annotator <paramref name="annotator"/> gave item <paramref name="item"/>, or <see cref="Missing"/>.</summary>
    public int Label(int item, int annotator) => labels[item * Annotators.Count + annotator];

    /// <exception cref="ArgumentException">
    /// (Its message is meant for people, so it names no parameter.) No categories, a repeated category, a label outside the categories, or an annotator rating one item twice;
    /// the message names the rating by its position.
    /// </exception>
    public static RatingTable Create(IReadOnlyList<string> categories, IEnumerable<Rating> ratings)
    {
        if (categories.Count == 0)
        {
            throw new ArgumentException("There must be at least one category.");
        }

        var categoryIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var category in categories)
        {
            if (!categoryIndex.TryAdd(category, categoryIndex.Count))
            {
                throw new ArgumentException($"Category '{category}' is listed twice.");
            }
        }

        var annotators = new OrderedIndex();
        var items = new OrderedIndex();
        var cells = new Dictionary<(int Item, int Annotator), int>();
        var position = 0;
        foreach (var rating in ratings)
        {
            if (rating.Annotator is null || rating.Item is null || rating.Label is null)
            {
                throw new ArgumentException($"ratings[{position}]: annotator, item and label are all required.");
            }

            if (!categoryIndex.TryGetValue(rating.Label, out var category))
            {
                throw new ArgumentException(
                    $"ratings[{position}]: label '{rating.Label}' is not one of the categories ({string.Join(", ", categories)}).");
            }

            var annotator = annotators.IndexOf(rating.Annotator);
            var item = items.IndexOf(rating.Item);
            if (!cells.TryAdd((item, annotator), category))
            {
                throw new ArgumentException($"ratings[{position}]: annotator '{rating.Annotator}' rated item '{rating.Item}' twice.");
            }

            position++;
        }

        var grid = new int[items.Count * annotators.Count];
        Array.Fill(grid, Missing);
        foreach (var ((item, annotator), category) in cells)
        {
            grid[item * annotators.Count + annotator] = category;
        }

        return new RatingTable([.. categories], annotators.Keys, items.Keys, grid);
    }

    /// <summary>
    /// A table from a grid already indexed (items × annotators, <see cref="Missing"/> where unrated), as
    /// <see cref="Create"/> would build it from ratings given in that order; the grid is kept, not copied.
    /// </summary>
    internal static RatingTable FromGrid(IReadOnlyList<string> categories, IReadOnlyList<string> annotators, IReadOnlyList<string> items, int[] labels) =>
        new(categories, annotators, items, labels);

    /// <summary>The same ratings without one annotator (items only that annotator rated drop out).</summary>
    public RatingTable Without(string annotator)
    {
        var removed = IndexOfAnnotator(annotator);
        var ratings = new List<Rating>(labels.Length);
        for (var i = 0; i < Items.Count; i++)
        {
            for (var a = 0; a < Annotators.Count; a++)
            {
                var label = Label(i, a);
                if (a != removed && label != Missing)
                {
                    ratings.Add(new Rating(Annotators[a], Items[i], Categories[label]));
                }
            }
        }

        return Create(Categories, ratings);
    }

    /// <exception cref="ArgumentException">No rating by that annotator.</exception>
    public int IndexOfAnnotator(string annotator)
    {
        for (var a = 0; a < Annotators.Count; a++)
        {
            if (string.Equals(Annotators[a], annotator, StringComparison.Ordinal))
            {
                return a;
            }
        }

        throw new ArgumentException($"Annotator '{annotator}' has no rating.", nameof(annotator));
    }

    /// <summary>Gives each new key the next index and remembers the order keys first came in.</summary>
    private sealed class OrderedIndex
    {
        private readonly Dictionary<string, int> index = new(StringComparer.Ordinal);

        public List<string> Keys { get; } = [];

        public int Count => Keys.Count;

        public int IndexOf(string key)
        {
            if (!index.TryGetValue(key, out var value))
            {
                value = Keys.Count;
                index.Add(key, value);
                Keys.Add(key);
            }

            return value;
        }
    }
}
