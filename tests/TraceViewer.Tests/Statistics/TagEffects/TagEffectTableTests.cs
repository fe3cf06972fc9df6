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

    [Theory]
    [InlineData(1, "any")]
    [InlineData(2, "majority")]
    [InlineData(3, "annotator")]
    [InlineData(4, "any")]
    [InlineData(5, "majority")]
    [InlineData(6, "annotator")]
    public void TheIndexedTableEqualsTheAnnotationTable(int seed, string ruleName)
    {
        var kind = ruleName switch { "any" => TagRuleKind.Any, "majority" => TagRuleKind.Majority, _ => TagRuleKind.Annotator };
        // Random traces, annotators who each went through some of them (finishing all their sentences) and tagged some
        // of their sentences, with repeats, unknown tags and tags on traces they did not go through mixed in.
        var random = new Random(seed);
        string[] tags = ["a", "b", "c", "d", "e"];
        var traces = random.Next(1, 30);
        var annotators = random.Next(1, 5);
        var traceKeys = Enumerable.Range(0, traces).Select(t => $"trace{(t * 7919) % 1000}").ToArray();
        var traceOf = new List<int>();
        var effects = new List<double>();
        // Sentences of a trace are not always next to each other, as the indexed form allows.
        for (var t = 0; t < traces; t++)
        {
            for (var i = random.Next(1, 12); i > 0; i--)
            {
                traceOf.Insert(random.Next(traceOf.Count + 1), t);
                effects.Add(random.NextDouble() - 0.5);
            }
        }

        var n = traceOf.Count;
        var finished = Enumerable.Range(0, annotators).Select(_ => Enumerable.Range(0, traces).Select(_ => random.NextDouble() < 0.6).ToArray()).ToArray();
        var sets = Enumerable.Range(0, annotators).Select(_ => new List<TagSet>()).ToArray();
        for (var a = 0; a < annotators; a++)
        {
            for (var k = random.Next(0, n * 2); k > 0; k--)
            {
                sets[a].Add(new TagSet(random.Next(n), random.Next(tags.Length + 1)));
            }
        }

        var annotator = kind == TagRuleKind.Annotator ? random.Next(annotators) : -1;
        var indexed = TagEffectTable.FromIndexed(tags, traceKeys, [.. traceOf], [.. effects], finished, sets, kind, annotator);

        // The same as sentences, items finished by named annotators and tag names.
        var sentences = Enumerable.Range(0, n).Select(s => new EffectSentence(traceKeys[traceOf[s]], $"s{s}", effects[s]));
        var items = new List<FinishedItem>();
        for (var a = 0; a < annotators; a++)
        {
            for (var s = 0; s < n; s++)
            {
                if (finished[a][traceOf[s]])
                {
                    var own = sets[a].Where(x => x.Sentence == s).Select(x => x.Tag < tags.Length ? tags[x.Tag] : "unknown").ToList();
                    items.Add(new FinishedItem($"annotator {a}", $"s{s}", own));
                }
            }
        }

        var rule = kind switch { TagRuleKind.Any => TagRule.Any, TagRuleKind.Majority => TagRule.Majority, _ => TagRule.Of($"annotator {annotator}") };
        var plain = TagEffectTable.FromAnnotations(tags, sentences, items, rule);

        Assert.Equal(plain.Tags, indexed.Tags);
        Assert.Equal(plain.Traces, indexed.Traces);
        Assert.Equal(plain.TraceOf, indexed.TraceOf);
        Assert.Equal(plain.Effects, indexed.Effects);
        Assert.Equal(plain.Tagged.Length, indexed.Tagged.Length);
        for (var g = 0; g < tags.Length; g++)
        {
            Assert.Equal(plain.Tagged[g], indexed.Tagged[g]);
        }

        Assert.Contains(plain.Tagged, flags => flags.Contains(true));
    }
}
