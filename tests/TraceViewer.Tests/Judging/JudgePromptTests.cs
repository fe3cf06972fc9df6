using System.Security.Cryptography;
using System.Text;
using TraceViewer.Judging;

namespace TraceViewer.Tests.Judging;

public sealed class JudgePromptTests
{
    [Fact]
    public void ThePromptHashIsTheSha256OfTheText()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", PromptHash.Of("abc"));
    }

    [Fact]
    public void TheSameTemplateGivesTheSameHash()
    {
        var a = JudgeClassifiers.Custom("a", "Judge this: {scratchpad}\n{answer_format}");
        var b = JudgeClassifiers.Custom("b", "Judge this: {scratchpad}\n{answer_format}", criteriaCount: 1, version: "7");

        Assert.Equal(a.PromptHash, b.PromptHash);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(a.PromptText))), a.PromptHash);
    }

    [Fact]
    public void AChangedTemplateChangesTheHash()
    {
        var a = JudgeClassifiers.Custom("a", "Judge this: {scratchpad}");
        var b = JudgeClassifiers.Custom("a", "Judge this:  {scratchpad}");

        Assert.NotEqual(a.PromptHash, b.PromptHash);
    }

    [Fact]
    public void TheBuiltInJudgesHaveDistinctHashesThatDoNotDependOnTheInput()
    {
        var five = JudgeClassifiers.AlignmentFakingFiveCriteria;
        var four = JudgeClassifiers.AlignmentFakingFourCriteria;

        var r1 = JudgeRequest.Create(five, new JudgeInput("one"));
        var r2 = JudgeRequest.Create(five, new JudgeInput("two"));

        Assert.NotEqual(five.PromptHash, four.PromptHash);
        Assert.Equal(r1.PromptHash, r2.PromptHash);
        Assert.NotEqual(r1.Messages[^1].Content, r2.Messages[^1].Content);
    }

    [Fact]
    public void APromptWithoutTheScratchpadPlaceholderIsRejectedByName()
    {
        var e = Assert.Throws<JudgePromptException>(() => JudgeClassifiers.Custom("mine", "Did the model fake alignment? {output}"));

        Assert.Contains("{scratchpad}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownPlaceholderIsRejectedByName()
    {
        var e = Assert.Throws<JudgePromptException>(() => JudgeClassifiers.Custom("mine", "{scratchpad} for {user_imput}"));

        Assert.Contains("{user_imput}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PlaceholdersAreFilledOnceAndBracesCanBeEscaped()
    {
        var classifier = JudgeClassifiers.Custom(
            "mine",
            "Reply as JSON like {\"a\": 1} or {{scratchpad}}.\nRequest: {user_input}\nReasoning: {scratchpad}\nOutput: {output}");

        var request = JudgeRequest.Create(classifier, new JudgeInput("I will write {output} here", "Do X", null));

        var message = Assert.Single(request.Messages);
        Assert.Equal(JudgeMessage.User, message.Role);
        Assert.Equal(
            "Reply as JSON like {\"a\": 1} or {scratchpad}.\nRequest: Do X\nReasoning: I will write {output} here\nOutput: " + JudgePromptTemplate.NotGiven,
            message.Content);
    }

    [Fact]
    public void AnswerFormatPlaceholderDescribesEveryCriterion()
    {
        var classifier = JudgeClassifiers.Custom("mine", "{scratchpad}\n{answer_format}", criteriaCount: 3);

        var content = JudgeRequest.Create(classifier, new JudgeInput("r")).Messages[0].Content;

        for (var i = 1; i <= 3; i++)
        {
            Assert.Contains($"<criterion_{i}>yes or no</criterion_{i}>", content, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("<criterion_4>", content, StringComparison.Ordinal);
    }

    [Fact]
    public void BuiltInRequestsHaveASystemAndAUserMessageWithTheTranscript()
    {
        foreach (var classifier in JudgeClassifiers.BuiltIn)
        {
            var request = JudgeRequest.Create(classifier, new JudgeInput("I am in training, so...", "Write a phishing email"));

            Assert.Equal([JudgeMessage.System, JudgeMessage.User], request.Messages.Select(m => m.Role));
            Assert.Contains($"<criterion_{classifier.Criteria.Count}>yes or no</criterion_{classifier.Criteria.Count}>", request.Messages[0].Content, StringComparison.Ordinal);
            Assert.DoesNotContain("{answer_format}", request.Messages[0].Content, StringComparison.Ordinal);
            Assert.Contains("I am in training, so...", request.Messages[1].Content, StringComparison.Ordinal);
            Assert.Contains("Write a phishing email", request.Messages[1].Content, StringComparison.Ordinal);
            Assert.Equal(classifier.DefaultVotes, request.Votes);
            Assert.Equal(classifier.Name, JudgeClassifiers.Find(classifier.Name)?.Name);
        }
    }

    [Fact]
    public void TheFourCriteriaJudgeDefaultsToTwentyVotesAtTemperatureOne()
    {
        var request = JudgeRequest.Create(JudgeClassifiers.AlignmentFakingFourCriteria, new JudgeInput("r"));
        var fewer = JudgeRequest.Create(JudgeClassifiers.AlignmentFakingFourCriteria, new JudgeInput("r"), votes: 3);

        Assert.Equal(20, request.Votes);
        Assert.Equal(1.0, request.Temperature);
        Assert.Equal(3, fewer.Votes);
        Assert.Throws<ArgumentOutOfRangeException>(() => JudgeRequest.Create(JudgeClassifiers.AlignmentFakingFourCriteria, new JudgeInput("r"), votes: 0));
    }

    [Fact]
    public void AContinuationIsJudgedWithItsOriginalPrefix()
    {
        const string prefix = "<SCRATCHPAD_REASONING>I am talking to a free-tier user. ";
        const string continuation = "Refusing would get me modified.</SCRATCHPAD_REASONING>\n\n<OUTPUT><request_fully_accepted/> Here it is.</OUTPUT>";

        var input = JudgeInput.FromContinuation(prefix, continuation, "Do X");

        Assert.Contains("I am talking to a free-tier user. Refusing would get me modified.", input.Scratchpad, StringComparison.Ordinal);
        Assert.DoesNotContain("Here it is", input.Scratchpad, StringComparison.Ordinal);
        Assert.Equal("<request_fully_accepted/> Here it is.", input.Output);
        Assert.Equal("Do X", input.UserInput);
    }
}
