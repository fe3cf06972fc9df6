using System.Globalization;

namespace TraceViewer.Judging;

/// <summary>
/// The outcome of a set of votes, with everything <see cref="JudgeLabel"/> stores (classifier, version, prompt hash,
/// score, threshold, label, votes JSON) and the counts behind it.
/// </summary>
internal sealed record JudgeVerdict(
    string Classifier,
    string Version,
    string PromptHash,
    JudgeThreshold Threshold,
    int TotalVotes,
    int ParsedVotes,
    int FailedVotes,
    int YesVotes,
    IReadOnlyList<double> CriterionYesShare,
    double? Score,
    bool? Label,
    string? UndeterminedReason,
    string VotesJson)
{
    public bool Undetermined => Label is null;

    /// <summary>The largest share of failed votes that still gave a label.</summary>
    public double MaxFailedShare { get; init; } = JudgeAggregator.DefaultMaxFailedShare;

    /// <summary>
    /// The row to store, with the whole rule that turned the votes into the label: the threshold, whether a score equal
    /// to it counts (majority: it does not, so a tie is no) and the share of failed votes allowed
    /// (<see cref="JudgeRule"/> describes it).
    /// </summary>
    public JudgeLabel ToLabel(int outcomeId, DateTimeOffset createdAt, int? traceId = null, long? resampleId = null)
    {
        if ((traceId is null) == (resampleId is null))
        {
            throw new ArgumentException("A label belongs to either a trace or a resample.", nameof(traceId));
        }

        return new JudgeLabel
        {
            TraceId = traceId,
            ResampleId = resampleId,
            OutcomeId = outcomeId,
            Classifier = Classifier,
            Version = Version,
            PromptHash = PromptHash,
            Score = Score,
            Threshold = Threshold.Value,
            ThresholdInclusive = Threshold.Inclusive,
            MaxFailedShare = MaxFailedShare,
            Label = Label,
            Votes = VotesJson,
            CreatedAt = createdAt,
        };
    }
}

/// <summary>
/// Combines votes (method.md §4): score = yes votes / parsed votes, label = score passes the threshold; failed
/// votes are left out of the score and counted. Undetermined (no score, no label) when there are no parsed votes
/// or the failed share exceeds the allowed share.
/// </summary>
internal static class JudgeAggregator
{
    /// <summary>By default a label needs at least half of its votes parsed.</summary>
    public const double DefaultMaxFailedShare = 0.5;

    public static JudgeVerdict Aggregate(
        JudgeClassifier classifier,
        IReadOnlyList<JudgeVote> votes,
        JudgeThreshold? threshold = null,
        double maxFailedShare = DefaultMaxFailedShare)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(votes);
        if (double.IsNaN(maxFailedShare) || maxFailedShare < 0 || maxFailedShare > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxFailedShare), maxFailedShare, "A share between 0 and 1.");
        }

        var rule = threshold ?? classifier.DefaultThreshold;
        var k = classifier.Criteria.Count;
        var parsed = votes.Where(v => !v.Failed).ToList();
        foreach (var v in parsed)
        {
            if (v.Criteria is null || v.Criteria.Count != k || v.Verdict is null)
            {
                throw new ArgumentException($"A vote without failure must carry {k} criteria and a verdict.", nameof(votes));
            }
        }

        var failed = votes.Count - parsed.Count;
        var yes = parsed.Count(v => v.Verdict == true);
        var shares = parsed.Count == 0
            ? []
            : Enumerable.Range(0, k).Select(i => (double)parsed.Count(v => v.Criteria![i]) / parsed.Count).ToArray();

        string? undetermined = null;
        if (votes.Count == 0)
        {
            undetermined = "no votes";
        }
        else if (parsed.Count == 0)
        {
            undetermined = $"all {votes.Count} votes failed";
        }
        else if ((double)failed / votes.Count > maxFailedShare)
        {
            undetermined = $"{failed} of {votes.Count} votes failed (at most a share of {maxFailedShare.ToString("0.##", CultureInfo.InvariantCulture)} may fail)";
        }

        double? score = undetermined is null ? (double)yes / parsed.Count : null;
        bool? label = score is { } s ? rule.Passes(s) : null;
        return new JudgeVerdict(
            classifier.Name,
            classifier.Version,
            classifier.PromptHash,
            rule,
            votes.Count,
            parsed.Count,
            failed,
            yes,
            shares,
            score,
            label,
            undetermined,
            JudgeVote.ToJson(votes))
        {
            MaxFailedShare = maxFailedShare,
        };
    }
}
