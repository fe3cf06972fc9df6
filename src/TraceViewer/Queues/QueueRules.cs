namespace TraceViewer.Queues;

/// <summary>One item given to one annotator.</summary>
internal readonly record struct ItemAssignment(int Item, string Annotator);

/// <summary>One item a queue already gives one annotator, and whether that annotator has done it.</summary>
internal readonly record struct HeldAssignment(int Item, string Annotator, bool Done);

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
        var people = People(annotators, overlap);
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
    /// Deals a queue's items again to <paramref name="annotators"/> with <paramref name="overlap"/>, keeping what is done.
    /// Every done assignment stays, whoever holds it (an annotator taken off the queue keeps the items they finished) and
    /// counts towards its item's overlap. The rest of item i's overlap goes by the rule of <see cref="Assign"/>: walking
    /// the annotators ordered by id from (i*overlap) mod n, each annotator not already done with the item is taken until
    /// the item has <paramref name="overlap"/>. With the same annotators and overlap the deal is unchanged; an item
    /// already done by <paramref name="overlap"/> or more annotators gets nobody new.
    /// </summary>
    /// <returns>Every assignment after the re-deal, by item, then in the order taken (done ones first).</returns>
    /// <exception cref="ArgumentException">No annotator, an overlap below 1, or more than the distinct annotators.</exception>
    public static IReadOnlyList<ItemAssignment> Redeal(int itemCount, IEnumerable<HeldAssignment> held, IEnumerable<string> annotators, int overlap)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        var people = People(annotators, overlap);
        var done = held.Where(h => h.Done && h.Item >= 0 && h.Item < itemCount).ToLookup(h => h.Item, h => h.Annotator);
        var result = new List<ItemAssignment>(itemCount * overlap);
        for (var i = 0; i < itemCount; i++)
        {
            var finished = done[i].Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            result.AddRange(finished.Select(a => new ItemAssignment(i, a)));
            var wanted = overlap - finished.Count;
            for (var j = 0; j < people.Length && wanted > 0; j++)
            {
                var person = people[(int)(((long)i * overlap + j) % people.Length)];
                if (!finished.Contains(person, StringComparer.Ordinal))
                {
                    result.Add(new ItemAssignment(i, person));
                    wanted--;
                }
            }
        }

        return result;
    }

    /// <summary>The annotators deduplicated and ordered by id (ordinal), checked against the overlap.</summary>
    private static string[] People(IEnumerable<string> annotators, int overlap)
    {
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

        return people;
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
