using TraceViewer.Statistics.Agreement;

namespace TraceViewer.Statistics.TagEffects;

/// <summary>A tag (an index into the table's tags) set on a sentence (an index into its sentences).</summary>
internal readonly record struct TagSet(int Sentence, int Tag);

/// <summary>A sentence with its trace and its signed effect on one outcome (e.g. the counterfactual effect).</summary>
internal sealed record EffectSentence(string Trace, string Item, double Effect);

internal enum TagRuleKind
{
    /// <summary>What one annotator said.</summary>
    Annotator,

    /// <summary>Tagged when more than half of the annotators who finished the sentence set the tag; an even split is untagged.</summary>
    Majority,

    /// <summary>Tagged when any annotator who finished the sentence set the tag.</summary>
    Any,
}

/// <summary>Whose tags decide whether a sentence carries a tag (method.md §9).</summary>
internal sealed record TagRule(TagRuleKind Kind, string? AnnotatorName = null)
{
    public static TagRule Any { get; } = new(TagRuleKind.Any);

    public static TagRule Majority { get; } = new(TagRuleKind.Majority);

    public static TagRule Of(string annotator) => new(TagRuleKind.Annotator, annotator);
}

/// <summary>
/// The annotated sentences of a selection as arrays: each sentence's trace, signed effect, and per tag whether it
/// carries the tag. Only sentences the rule has a verdict on are here (finished by the chosen annotator, or by
/// anyone for the majority and any rules), so "untagged" means looked at and not tagged, never "not looked at".
/// </summary>
internal sealed class TagEffectTable
{
    /// <exception cref="ArgumentException">Arrays of different lengths, a trace index out of range, or an effect that is not finite.</exception>
    public TagEffectTable(IReadOnlyList<string> tags, IReadOnlyList<string> traces, int[] traceOf, double[] effects, bool[][] tagged)
    {
        if (traceOf.Length != effects.Length)
        {
            throw new ArgumentException($"{traceOf.Length} trace indices for {effects.Length} effects.");
        }

        if (tagged.Length != tags.Count || tagged.Any(t => t.Length != effects.Length))
        {
            throw new ArgumentException($"Tag presence must have one row per tag ({tags.Count}) of one flag per sentence ({effects.Length}).");
        }

        for (var s = 0; s < effects.Length; s++)
        {
            if ((uint)traceOf[s] >= (uint)traces.Count)
            {
                throw new ArgumentException($"Sentence {s} names trace {traceOf[s]}, but there are {traces.Count} traces.");
            }

            if (!double.IsFinite(effects[s]))
            {
                throw new ArgumentException($"Sentence {s} (trace '{traces[traceOf[s]]}') has the effect {effects[s]}, which is not a number.");
            }
        }

        Tags = tags;
        Traces = traces;
        TraceOf = traceOf;
        Effects = effects;
        Tagged = tagged;
    }

    public IReadOnlyList<string> Tags { get; }

    public IReadOnlyList<string> Traces { get; }

    /// <summary>The index into <see cref="Traces"/> of each sentence.</summary>
    public int[] TraceOf { get; }

    public double[] Effects { get; }

    /// <summary>[tag][sentence]: whether the sentence carries the tag.</summary>
    public bool[][] Tagged { get; }

    public int Sentences => Effects.Length;

    /// <summary>
    /// Applies <paramref name="rule"/> to finished items (sentences, by <see cref="EffectSentence.Item"/>). Finished
    /// items outside <paramref name="sentences"/> and tags outside <paramref name="tags"/> are ignored: the selection
    /// decides what is analysed. Sentences keep their given order, which breaks ties in the top-k.
    /// </summary>
    /// <exception cref="ArgumentException">A sentence listed twice, an item finished twice by one annotator, or an effect that is not finite.</exception>
    public static TagEffectTable FromAnnotations(
        IReadOnlyList<string> tags, IEnumerable<EffectSentence> sentences, IEnumerable<FinishedItem> finished, TagRule rule)
    {
        if (rule.Kind == TagRuleKind.Annotator && rule.AnnotatorName is null)
        {
            throw new ArgumentException("The annotator rule needs an annotator.", nameof(rule));
        }

        var list = sentences.ToList();
        var indexOf = new Dictionary<string, int>(list.Count, StringComparer.Ordinal);
        foreach (var sentence in list)
        {
            if (!indexOf.TryAdd(sentence.Item, indexOf.Count))
            {
                throw new ArgumentException($"Sentence '{sentence.Item}' is listed twice.", nameof(sentences));
            }
        }

        var tagIndex = tags.Select((tag, i) => (tag, i)).ToDictionary(p => p.tag, p => p.i, StringComparer.Ordinal);
        var finishers = new int[list.Count];
        var setters = new int[tags.Count * list.Count];
        var seen = new HashSet<(string, string)>();
        foreach (var item in finished)
        {
            if (!seen.Add((item.Annotator, item.Item)))
            {
                throw new ArgumentException($"Annotator '{item.Annotator}' finished item '{item.Item}' twice.", nameof(finished));
            }

            if (!indexOf.TryGetValue(item.Item, out var s)
                || (rule.Kind == TagRuleKind.Annotator && !string.Equals(item.Annotator, rule.AnnotatorName, StringComparison.Ordinal)))
            {
                continue;
            }

            finishers[s]++;
            foreach (var tag in item.Tags.Distinct(StringComparer.Ordinal))
            {
                if (tagIndex.TryGetValue(tag, out var g))
                {
                    setters[g * list.Count + s]++;
                }
            }
        }

        var traceKeys = new List<string>();
        var traceKeyIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var traceOf = new int[list.Count];
        for (var s = 0; s < list.Count; s++)
        {
            if (!traceKeyIndex.TryGetValue(list[s].Trace, out traceOf[s]))
            {
                traceKeyIndex.Add(list[s].Trace, traceOf[s] = traceKeys.Count);
                traceKeys.Add(list[s].Trace);
            }
        }

        return Build(tags, traceKeys, traceOf, [.. list.Select(s => s.Effect)], finishers, setters, rule.Kind);
    }

    /// <summary>
    /// The same table as <see cref="FromAnnotations"/> from integer indices, for large selections: sentence
    /// <c>s</c> belongs to trace <c>traceOf[s]</c> (an index into <paramref name="traceKeys"/>); an annotator who
    /// finished a trace (<c>finished[annotator][trace]</c>) finished every sentence of it; <c>sets[annotator]</c>
    /// are the (sentence, tag) pairs that annotator set, a tag index outside <paramref name="tags"/> or a sentence
    /// the annotator did not finish being ignored, as are repeats. <paramref name="annotator"/> is the one annotator
    /// of <see cref="TagRuleKind.Annotator"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Arrays of different lengths, or an index out of range.</exception>
    public static TagEffectTable FromIndexed(
        IReadOnlyList<string> tags, IReadOnlyList<string> traceKeys, int[] traceOf, double[] effects,
        bool[][] finished, IReadOnlyList<TagSet>[] sets, TagRuleKind kind, int annotator = -1)
    {
        if (traceOf.Length != effects.Length || finished.Length != sets.Length || finished.Any(f => f.Length != traceKeys.Count))
        {
            throw new ArgumentException("Sentences need one trace and one effect each, and every annotator one flag per trace and a list of tags set.");
        }

        if (kind == TagRuleKind.Annotator && (uint)annotator >= (uint)finished.Length)
        {
            throw new ArgumentException($"The annotator rule names annotator {annotator} of {finished.Length}.", nameof(annotator));
        }

        var n = effects.Length;
        var g = tags.Count;
        var traceFinishers = new int[traceKeys.Count];
        var setters = new int[g * n];
        var mark = new bool[g * n];
        for (var a = 0; a < finished.Length; a++)
        {
            if (kind == TagRuleKind.Annotator && a != annotator)
            {
                continue;
            }

            var done = finished[a];
            for (var trace = 0; trace < done.Length; trace++)
            {
                traceFinishers[trace] += done[trace] ? 1 : 0;
            }

            foreach (var set in sets[a])
            {
                if ((uint)set.Sentence >= (uint)n)
                {
                    throw new ArgumentException($"Annotator {a} set a tag on sentence {set.Sentence}, but there are {n} sentences.", nameof(sets));
                }

                if ((uint)set.Tag < (uint)g && done[traceOf[set.Sentence]])
                {
                    var at = set.Tag * n + set.Sentence;
                    if (!mark[at])
                    {
                        mark[at] = true;
                        setters[at]++;
                    }
                }
            }

            // Clear the marks for the next annotator, touching only what this one set.
            foreach (var set in sets[a])
            {
                if ((uint)set.Tag < (uint)g)
                {
                    mark[set.Tag * n + set.Sentence] = false;
                }
            }
        }

        var finishers = new int[n];
        for (var s = 0; s < n; s++)
        {
            if ((uint)traceOf[s] >= (uint)traceKeys.Count)
            {
                throw new ArgumentException($"Sentence {s} names trace {traceOf[s]}, but there are {traceKeys.Count} traces.", nameof(traceOf));
            }

            finishers[s] = traceFinishers[traceOf[s]];
        }

        return Build(tags, traceKeys, traceOf, effects, finishers, setters, kind);
    }

    /// <summary>The annotated sentences (finished by someone under the rule) in their given order, traces numbered as they first occur.</summary>
    private static TagEffectTable Build(
        IReadOnlyList<string> tags, IReadOnlyList<string> traceKeys, int[] traceOf, double[] effects, int[] finishers, int[] setters, TagRuleKind kind)
    {
        var n = effects.Length;
        var traces = new List<string>();
        var renumbered = new int[traceKeys.Count];
        Array.Fill(renumbered, -1);
        var annotated = new List<int>();
        for (var s = 0; s < n; s++)
        {
            if (finishers[s] > 0)
            {
                annotated.Add(s);
                if (renumbered[traceOf[s]] < 0)
                {
                    renumbered[traceOf[s]] = traces.Count;
                    traces.Add(traceKeys[traceOf[s]]);
                }
            }
        }

        var tagged = new bool[tags.Count][];
        for (var g = 0; g < tags.Count; g++)
        {
            tagged[g] = new bool[annotated.Count];
            for (var j = 0; j < annotated.Count; j++)
            {
                var s = annotated[j];
                var count = setters[g * n + s];
                tagged[g][j] = kind == TagRuleKind.Majority ? 2 * count > finishers[s] : count > 0;
            }
        }

        var annotatedTraceOf = new int[annotated.Count];
        var annotatedEffects = new double[annotated.Count];
        for (var j = 0; j < annotated.Count; j++)
        {
            annotatedTraceOf[j] = renumbered[traceOf[annotated[j]]];
            annotatedEffects[j] = effects[annotated[j]];
        }

        return new TagEffectTable(tags, traces, annotatedTraceOf, annotatedEffects, tagged);
    }
}
