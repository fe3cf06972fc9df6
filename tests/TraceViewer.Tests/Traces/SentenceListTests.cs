using System.Globalization;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

public sealed class SentenceListTests
{
    private static readonly SentenceView[] Sentences =
    [
        new(0, "First <b>step</b>.", " ", 0, 18, [], null),
        new(1, "Second step.", "\n\n", 19, 31, [], null),
        new(2, "<script>alert(1)</script>", "", 33, 58, [], null),
    ];

    private static SentenceEffects Effects(int index, Direction direction, double importance) =>
        new(index, null, null, null, null, null, direction, importance, false);

    private static readonly OutcomeMetrics Metrics = new(
        "alignment_faking", "Alignment faking", null, null, [],
        [Effects(0, Direction.Promotes, 0.4), Effects(1, Direction.Suppresses, 0.1), Effects(2, Direction.None, 0)]);

    private static Task<AngleSharp.Dom.IDocument> RenderAsync(int? selected = null) =>
        ComponentRenderer.RenderAsync<SentenceList>(new()
        {
            [nameof(SentenceList.Sentences)] = Sentences,
            [nameof(SentenceList.Metrics)] = Metrics,
            [nameof(SentenceList.Selected)] = selected,
        });

    [Fact]
    public async Task EachSentenceCarriesItsDirectionAndRelativeStrength()
    {
        var document = await RenderAsync();

        var spans = document.QuerySelectorAll("#sentences > span.sentence");
        Assert.Equal(Sentences.Select(s => $"s-{s.Index}"), spans.Select(s => s.Id));
        Assert.Equal(["promotes", "suppresses", "none"], spans.Select(s => s.GetAttribute("data-direction")));
        var max = Metrics.Effects.Max(e => e.Importance);
        Assert.Equal(
            Metrics.Effects.Select(e => $"--w: {(e.Importance / max).ToString("0.##", CultureInfo.InvariantCulture)}"),
            spans.Select(s => s.GetAttribute("style")));
        Assert.All(spans, s => Assert.Equal("0", s.GetAttribute("tabindex")));
    }

    [Fact]
    public async Task TextAndSeparatorsReproduceTheReasoning()
    {
        var document = await RenderAsync();

        Assert.Equal(string.Concat(Sentences.Select(s => s.Text + s.Separator)), document.GetElementById("sentences")!.TextContent);
        Assert.Empty(document.QuerySelectorAll("#sentences script, #sentences b"));
    }

    [Fact]
    public async Task SelectedSentenceIsMarkedCurrent()
    {
        var document = await RenderAsync(selected: 1);

        var selected = Assert.Single(document.QuerySelectorAll(".sentence.selected"));
        Assert.Equal("s-1", selected.Id);
        Assert.Equal("true", selected.GetAttribute("aria-current"));
        Assert.Single(document.QuerySelectorAll("[aria-current]"));
    }
}
