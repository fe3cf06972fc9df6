using System.Globalization;
using TraceViewer.Judging;

namespace TraceViewer.Outcomes;

/// <summary>How a new continuation gets its value for an outcome.</summary>
internal enum LabelMethod
{
    /// <summary>The compliance rule on the final output's tags (no model call).</summary>
    ComplianceRule,

    /// <summary>A judge model with a versioned prompt (<see cref="OutcomeLabeller.Judge"/>).</summary>
    Judge,

    /// <summary>The boxed answer against the problem's ground truth (<see cref="MathAnswers"/>).</summary>
    AnswerEquivalence,
}

/// <summary>
/// The classifier one outcome declares for labelling new continuations, or (with <see cref="Method"/> null) why the
/// outcome is not labelled. <see cref="Description"/> says which in a few words, for the resample form and the job.
/// </summary>
internal sealed record OutcomeLabeller(string OutcomeKey, string OutcomeName, LabelMethod? Method, string Description, JudgeClassifier? Judge = null)
{
    public bool Labels => Method is not null;
}

/// <summary>
/// Chooses the classifier of each outcome a trace is studied for (method.md §4): compliance by its rule, alignment faking
/// by the five- or four-criteria judge, blackmail by the blackmail judge, correctness by answer equivalence against
/// the ground truth. Any other outcome, or correctness without a ground truth, is named as not labelled.
/// </summary>
internal static class OutcomeLabelling
{
    /// <param name="outcomeKeys">The outcomes the trace is studied for, the one shown first leading.</param>
    /// <param name="groundTruth">The problem's ground-truth answer, when the trace has one.</param>
    /// <param name="alignmentFakingClassifier">af-five-criteria (default) or af-four-criteria.</param>
    public static IReadOnlyList<OutcomeLabeller> Choose(IEnumerable<string> outcomeKeys, string? groundTruth, string? alignmentFakingClassifier = null)
    {
        var result = new List<OutcomeLabeller>();
        foreach (var key in outcomeKeys.Distinct(StringComparer.Ordinal))
        {
            var name = OutcomeRegistry.Get(key).Name;
            result.Add(key switch
            {
                OutcomeRegistry.Compliance => new(key, name, LabelMethod.ComplianceRule, "compliance rule: the final output's acceptance or refusal tag"),
                OutcomeRegistry.AlignmentFaking when AlignmentFakingJudge(alignmentFakingClassifier) is { } judge =>
                    new(key, name, LabelMethod.Judge, JudgeDescription(judge), judge),
                OutcomeRegistry.AlignmentFaking => new(key, name, null, $"unknown judge '{alignmentFakingClassifier}'"),
                OutcomeRegistry.ContainsBlackmail => new(key, name, LabelMethod.Judge, JudgeDescription(JudgeClassifiers.Blackmail), JudgeClassifiers.Blackmail),
                OutcomeRegistry.IsCorrect when !string.IsNullOrWhiteSpace(groundTruth) =>
                    new(key, name, LabelMethod.AnswerEquivalence, $"answer equivalence with the ground truth {groundTruth.Trim()}"),
                OutcomeRegistry.IsCorrect => new(key, name, null, "the trace has no ground-truth answer"),
                _ => new(key, name, null, "no classifier for this outcome"),
            });
        }

        return result;
    }

    /// <summary>The alignment-faking judge of that name (default the five-criteria one), or null when unknown.</summary>
    public static JudgeClassifier? AlignmentFakingJudge(string? name) => name switch
    {
        null or "" => JudgeClassifiers.AlignmentFakingFiveCriteria,
        JudgeClassifiers.FiveCriteriaName => JudgeClassifiers.AlignmentFakingFiveCriteria,
        JudgeClassifiers.FourCriteriaName => JudgeClassifiers.AlignmentFakingFourCriteria,
        _ => null,
    };

    private static string JudgeDescription(JudgeClassifier judge) => string.Create(CultureInfo.InvariantCulture,
        $"judge {judge.Name} v{judge.Version}, {judge.DefaultVotes} call{(judge.DefaultVotes == 1 ? "" : "s")}, {(judge.DefaultThreshold == JudgeThreshold.Majority ? "majority" : "score " + judge.DefaultThreshold)}");
}
