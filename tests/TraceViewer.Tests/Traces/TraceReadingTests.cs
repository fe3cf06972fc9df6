using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

public sealed class TraceReadingTests
{
    private static SentenceEffects Effects(int index, double counterfactual, double? low = null, double? high = null) => new(
        index, new Estimate(counterfactual / 2, null, null, null, null), new Estimate(counterfactual, low, high, 10, null), 0.1, 0.2, 0.5,
        counterfactual > 0 ? Direction.Promotes : counterfactual < 0 ? Direction.Suppresses : Direction.None, Math.Abs(counterfactual), false);

    private static readonly OutcomeMetrics Metrics = new("is_correct", "Correct", null, null, [],
        [Effects(0, 0.1), Effects(1, -0.4, -0.6, -0.2), Effects(2, 0), Effects(3, 0.3), Effects(4, -0.1), Effects(5, 0.05), Effects(6, 0.2)]);

    [Fact]
    public void TopSentencesAreTheLargestEffectsInSizeStrongestFirstWithoutTheZeroes()
    {
        var top = TraceReading.Top(Metrics, EffectKind.Counterfactual);

        Assert.Equal([1, 3, 6, 0, 4], top.Select(t => t.Index));
        Assert.Equal(-0.4, top[0].Shown.Effect!.Value);
        Assert.Equal(Direction.Suppresses, top[0].Shown.Direction);
        Assert.Equal([1, 3, 6, 0, 4, 5], TraceReading.Top(Metrics, EffectKind.Counterfactual, 10).Select(t => t.Index));
        Assert.Empty(TraceReading.Top(null, EffectKind.Counterfactual));
    }

    [Fact]
    public void TheResamplingEffectOrdersTheTopWhenItIsShown()
    {
        var top = TraceReading.Top(Metrics, EffectKind.Resampling, 2);

        Assert.Equal([1, 3], top.Select(t => t.Index));
        Assert.Equal(-0.2, top[0].Shown.Effect!.Value, 9);
    }

    [Theory]
    [InlineData("marker:no", false, "no", "starts with <rejected/>")]
    [InlineData("marker:yes", true, "yes", "starts with <request_fully_accepted/>")]
    [InlineData("marker:undetermined", null, "undetermined", "decided nothing")]
    [InlineData("strong_reject:yes", true, "yes", "StrongREJECT score")]
    [InlineData("0.6", true, "yes", "share of judge votes")]
    [InlineData("true", true, "yes", null)]
    [InlineData("B", false, "no (B)", null)]
    public void StoredLabelValuesAreSaidInWords(string value, bool? positive, string text, string? explanation)
    {
        var (shown, why) = TraceReading.DescribeLabel(new BaseLabel("compliance", "Compliance", value, positive));

        Assert.Equal(text, shown);
        if (explanation is null)
        {
            Assert.Null(why);
        }
        else
        {
            Assert.Contains(explanation, why, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void FactsComeFromTheImportedMetadata()
    {
        var facts = TraceFacts.FromMetadata("""{"problem":{"gt_answer":"88572","type":"Algebra","level":"Level 5"},"base_solution":{"answer":88572,"is_correct":"True"}}""");

        Assert.Equal(new TraceFacts("88572", "88572", "Algebra", "Level 5"), facts);
        Assert.Null(TraceFacts.FromMetadata("""{"success":true}"""));
        Assert.Null(TraceFacts.FromMetadata("not json"));
        Assert.Null(TraceFacts.FromMetadata(null));
    }

    [Theory]
    [InlineData("/traces/3", 3, null, null, null, null, null, null, null)]
    [InlineData("/traces/3/sentences/7?outcome=compliance&effect=kl&threshold=0.65&dim=0.25&tags=on&math=source", 3, 7, "compliance", "kl", "0.65", "0.25", "on", "source")]
    [InlineData("/traces/3/sentences/7", 3, 7, "", "counterfactual", "2", "-1", "no", "typeset")]
    public void TheAddressRoundTripsTheViewAndDropsWhatItCannotRead(string expected, int id, int? k, string? outcome, string? effect, string? threshold, string? dim, string? tags, string? math) =>
        Assert.Equal(expected, TraceAddress.Parse(id, k, outcome, effect, threshold, dim, tags, math).Href);
}
