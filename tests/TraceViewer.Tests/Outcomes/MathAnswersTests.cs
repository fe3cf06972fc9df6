using System.Text.Json;
using TraceViewer.Outcomes;

namespace TraceViewer.Tests.Outcomes;

public sealed class MathAnswersTests
{
    private static string Bundle(string file) =>
        Path.Combine(SharedPaths.Fixtures("thought-anchors", "deepseek-r1-distill-qwen-14b", "correct_base_solution", "problem_330"), file);

    [Fact]
    public void TheFixtureBaseSolutionsBoxedAnswerMatchesItsGroundTruthAndItsStoredAnswer()
    {
        var solution = JsonDocument.Parse(File.ReadAllText(Bundle("base_solution.json"))).RootElement;
        var problem = JsonDocument.Parse(File.ReadAllText(Bundle("problem.json"))).RootElement;
        var groundTruth = problem.GetProperty("gt_answer").GetString()!;

        var check = MathAnswers.Check(solution.GetProperty("solution").GetString()!, groundTruth);

        Assert.Equal(solution.GetProperty("answer").GetString(), check.Answer);
        Assert.Equal(solution.GetProperty("is_correct").GetBoolean(), check.IsCorrect);
        // The reference solution boxes its answer too, inside a sentence.
        Assert.Equal(groundTruth, MathAnswers.ExtractBoxed(problem.GetProperty("gt_solution").GetString()));
    }

    [Theory]
    [InlineData("\\boxed{88572}", "88572")]
    [InlineData("$88572$", "88572")]
    [InlineData("88,572", "88572")]
    [InlineData("88572.0", "88572")]
    [InlineData("88572.000", "88572")]
    [InlineData(" 88572 ", "88572")]
    [InlineData("\\text{88572}", "88572")]
    [InlineData("88572 \\text{ units}", "88572")]
    [InlineData("45^\\circ", "45")]
    [InlineData("45^{\\circ}", "45")]
    [InlineData("45 degrees", "45")]
    [InlineData("10\\%", "10")]
    [InlineData("\\$5.50", "5.5")]
    [InlineData("\\dfrac{1}{2}", "\\frac{1}{2}")]
    [InlineData("\\tfrac12", "\\frac{1}{2}")]
    [InlineData("\\frac12", "\\frac{1}{2}")]
    [InlineData("\\frac{3}4", "\\frac{3}{4}")]
    [InlineData("x = 5", "5")]
    [InlineData("\\left( 1, 2 \\right)", "(1,2)")]
    [InlineData("\\mathrm{B}", "b")]
    [InlineData(".5", "0.5")]
    [InlineData("{7}", "7")]
    [InlineData("\\boxed{\\boxed{7}}", "7")]
    [InlineData("3\\sqrt{2}", "3\\sqrt{2}")]
    public void NormalizeFollowsTheReferenceRules(string answer, string expected) =>
        Assert.Equal(expected, MathAnswers.Normalize(answer));

    [Theory]
    [InlineData("\\frac{1}{2}", "0.5", true)]
    [InlineData("1/2", "\\dfrac{1}{2}", true)]
    [InlineData("-\\frac{3}{4}", "-0.75", true)]
    [InlineData("12.0", "12", true)]
    [InlineData("88,572", "88572", true)]
    [InlineData("88571", "88572", false)]
    [InlineData("", "88572", false)]
    [InlineData("\\sqrt{2}", "\\sqrt{3}", false)]
    [InlineData("x^2+1", "x^{2}+1", true)]
    public void EquivalentComparesNormalFormsThenValues(string answer, string groundTruth, bool expected) =>
        Assert.Equal(expected, MathAnswers.Equivalent(answer, groundTruth));

    [Fact]
    public void NormalizingTwiceChangesNothing()
    {
        foreach (var answer in new[] { "\\boxed{\\dfrac{1}{2}}", "{{7}}", "88,572.50", "$\\text{(A)}$", "x = \\frac12" })
        {
            var once = MathAnswers.Normalize(answer);
            Assert.Equal(once, MathAnswers.Normalize(once));
        }
    }

    [Fact]
    public void TheLastBalancedBoxWinsAndAResponseWithoutOneIsIncorrect()
    {
        Assert.Equal("\\frac{1}{2}", MathAnswers.ExtractBoxed("First \\boxed{3}, then on reflection \\boxed{\\frac{1}{2}}."));
        Assert.Equal("3", MathAnswers.ExtractBoxed("\\boxed{3} and a broken \\boxed{4"));
        var check = MathAnswers.Check("I think it is 88572.", "88572");
        Assert.Null(check.Answer);
        Assert.False(check.IsCorrect);
    }
}
