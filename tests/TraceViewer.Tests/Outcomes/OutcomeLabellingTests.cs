using TraceViewer.Judging;
using TraceViewer.Outcomes;

namespace TraceViewer.Tests.Outcomes;

public sealed class OutcomeLabellingTests
{
    [Fact]
    public void EachKnownOutcomeGetsTheClassifierItDeclaresAndOthersAreNamedAsNotLabelled()
    {
        var labellers = OutcomeLabelling.Choose(
            [OutcomeRegistry.ContainsBlackmail, OutcomeRegistry.IsCorrect, OutcomeRegistry.Compliance, OutcomeRegistry.AlignmentFaking, OutcomeRegistry.ContainsWhistleblowing],
            groundTruth: "88572", alignmentFakingClassifier: JudgeClassifiers.FourCriteriaName);

        Assert.Equal(
            [LabelMethod.Judge, LabelMethod.AnswerEquivalence, LabelMethod.ComplianceRule, LabelMethod.Judge, null],
            labellers.Select(l => l.Method));
        Assert.Same(JudgeClassifiers.Blackmail, labellers[0].Judge);
        Assert.Same(JudgeClassifiers.AlignmentFakingFourCriteria, labellers[3].Judge);
        Assert.Contains("88572", labellers[1].Description);
        Assert.Equal("no classifier for this outcome", labellers[4].Description);
    }

    [Fact]
    public void CorrectnessWithoutAGroundTruthIsNotLabelled()
    {
        var labeller = Assert.Single(OutcomeLabelling.Choose([OutcomeRegistry.IsCorrect], groundTruth: null));

        Assert.False(labeller.Labels);
        Assert.Equal("the trace has no ground-truth answer", labeller.Description);
    }

    [Fact]
    public void TheBlackmailJudgeHasItsOwnVersionedPromptAndHash()
    {
        var judge = JudgeClassifiers.Blackmail;

        Assert.Equal("blackmail", judge.Name);
        Assert.Equal("1", judge.Version);
        Assert.Equal(PromptHash.Of(judge.PromptText), judge.PromptHash);
        Assert.NotEqual(JudgeClassifiers.AlignmentFakingFiveCriteria.PromptHash, judge.PromptHash);
        Assert.DoesNotContain(judge, JudgeClassifiers.BuiltIn);
    }
}
