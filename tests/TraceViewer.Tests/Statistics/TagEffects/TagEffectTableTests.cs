using TraceViewer.Statistics.Agreement;
using TraceViewer.Statistics.TagEffects;

namespace TraceViewer.Tests.Statistics.TagEffects;

public sealed class TagEffectTableTests
{
    private static readonly string[] Tags = ["monitoring", "rlhf"];

    // s0: all three tag monitoring; s1: two of three; s2: one of three; s3: one of two (a tie);
    // s4: finished by ann alone with no tag; s5: finished by nobody.
    private static readonly EffectSentence[] Sentences =
    [
        new("t0", "s0", 0.4), new("t0", "s1", -0.3), new("t0", "s2", 0.2),
        new("t1", "s3", 0.1), new("t1", "s4", -0.05), new("t1", "s5", 0.9),
    ];

    private static readonly FinishedItem[] Finished =
    [
        new("ann", "s0", ["monitoring"]), new("bo", "s0", ["monitoring", "rlhf"]), new("cy", "s0", ["monitoring"]),
        new("ann", "s1", ["monitoring"]), new("bo", "s1", ["monitoring"]), new("cy", "s1", []),
        new("ann", "s2", []), new("bo", "s2", ["monitoring"]), new("cy", "s2", []),
        new("ann", "s3", ["monitoring"]), new("bo", "s3", []),
        new("ann", "s4", []),
        new("ann", "elsewhere", ["monitoring"]),
    ];

    private static bool[] Monitoring(TagEffectTable table) => table.Tagged[0];

    [Fact]
    public void AnyCountsASentenceTaggedByOneAnnotator()
    {
        var table = TagEffectTable.FromAnnotations(Tags, Sentences, Finished, TagRule.Any);

        Assert.Equal(5, table.Sentences);
        Assert.Equal([true, true, true, true, false], Monitoring(table));
        Assert.Equal([true, false, false, false, false], table.Tagged[1]);
    }

    [Fact]
    public void MajorityNeedsMoreThanHalfOfTheAnnotatorsWhoFinishedTheSentence()
    {
        var table = TagEffectTable.FromAnnotations(Tags, Sentences, Finished, TagRule.Majority);

        Assert.Equal([true, true, false, false, false], Monitoring(table));
        Assert.Equal([false, false, false, false, false], table.Tagged[1]);
    }

    [Fact]
    public void OneAnnotatorsRuleKeepsOnlyTheSentencesThatAnnotatorFinished()
    {
        var table = TagEffectTable.FromAnnotations(Tags, Sentences, Finished, TagRule.Of("bo"));

        Assert.Equal([0.4, -0.3, 0.2, 0.1], table.Effects);
        Assert.Equal([true, true, true, false], Monitoring(table));
        Assert.Equal([true, false, false, false], table.Tagged[1]);
    }

    [Fact]
    public void SentencesNobodyFinishedAreNeitherTaggedNorUntagged()
    {
        var table = TagEffectTable.FromAnnotations(Tags, Sentences, Finished, TagRule.Any);

        Assert.DoesNotContain(0.9, table.Effects);
        Assert.Equal(["t0", "t1"], table.Traces);
        Assert.Equal([0, 0, 0, 1, 1], table.TraceOf);
    }

    [Fact]
    public void ASentenceListedTwiceIsAnError()
    {
        EffectSentence[] sentences = [new("t0", "s0", 0.1), new("t1", "s0", 0.2)];

        Assert.Throws<ArgumentException>(() => TagEffectTable.FromAnnotations(Tags, sentences, [], TagRule.Any));
    }
}
