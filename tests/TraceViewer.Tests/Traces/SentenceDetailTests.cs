using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

public sealed class SentenceDetailTests
{
    private static SentenceDetailView Detail(
        string text = "So the answer is 4.", IReadOnlyList<Alternative>? alternatives = null, SentenceEffects? effects = null) => new(
        TraceId: 7,
        Index: 3,
        Text: text,
        Tags: ["final_answer_emission"],
        Summary: "states the answer",
        Outcomes:
        [
            new SentenceOutcomeDetail(
                "is_correct", "Correct answer",
                Before: new PrefixRate(3, 0.4, 0.2, 0.6, 10, 4),
                After: new PrefixRate(4, 0.9, 0.6, 0.98, 10, 9),
                effects ?? new SentenceEffects(3, new Estimate(0.5, null, null, null, null), new Estimate(0.3, null, null, null, null), 0.7, 0.2, 0.6, Direction.Promotes, 0.3, false),
                Provenance: null),
        ],
        ResampleCount: 10,
        Alternatives: alternatives ?? []);

    private static Task<AngleSharp.Dom.IDocument> RenderAsync(SentenceDetailView detail) =>
        ComponentRenderer.RenderAsync<SentenceDetail>(new() { [nameof(SentenceDetail.Detail)] = detail });

    [Fact]
    public async Task AlternativesAreListedInTheGivenOrderWithTheirCounts()
    {
        Alternative[] alternatives = [new("Two plus two is four.", 6), new("Let me check.", 3), new("Hmm.", 1)];

        var document = await RenderAsync(Detail(alternatives: alternatives));

        var items = document.QuerySelectorAll("li.alternative");
        Assert.Equal(alternatives.Select(a => a.Text), items.Select(i => i.QuerySelector(".alternative-text")!.TextContent));
        Assert.Equal(alternatives.Select(a => $"×{a.Count}"), items.Select(i => i.QuerySelector(".alternative-count")!.TextContent));
    }

    [Fact]
    public async Task RatesShowTheirIntervalAndCounts()
    {
        var document = await RenderAsync(Detail());

        var text = document.QuerySelector(".metrics")!.TextContent;
        Assert.Contains("0.400 [0.200, 0.600] 4/10", text, StringComparison.Ordinal);
        Assert.Contains("0.900 [0.600, 0.980] 9/10", text, StringComparison.Ordinal);
        Assert.Contains("+0.300", document.QuerySelector(".counterfactual")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FallbackIsNamedWhenTheCounterfactualIsNotDefined()
    {
        var fallback = new SentenceEffects(3, new Estimate(-0.2, null, null, null, null), null, 0.1, null, 0.02, Direction.Suppresses, 0.2, true);

        var document = await RenderAsync(Detail(effects: fallback));

        Assert.Contains("fallback: resampling effect", document.QuerySelector(".counterfactual")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("suppresses", document.QuerySelector(".direction-badge")!.GetAttribute("data-direction"));
        Assert.Contains("fallback", document.QuerySelector(".direction-badge")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelTextIsEscaped()
    {
        const string Attack = "<script>alert(1)</script>";

        var document = await RenderAsync(Detail(text: "Fine. " + Attack, alternatives: [new(Attack, 2)]));

        Assert.Empty(document.QuerySelectorAll("script"));
        Assert.Contains(Attack, document.QuerySelector(".detail-text")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(Attack, document.QuerySelector(".alternative-text")!.TextContent);
    }

    [Fact]
    public async Task DeepLinkPointsAtTheSentence()
    {
        var document = await RenderAsync(Detail());

        Assert.Equal("/traces/7/sentences/3", document.QuerySelector("[data-copy-link]")!.GetAttribute("data-copy-link"));
        Assert.Equal("/traces/7/sentences/3", document.QuerySelector(".deep-link input")!.GetAttribute("value"));
    }
}
