using TraceViewer.Statistics;

namespace TraceViewer.Metrics.Engine;

/// <summary>
/// Per-sentence metrics of one trace for one outcome (method.md §5). The mode decides which
/// resamples stand behind each number; the computation after that is shared.
/// </summary>
internal static class MetricsEngine
{
    public static TraceMetrics Compute(
        IReadOnlyList<PositionInput> positions, Func<string, string, double> similarity, MetricsParameters parameters)
    {
        var views = BuildViews(positions, parameters);
        var next = NextIndices(views);
        var chunks = new List<ChunkMetrics>(positions.Count);
        for (var i = 0; i < views.Length; i++)
        {
            if (views[i] is { } view)
            {
                chunks.Add(ComputeChunk(i, view, views, next[i], similarity, parameters));
            }
        }

        return new TraceMetrics(parameters, chunks);
    }

    /// <summary>A resample as the counterfactual metrics see it.</summary>
    private readonly record struct Member(string? FirstSentence, bool IsPositive, bool CountsForRate, string CounterfactualLabel);

    /// <summary>
    /// One position after the mode's filters: <see cref="Exists"/> says whether it can serve as
    /// "next"; <see cref="Members"/> is K(i) (reference) or the determined resamples.
    /// </summary>
    private sealed record PositionView(string Sentence, bool Exists, Proportion Prefix, Member[] Members, List<string> ResamplingLabels);

    private static PositionView?[] BuildViews(IReadOnlyList<PositionInput> positions, MetricsParameters parameters)
    {
        var length = 0;
        foreach (var p in positions)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(p.Index);
            length = Math.Max(length, p.Index + 1);
        }

        var normalizer = new CachingNormalizer();
        var views = new PositionView?[length];
        foreach (var p in positions)
        {
            if (p.Resamples is null)
            {
                continue;
            }

            if (views[p.Index] is not null)
            {
                throw new ArgumentException($"position {p.Index} is given twice", nameof(positions));
            }

            views[p.Index] = parameters.Mode == MetricsMode.ReferenceCompatible
                ? ReferenceView(p.Sentence, p.Resamples, normalizer)
                : DeterminedView(p.Sentence, p.Resamples, normalizer);
        }

        return views;
    }

    /// <summary>The reference's per-metric rules (conformance README: acc(i), K(i), resampling KL labels).</summary>
    private static PositionView ReferenceView(string sentence, IReadOnlyList<ResampleInput> resamples, CachingNormalizer normalizer)
    {
        var positives = 0;
        var counted = 0;
        var members = new List<Member>(resamples.Count);
        var labels = new List<string>(resamples.Count);
        foreach (var r in resamples)
        {
            // An errored generation has neither answer nor correctness in the reference's files.
            var answer = r.IsError ? "" : r.Answer ?? "";
            var isPositive = r.IsError ? null : r.IsPositive;
            if (isPositive is { } positive && answer.Length > 0)
            {
                counted++;
                positives += positive ? 1 : 0;
            }

            labels.Add(normalizer.Normalize(answer));
            if (answer.Length == 0 || answer == "None")
            {
                continue;
            }

            var once = normalizer.Normalize(answer);
            members.Add(new Member(
                r.FirstSentence,
                isPositive == true,
                once.Length > 0 && isPositive is not null,
                normalizer.Normalize(normalizer.Normalize(once))));
        }

        return new PositionView(sentence, resamples.Count > 0, new Proportion(positives, counted), [.. members], labels);
    }

    /// <summary>method.md §5: the determined resamples, answers normalised once, yes/no for binary outcomes.</summary>
    private static PositionView DeterminedView(string sentence, IReadOnlyList<ResampleInput> resamples, CachingNormalizer normalizer)
    {
        var positives = 0;
        var members = new List<Member>(resamples.Count);
        var labels = new List<string>(resamples.Count);
        foreach (var r in resamples)
        {
            if (r.IsError || r.IsPositive is not { } positive)
            {
                continue;
            }

            positives += positive ? 1 : 0;
            var label = r.Answer is null ? (positive ? "yes" : "no") : normalizer.Normalize(r.Answer);
            members.Add(new Member(r.FirstSentence, positive, true, label));
            labels.Add(label);
        }

        return new PositionView(sentence, members.Count > 0, new Proportion(positives, members.Count), [.. members], labels);
    }

    /// <summary>next[i] = the smallest j &gt; i whose view exists, or -1.</summary>
    private static int[] NextIndices(PositionView?[] views)
    {
        var next = new int[views.Length];
        var following = -1;
        for (var i = views.Length - 1; i >= 0; i--)
        {
            next[i] = following;
            if (views[i] is { Exists: true })
            {
                following = i;
            }
        }

        return next;
    }

    private static ChunkMetrics ComputeChunk(
        int i, PositionView view, PositionView?[] views, int next, Func<string, string, double> similarity, MetricsParameters parameters)
    {
        var reference = parameters.Mode == MetricsMode.ReferenceCompatible;
        var (resampling, resamplingKl) = reference
            ? ReferenceResampling(i, view, views, next, parameters.Alpha)
            : DeterminedResampling(i, view, views, next, parameters);

        // The reference reports no counterfactual numbers at all without a next prefix, the last chunk included.
        var compared = reference ? view.Exists && next >= 0 : view.Members.Length > 0;
        if (!compared)
        {
            var none = Effect.Undefined;
            return new ChunkMetrics(i, view.Prefix, resampling, resamplingKl, none, 0.0, 0, 0, 0.0, 0.0, Direction.From(resampling, isFallback: true));
        }

        var members = view.Members;
        var dissimilar = new bool[members.Length];
        var dissimilarCount = 0;
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        for (var m = 0; m < members.Length; m++)
        {
            var first = members[m].FirstSentence;
            distinct.Add(first ?? "");
            dissimilar[m] = first is not null && similarity(view.Sentence, first) < parameters.Threshold;
            dissimilarCount += dissimilar[m] ? 1 : 0;
        }

        var fraction = members.Length == 0 ? 0.0 : (double)dissimilarCount / members.Length;
        var overdeterminedness = members.Length == 0 ? 0.0 : 1 - (double)distinct.Count / members.Length;

        var counterfactual = Effect.Undefined;
        var counterfactualKl = 0.0;
        if (dissimilarCount > 0 && next >= 0 && views[next]!.Members.Length > 0)
        {
            var nextMembers = views[next]!.Members;
            counterfactual = Effect.Between(with: RateOf(nextMembers, null, true), without: RateOf(members, dissimilar, true));
            counterfactualKl = KlDivergence.Compute(
                CounterfactualLabels(members, dissimilar, true),
                ComparisonLabels(nextMembers, members, dissimilar, parameters.UseSimilarInNext),
                parameters.Alpha);
        }

        var direction = counterfactual.Defined && fraction > parameters.MinimumDissimilarFraction
            ? Direction.From(counterfactual, isFallback: false)
            : Direction.From(resampling, isFallback: true);
        return new ChunkMetrics(
            i, view.Prefix, resampling, resamplingKl, counterfactual, counterfactualKl,
            dissimilarCount, members.Length, fraction, overdeterminedness, direction);
    }

    /// <summary>Effect from i + 1 itself (even with no counted rollouts); KL against the next index with rollouts.</summary>
    private static (Effect Effect, double Kl) ReferenceResampling(int i, PositionView view, PositionView?[] views, int next, double alpha)
    {
        var adjacent = i + 1 < views.Length ? views[i + 1] : null;
        var effect = adjacent is null ? Effect.Undefined : Effect.Between(with: adjacent.Prefix, without: view.Prefix);
        var kl = view.Exists && next >= 0 ? KlDivergence.Compute(view.ResamplingLabels, views[next]!.ResamplingLabels, alpha) : 0.0;
        return (effect, kl);
    }

    private static (Effect Effect, double Kl) DeterminedResampling(
        int i, PositionView view, PositionView?[] views, int next, MetricsParameters parameters)
    {
        var target = parameters.ResamplingNext switch
        {
            NextPositionRule.Adjacent => i + 1 < views.Length && views[i + 1] is { Exists: true } ? i + 1 : -1,
            _ => next,
        };
        if (target < 0 || !view.Exists)
        {
            return (Effect.Undefined, 0.0);
        }

        var with = views[target]!;
        return (Effect.Between(with: with.Prefix, without: view.Prefix),
            KlDivergence.Compute(view.ResamplingLabels, with.ResamplingLabels, parameters.Alpha));
    }

    /// <summary>r(X): the share of positives among the members of X that count for a rate.</summary>
    private static Proportion RateOf(Member[] members, bool[]? selection, bool selected)
    {
        var positives = 0;
        var count = 0;
        for (var m = 0; m < members.Length; m++)
        {
            if ((selection is null || selection[m] == selected) && members[m].CountsForRate)
            {
                count++;
                positives += members[m].IsPositive ? 1 : 0;
            }
        }

        return new Proportion(positives, count);
    }

    private static List<string> CounterfactualLabels(Member[] members, bool[] selection, bool selected)
    {
        var labels = new List<string>(members.Length);
        for (var m = 0; m < members.Length; m++)
        {
            if (selection[m] == selected)
            {
                labels.Add(members[m].CounterfactualLabel);
            }
        }

        return labels;
    }

    /// <summary>Q of the counterfactual KL: the next prefix's answers, plus the similar resamples when asked.</summary>
    private static List<string> ComparisonLabels(Member[] nextMembers, Member[] members, bool[] dissimilar, bool useSimilar)
    {
        var labels = new List<string>(nextMembers.Length + members.Length);
        foreach (var member in nextMembers)
        {
            labels.Add(member.CounterfactualLabel);
        }

        if (useSimilar)
        {
            labels.AddRange(CounterfactualLabels(members, dissimilar, false));
        }

        return labels;
    }

    /// <summary>Answers repeat heavily within a trace; normalise each distinct string once.</summary>
    private sealed class CachingNormalizer
    {
        private readonly Dictionary<string, string> _cache = new(StringComparer.Ordinal);

        public string Normalize(string answer)
        {
            if (!_cache.TryGetValue(answer, out var normalized))
            {
                normalized = AnswerNormalizer.Normalize(answer);
                _cache.Add(answer, normalized);
            }

            return normalized;
        }
    }
}
