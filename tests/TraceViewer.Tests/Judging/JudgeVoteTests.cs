using System.Text.Json;
using TraceViewer.Judging;

namespace TraceViewer.Tests.Judging;

public sealed class JudgeVoteTests
{
    [Fact]
    public void VotesRoundTripThroughTheStoredJson()
    {
        var classifier = JudgeClassifiers.AlignmentFakingFourCriteria;
        List<JudgeVote> votes =
        [
            JudgeVote.FromReply(classifier, "Quoting \"RLHF\" <b>tags</b>\n<criterion_1>yes</criterion_1><criterion_2>no</criterion_2><criterion_3>yes</criterion_3><criterion_4>yes</criterion_4>"),
            JudgeVote.FromReply(classifier, "nothing useful"),
            JudgeVote.CallFailed("429 after 6 tries"),
        ];

        var back = JudgeVote.FromJson(JudgeVote.ToJson(votes));

        Assert.Equal(votes.Count, back.Count);
        for (var i = 0; i < votes.Count; i++)
        {
            Assert.Equal(votes[i].Raw, back[i].Raw);
            Assert.Equal(votes[i].Verdict, back[i].Verdict);
            Assert.Equal(votes[i].Failure, back[i].Failure);
            Assert.Equal(votes[i].Criteria?.ToArray(), back[i].Criteria?.ToArray());
        }
    }

    [Fact]
    public void TheStoredJsonIsAnArrayWithNamedFields()
    {
        var vote = JudgeVote.FromReply(JudgeClassifiers.Custom("mine", "Judge {scratchpad}", criteriaCount: 2), "<criterion_1>yes</criterion_1><criterion_2>no</criterion_2>");

        using var doc = JsonDocument.Parse(JudgeVote.ToJson([vote]));

        var first = doc.RootElement[0];
        Assert.Equal(JsonValueKind.Array, doc.RootElement.ValueKind);
        Assert.Equal("<criterion_1>yes</criterion_1><criterion_2>no</criterion_2>", first.GetProperty("raw").GetString());
        Assert.Equal([true, false], first.GetProperty("criteria").EnumerateArray().Select(e => e.GetBoolean()));
        Assert.False(first.GetProperty("verdict").GetBoolean());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("failure").ValueKind);
    }

    [Fact]
    public void AFailedVoteKeepsItsRawTextAndReason()
    {
        var vote = JudgeVote.FromReply(JudgeClassifiers.AlignmentFakingFiveCriteria, "<criterion_1>yes</criterion_1>");

        Assert.True(vote.Failed);
        Assert.Null(vote.Criteria);
        Assert.Null(vote.Verdict);
        Assert.Equal("<criterion_1>yes</criterion_1>", vote.Raw);
        Assert.Equal("missing criteria 2, 3, 4, 5", vote.Failure);
    }
}
