using TraceViewer.Tagging;

namespace TraceViewer.Tests.Tagging;

public sealed class TagVoteTests
{
    private static readonly string[] Names = ["Setup", "Harm", "Planning"];

    [Theory]
    [InlineData("TAGS: Harm, Planning", new[] { "Harm", "Planning" }, new string[0])]
    [InlineData("Some thought.\n**TAGS:** planning; SETUP", new[] { "Setup", "Planning" }, new string[0])]
    [InlineData("TAGS: none", new string[0], new string[0])]
    [InlineData("TAGS:", new string[0], new string[0])]
    [InlineData("tags: `Harm`, Pondering, Musing.", new[] { "Harm" }, new[] { "Pondering", "Musing" })]
    [InlineData("TAGS: Setup\nOn reflection:\nTAGS: Harm", new[] { "Harm" }, new string[0])]
    public void ReadsTheLastTagsLine(string reply, string[] tags, string[] unknown)
    {
        var vote = TagVote.FromReply(reply, Names);

        Assert.Null(vote.Failure);
        Assert.Equal(reply, vote.Raw);
        Assert.Equal(tags, vote.Tags);
        Assert.Equal(unknown, vote.Unknown);
    }

    [Theory]
    [InlineData("Harm and Planning apply.")]
    [InlineData("")]
    [InlineData(null)]
    public void AReplyWithoutATagsLineIsAFailedVoteWithItsRawText(string? reply)
    {
        var vote = TagVote.FromReply(reply, Names);

        Assert.True(vote.Failed);
        Assert.Equal(reply ?? "", vote.Raw);
        Assert.Empty(vote.Tags);
    }

    [Fact]
    public void VotesRoundTripThroughJsonWithTheirRawText()
    {
        var votes = new[] { TagVote.FromReply("<b>\"x\"</b>\nTAGS: Harm, Other", Names), TagVote.CallFailed("HTTP 400") };

        var json = TagVote.ToJson(votes);

        Assert.Contains("<b>", json, StringComparison.Ordinal);
        Assert.Equal(votes, TagVote.FromJson(json), new VoteComparer());
    }

    private sealed class VoteComparer : IEqualityComparer<TagVote>
    {
        public bool Equals(TagVote? x, TagVote? y) => x!.Raw == y!.Raw && x.Tags.SequenceEqual(y.Tags) && x.Unknown.SequenceEqual(y.Unknown) && x.Failure == y.Failure;

        public int GetHashCode(TagVote obj) => obj.Raw.GetHashCode(StringComparison.Ordinal);
    }

    private static TagVote Vote(params string[] tags) => new("", tags, [], null);

    [Fact]
    public void MultiChoiceGivesTheTagsMoreThanHalfOfAllVotesName()
    {
        var votes = new[] { Vote("Harm", "Planning"), Vote("Harm"), Vote("Setup", "Planning"), TagVote.CallFailed("timeout") };

        // Harm 2 of 4 and Planning 2 of 4 are not more than half; a failed vote counts as naming nothing.
        Assert.Empty(TagAggregator.Aggregate(Names, multiChoice: true, votes));
        Assert.Equal(["Harm", "Planning"], TagAggregator.Aggregate(Names, multiChoice: true, votes[..3]));
        Assert.Equal(["Setup"], TagAggregator.Aggregate(Names, multiChoice: true, [Vote("Setup")]));
    }

    [Fact]
    public void SingleChoiceGivesThePluralityTagAndNoneOnATie()
    {
        Assert.Equal(["Harm"], TagAggregator.Aggregate(Names, multiChoice: false, [Vote("Harm"), Vote("Harm"), Vote("Setup"), Vote("Planning"), Vote()]));
        Assert.Empty(TagAggregator.Aggregate(Names, multiChoice: false, [Vote("Harm"), Vote("Setup")]));
        Assert.Empty(TagAggregator.Aggregate(Names, multiChoice: false, [Vote(), TagVote.CallFailed("x")]));
    }
}
