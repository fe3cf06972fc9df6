namespace TraceViewer.Queues;

/// <summary>One item given to one annotator.</summary>
internal readonly record struct ItemAssignment(int Item, string Annotator);

/// <summary>
/// How a queue's items are dealt to its annotators, and which sentences a queue holds. Pure: no database, no web.
/// </summary>
internal static class QueueRules
{
    /// <summary>
    /// Deals each item (by position, 0..<paramref name="itemCount"/>-1) to <paramref name="overlap"/> distinct annotators,
    /// round-robin over the annotators ordered by id (ordinal): item i goes to annotators (i*overlap + j) mod n for
    /// j = 0..overlap-1. The same inputs always give the same assignments, whatever order the annotators come in.
    /// </summary>
    /// <exception cref="ArgumentException">No annotator, an overlap below 1, or more than the distinct annotators.</exception>
    public static IReadOnlyList<ItemAssignment> Assign(int itemCount, IEnumerable<string> annotators, int overlap)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        var people = annotators.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a.Trim()).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal).ToArray();
        if (people.Length == 0)
        {
            throw new ArgumentException("A queue needs at least one annotator.", nameof(annotators));
        }

        if (overlap < 1 || overlap > people.Length)
        {
            throw new ArgumentException($"The overlap is 1 to {people.Length} (the number of annotators).", nameof(overlap));
        }

        var result = new List<ItemAssignment>(itemCount * overlap);
        for (var i = 0; i < itemCount; i++)
        {
            for (var j = 0; j < overlap; j++)
            {
                result.Add(new ItemAssignment(i, people[(int)(((long)i * overlap + j) % people.Length)]));
            }
        }

        return result;
    }

    /// <summary>
    /// The sentence indices a queue takes from one trace: with <paramref name="topK"/>, the k with the largest absolute
    /// effect (ties: the earlier sentence), in sentence order; without it, every sentence.
    /// </summary>
    public static IReadOnlyList<int> PickSentences(IReadOnlyList<int> sentenceIndices, IReadOnlyDictionary<int, double> effects, int? topK)
    {
        if (topK is not { } k)
        {
            return [.. sentenceIndices.Order()];
        }

        return [.. sentenceIndices.Where(effects.ContainsKey)
            .OrderByDescending(i => Math.Abs(effects[i])).ThenBy(i => i)
            .Take(Math.Max(0, k)).Order()];
    }
}
