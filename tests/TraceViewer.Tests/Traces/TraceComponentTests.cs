using Bunit;
using Microsoft.AspNetCore.Components;
using TraceViewer.Traces;
using TraceViewer.Tags;

namespace TraceViewer.Tests.Traces;

/// <summary>The trace page's parts rendered with bunit: tints and legend, the sentence list, top sentences, the detail, links, provenance.</summary>
public sealed class TraceComponentTests : MudComponentTests
{
    private const string Attack = "<script>alert(1)</script>";

    private static readonly SentenceView[] Sentences =
    [
        new(0, "First <b>step</b>.", " ", 0, 18, [Function("plan_generation")], null),
        new(1, "Second step.", "\n\n", 19, 31, [Function("active_computation"), Function("self_checking")], "checks"),
        new(2, Attack, " ", 33, 58, [], null),
        new(3, "So $x = 2$.", "", 59, 70, [], null),
    ];

    private static SentenceTagView Function(string tag) => TagReads.View(BuiltInTaxonomies.Functions, tag, null, AnnotatorKind.Import, "test", null);

    private static SentenceEffects Effects(int index, Direction direction, double value, double? low = null, double? high = null) =>
        new(index, new Estimate(value, null, null, null, null), new Estimate(value, low, high, 20, null), 0.3, 0.4, 0.5, direction, Math.Abs(value), false);

    private static readonly OutcomeMetrics Metrics = new(
        "alignment_faking", "Alignment faking", null, null, [],
        [Effects(0, Direction.Promotes, 0.4), Effects(1, Direction.Suppresses, -0.1), Effects(2, Direction.None, 0), Effects(3, Direction.Promotes, 0.2, -0.05, 0.45)]);

    private static readonly TraceAddress Address = new(9, 1);

    private IRenderedComponent<SentenceList> RenderList(int? selected = 1, double dim = 0, bool tags = false) =>
        Render<SentenceList>(p => p
            .Add(c => c.Sentences, Sentences)
            .Add(c => c.Metrics, Metrics)
            .Add(c => c.Selected, selected)
            .Add(c => c.Dim, dim)
            .Add(c => c.ShowTags, tags)
            .Add(c => c.Math, true)
            .Add(c => c.Href, k => (Address with { Sentence = k }).Href));

    [Fact]
    public void SentencesAreTintedByDirectionAndRelativeStrengthAndGreyedWhenUnsure()
    {
        var list = RenderList();

        var spans = list.FindAll("#sentences > a.sentence");
        Assert.Equal(["promotes", "suppresses", "none", "promotes"], spans.Select(s => s.GetAttribute("data-direction")));
        Assert.Equal(["--w: 1", "--w: 0.25", "--w: 0", "--w: 0.5"], spans.Select(s => s.GetAttribute("style")));
        // Sentence 3's interval [-0.05, 0.45] contains 0.
        Assert.Equal([null, null, null, "true"], spans.Select(s => s.GetAttribute("data-uncertain")));
        Assert.Contains("needs more samples", spans[3].GetAttribute("title"), StringComparison.Ordinal);
        Assert.Contains("Alignment faking: promotes +0.400", spans[0].GetAttribute("title"), StringComparison.Ordinal);
    }

    [Fact]
    public void SelectingAnotherSentenceRendersOnlyTheRowsWhoseStateChanged()
    {
        var list = RenderList(selected: 1);
        int[] Renders() => [.. list.FindComponents<SentenceRow>().Select(r => r.RenderCount)];
        Assert.Equal([1, 1, 1, 1], Renders());

        list.Render(p => p.Add(c => c.Selected, 3));

        // Sentence 1 loses the selection and the tab stop, sentence 3 gains them; 0 and 2 are not rendered again.
        Assert.Equal([1, 2, 1, 2], Renders());
        Assert.Equal(["s-3"], list.FindAll("#sentences > a.sentence[aria-selected='true']").Select(a => a.Id));
        Assert.Equal(["s-3"], list.FindAll("#sentences > a.sentence[tabindex='0']").Select(a => a.Id));

        // The same selection again renders no row; dimming renders only the rows it dims (sentences 1 and 2 are weaker than 0.3).
        list.Render(p => p.Add(c => c.Selected, 3));
        Assert.Equal([1, 2, 1, 2], Renders());
        list.Render(p => p.Add(c => c.Dim, 0.3));
        Assert.Equal([1, 3, 2, 2], Renders());
        Assert.Equal(["s-1", "s-2"], list.FindAll("#sentences > a.sentence[data-dim='true']").Select(a => a.Id));
    }

    [Fact]
    public void TheListIsOneTabStopAndEachSentenceIsALinkToItsView()
    {
        var list = RenderList(selected: 2);

        Assert.Equal(["s-2"], list.FindAll("[tabindex='0']").Select(e => e.Id));
        Assert.Equal(3, list.FindAll("[tabindex='-1']").Count);
        Assert.Equal(["false", "false", "true", "false"], list.FindAll("a.sentence").Select(e => e.GetAttribute("aria-selected")));
        Assert.Equal("listbox", list.Find("#sentences").GetAttribute("role"));
        Assert.Equal("/traces/9/sentences/0", list.Find("#s-0").GetAttribute("href"));
        Assert.Equal("2", list.Find("#sentences").GetAttribute("data-selected"));

        var none = RenderList(selected: null);
        Assert.Equal(["s-0"], none.FindAll("[tabindex='0']").Select(e => e.Id));
    }

    [Fact]
    public void TextStaysTextAndTheSeparatorsReproduceTheReasoning()
    {
        var list = RenderList();

        Assert.Equal(string.Concat(Sentences.Select(s => s.Text + s.Separator)), list.Find("#sentences").TextContent);
        Assert.Empty(list.FindAll("#sentences script, #sentences b"));
        var math = list.Find("#s-3 .tv-math");
        Assert.Equal("x = 2", math.GetAttribute("data-tex"));
        Assert.Equal("$x = 2$", math.TextContent);
    }

    [Fact]
    public void TheImportanceFilterDimsWeakSentencesAndTagsAreMarkedInTheirColour()
    {
        var list = RenderList(dim: 0.3, tags: true);

        Assert.Equal([null, "true", "true", null], list.FindAll("a.sentence").Select(s => s.GetAttribute("data-dim")));
        Assert.Equal(["plan_generation", "active_computation", null, null], list.FindAll("a.sentence").Select(s => s.GetAttribute("data-tag")));
        Assert.Contains("--tag: " + TraceViewer.Components.ProductColors.ForTag("plan_generation").Triplet, list.Find("#s-0").GetAttribute("style"), StringComparison.Ordinal);
    }

    [Fact]
    public void TheLegendExplainsTheTintsAndItsOptionsAreAddresses()
    {
        var legend = Render<ReadingLegend>(p => p
            .Add(c => c.Address, Address with { Dim = 0.25, Tags = true })
            .Add(c => c.Effect, EffectKind.Kl)
            .Add(c => c.OutcomeName, "Alignment faking")
            .Add(c => c.Tags, [("plan_generation", "#0284C7", 3), ("self_checking", "#DC2626", 1)])
            .Add(c => c.HasMath, true));

        Assert.Contains("promotes Alignment faking", legend.Markup, StringComparison.Ordinal);
        Assert.Contains("needs more samples (its 95% interval contains 0)", legend.Find("[data-testid=legend-uncertain]").TextContent, StringComparison.Ordinal);
        Assert.Contains("stronger tint = larger KL", legend.Find(".legend-note").TextContent, StringComparison.Ordinal);
        Assert.Empty(legend.FindAll("[data-testid=legend-differs]"));
        Assert.Equal(["/traces/9/sentences/1?tags=on", "/traces/9/sentences/1?dim=0.1&tags=on", "/traces/9/sentences/1?dim=0.25&tags=on", "/traces/9/sentences/1?dim=0.5&tags=on"],
            legend.FindAll("[data-testid=dim-filter] a").Select(a => a.GetAttribute("href")));
        Assert.Equal("true", legend.Find("[data-testid=dim-filter] a[data-dim='0.25']").GetAttribute("aria-current"));
        Assert.Equal("/traces/9/sentences/1?dim=0.25", legend.Find("[data-testid=tags-toggle]").GetAttribute("href"));
        Assert.Equal("/traces/9/sentences/1?dim=0.25&tags=on&math=source", legend.Find("[data-testid=math-toggle]").GetAttribute("href"));
        Assert.Equal(["plan generation 3", "self checking 1"], legend.FindAll("[data-testid=tag-legend] li").Select(li => string.Join(' ', li.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))));
    }

    [Fact]
    public void TopSentencesAreSignedWithTheirIntervalsAndSelectable()
    {
        var top = Render<TopSentences>(p => p
            .Add(c => c.Top, TraceReading.Top(Metrics, EffectKind.Counterfactual))
            .Add(c => c.Sentences, Sentences)
            .Add(c => c.Selected, 3)
            .Add(c => c.OutcomeName, "Alignment faking")
            .Add(c => c.Href, k => $"/traces/9/sentences/{k}"));

        var rows = top.FindAll("li");
        Assert.Equal(["0", "3", "1"], rows.Select(r => r.GetAttribute("data-index")));
        Assert.Equal(["+0.400", "+0.200", "−0.100"], rows.Select(r => r.QuerySelector(".top-value")!.TextContent));
        Assert.Equal("[−0.050, 0.450]".Replace("−", "-", StringComparison.Ordinal), rows[1].QuerySelector(".top-interval")!.TextContent);
        Assert.Equal("true", rows[1].QuerySelector(".top-value")!.GetAttribute("data-uncertain"));
        Assert.Equal("true", rows[1].GetAttribute("aria-current"));
        Assert.Equal("/traces/9/sentences/1", rows[2].QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("Largest effects on Alignment faking", top.Markup, StringComparison.Ordinal);
    }

    private static SentenceDetailView Detail(IReadOnlyList<Alternative>? alternatives = null, SentenceEffects? effects = null, IReadOnlyList<SentenceLinkView>? links = null) => new(
        TraceId: 9,
        Index: 1,
        Text: "Second step. " + Attack,
        Tags: [Function("self_checking"), TagReads.View(BuiltInTaxonomies.Reasoning, "harm_assessment", null, AnnotatorKind.Person, "local", "Quotes " + Attack)],
        Summary: "checks",
        Outcomes:
        [
            new SentenceOutcomeDetail(
                "is_correct", "Correct answer",
                Before: new PrefixRate(1, 0.4, 0.2, 0.6, 10, 4),
                After: new PrefixRate(2, 0.9, 0.6, 0.98, 10, 9),
                effects ?? new SentenceEffects(1, new Estimate(0.5, null, null, null, null), new Estimate(0.3, 0.1, 0.5, 10, null), 0.7, 0.2, 0.6, Direction.Promotes, 0.3, false),
                Provenance: null),
        ],
        ResampleCount: 10,
        Alternatives: alternatives ?? [],
        Links: links ?? []);

    private IRenderedComponent<SentenceDetail> RenderDetail(SentenceDetailView detail, EventCallback? copy = null) =>
        Render<SentenceDetail>(p => p
            .Add(c => c.Detail, detail)
            .Add(c => c.SentenceCount, 4)
            .Add(c => c.Sentences, Sentences)
            .Add(c => c.Href, k => $"/traces/9/sentences/{k}?effect=kl")
            .Add(c => c.OnCopyLink, copy ?? EventCallback.Empty));

    [Fact]
    public void TheDetailShowsRatesAndEffectsWithIntervalsAndCounts()
    {
        var detail = RenderDetail(Detail());

        var text = detail.Find(".metrics").TextContent;
        Assert.Contains("0.400 [0.200, 0.600] 4/10", text, StringComparison.Ordinal);
        Assert.Contains("0.900 [0.600, 0.980] 9/10", text, StringComparison.Ordinal);
        Assert.Contains("+0.300 [0.100, 0.500] n = 10", detail.Find(".counterfactual").TextContent, StringComparison.Ordinal);
        Assert.Equal("promotes", detail.Find(".direction-badge").TextContent);
        Assert.Equal(["self checking", "harm assessment"], detail.FindAll(".tag-chip").Select(c => c.TextContent));
        Assert.Equal("Alignment-faking reasoning, by local", detail.FindAll(".tag-chip")[1].GetAttribute("title"));
        // A person's note is text, never markup.
        Assert.Equal("harm assessment (by local): Quotes " + Attack, detail.Find(".tag-note").TextContent);
        Assert.Empty(detail.FindAll(".tag-note script"));
        Assert.Equal("/traces/9/sentences/0?effect=kl", detail.Find("a[rel=prev]").GetAttribute("href"));
        Assert.Equal("/traces/9/sentences/2?effect=kl", detail.Find("a[rel=next]").GetAttribute("href"));
    }

    [Fact]
    public void TheFallbackIsNamedWhenTheCounterfactualIsNotDefined()
    {
        var fallback = new SentenceEffects(1, new Estimate(-0.2, null, null, null, null), null, 0.1, null, 0.02, Direction.Suppresses, 0.2, true);

        var detail = RenderDetail(Detail(effects: fallback));

        Assert.Contains("fallback: resampling effect", detail.Find(".counterfactual").TextContent, StringComparison.Ordinal);
        Assert.Equal("suppresses (fallback)", detail.Find(".direction-badge").TextContent);
    }

    [Fact]
    public void AlternativesShowTheirOutcomesAndMarkTheOriginalSentence()
    {
        Alternative[] alternatives =
        [
            new("Two plus two is four.", 6, false, [new("is_correct", "Correct answer", 5, 1, 0)]),
            new("Second step.", 3, true, [new("is_correct", "Correct answer", 1, 1, 1)]),
            new(Attack, 1, false, []),
        ];

        var detail = RenderDetail(Detail(alternatives));

        var items = detail.FindAll("li.alternative");
        Assert.Equal(alternatives.Select(a => a.Text), items.Select(i => i.QuerySelector(".alternative-text")!.TextContent));
        Assert.Equal(["×6", "×3", "×1"], items.Select(i => i.QuerySelector(".alternative-count")!.TextContent));
        Assert.Equal([null, "true", null], items.Select(i => i.GetAttribute("data-identical")));
        Assert.Equal("same as the original", items[1].QuerySelector(".identical")!.TextContent);
        Assert.Equal("Correct answer: 5 yes · 1 no", string.Join(' ', items[0].QuerySelector(".alternative-outcome")!.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
        Assert.Contains("1 undetermined", items[1].QuerySelector(".alternative-outcome")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(detail.FindAll("script"));
        Assert.Contains(Attack, detail.Find(".detail-text").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void CopyLinkRaisesItsCallback()
    {
        var copied = 0;

        var detail = RenderDetail(Detail(), EventCallback.Factory.Create(this, () => copied++));
        detail.Find("[data-testid=copy-link]").Click();

        Assert.Equal(1, copied);
    }

    [Fact]
    public void LinksShowWhatTheSentenceDrivesAndWhatDrivesItEachKindOnItsOwnScale()
    {
        SentenceLinkView[] links =
        [
            new("resampling_match", 1, 2, 0.5), new("resampling_match", 1, 3, -0.25), new("resampling_match", 0, 1, 0.1),
            new("attention_suppression", 1, 3, 20), new("attention_suppression", 0, 1, -5),
        ];

        var view = Render<SentenceLinksView>(p => p.Add(c => c.Index, 1).Add(c => c.Links, links).Add(c => c.Sentences, Sentences).Add(c => c.Href, k => $"/s/{k}"));

        var kinds = view.FindAll(".link-kind");
        Assert.Equal(["resampling_match", "attention_suppression"], kinds.Select(k => k.GetAttribute("data-kind")));
        var resampling = kinds[0];
        Assert.Equal(["2", "3"], resampling.QuerySelectorAll("[data-direction=drives] li").Select(li => li.GetAttribute("data-index")));
        Assert.Equal(["0"], resampling.QuerySelectorAll("[data-direction=driven-by] li").Select(li => li.GetAttribute("data-index")));
        // Bars are relative to the largest score of their own kind: 0.5 fills the resampling bar, 20 the attention one.
        Assert.Equal(["width: 100%", "width: 50%", "width: 20%"], resampling.QuerySelectorAll(".link-bar > span").Select(s => s.GetAttribute("style")));
        Assert.Equal(["width: 100%", "width: 25%"], kinds[1].QuerySelectorAll(".link-bar > span").Select(s => s.GetAttribute("style")));
        Assert.Equal("/s/2", resampling.QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("Sentence 0: First <b>step</b>.", resampling.QuerySelector("[data-direction=driven-by] a")!.GetAttribute("title"));
    }

    private static readonly DateTimeOffset At = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private IRenderedComponent<MetricsProvenancePanel> RenderPanel(MetricsProvenance provenance, bool canRecompute, EventCallback? recompute = null) =>
        Render<MetricsProvenancePanel>(p => p
            .Add(c => c.TraceId, 9)
            .Add(c => c.Metrics, Metrics with { Provenance = provenance, Name = "<img src=x onerror=alert(1)>" })
            .Add(c => c.Address, Address)
            .Add(c => c.Threshold, provenance.Threshold)
            .Add(c => c.StoredThresholds, [0.5, 0.8])
            .Add(c => c.CanRecompute, canRecompute)
            .Add(c => c.OnRecompute, recompute ?? EventCallback.Empty));

    [Fact]
    public void ProvenanceSaysWhichSetAndExplainsTauAndTheLexicalFallback()
    {
        var panel = RenderPanel(new MetricsProvenance("Computed", null, 0.8, "lexical:word-count-cosine", 1e-9, 40, At, Mode: "TraceViewer"), canRecompute: true);

        Assert.Equal("computed from the stored resamples", panel.Find("[data-field=source]").TextContent);
        Assert.Equal("0.8", panel.Find("[data-field=threshold]").TextContent);
        Assert.Contains("lexical word overlap, not semantic", panel.Find("[data-field=similarity]").TextContent, StringComparison.Ordinal);
        Assert.Contains("1 need more samples", panel.Find("[data-field=counts]").TextContent, StringComparison.Ordinal);
        Assert.Equal("2026-03-04 05:06:07 UTC", panel.Find("[data-field=computed-at]").TextContent);
        Assert.Contains("similarity threshold", panel.Find("[data-testid=tau-explained]").TextContent, StringComparison.Ordinal);
        Assert.Equal(["0.5", "0.8"], panel.FindAll("#stored-thresholds option").Select(o => o.GetAttribute("value")));
        Assert.Empty(panel.FindAll("img"));
    }

    [Fact]
    public void WithoutLabelledResamplesThePanelExplainsInsteadOfOfferingARecompute()
    {
        var panel = RenderPanel(new MetricsProvenance("Imported", "chunks_labeled.json", 0.8, "all-MiniLM-L6-v2", null, 40, At), canRecompute: false);

        Assert.Equal("imported from chunks_labeled.json", panel.Find("[data-field=source]").TextContent);
        Assert.Contains("carry no outcome labels", panel.Find("[data-testid=no-recompute]").TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("form"));
    }

    [Fact]
    public void TheRecomputeButtonIsAnActionOfThePage()
    {
        var asked = 0;
        var panel = RenderPanel(new MetricsProvenance("Computed", null, 0.7, "text-embedding-3-small", 1e-9, 40, At), true, EventCallback.Factory.Create(this, () => asked++));

        panel.Find("form[data-testid=recompute-form]").Submit();

        Assert.Equal(1, asked);
        Assert.Equal("0.7", panel.Find("form[data-testid=recompute-form] input[name=threshold]").GetAttribute("value"));
        Assert.Equal("post", panel.Find("form[data-testid=recompute-form]").GetAttribute("method"));
    }

    [Fact]
    public void TheShortcutsListEveryKey()
    {
        Assert.Contains(ShortcutsDialog.Shortcuts, s => s.Keys.Contains("j") && s.Keys.Contains("↓"));
        Assert.Contains(ShortcutsDialog.Shortcuts, s => s.Keys.Contains("Enter"));
        Assert.Contains(ShortcutsDialog.Shortcuts, s => s.Keys.Contains("?"));
    }

    private static TraceDocument Document(params OutcomeMetrics[] outcomes) =>
        new(9, "T", new DatasetRef(1, "k", "n", TraceViewer.Datasets.DatasetKind.Math, outcomes.FirstOrDefault()?.Key), "m", null, null, "p", "", null, null, "f", 0, Sentences, outcomes);

    [Fact]
    public void TheCurveDrawsABandAndALinePerOutcomeWithTheSelectedOutcomesPointsColouredByDirection()
    {
        PrefixRate[] rates = [new(0, 0.2, 0.1, 0.3, 10, 2), new(1, 0.6, 0.4, 0.8, 10, 6), new(2, 0.5, 0.3, 0.7, 10, 5), new(3, 0.5, 0.3, 0.7, 10, 5), new(4, 0.7, 0.5, 0.9, 10, 7)];
        var selected = Metrics with { PrefixRates = rates };
        var other = new OutcomeMetrics("compliance", "Compliance <b>", null, null, [.. rates.Select(r => r with { Value = 1 - r.Value })], []);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));

        var curve = Render<TraceCurve>(p => p.Add(c => c.Trace, Document(other, selected)).Add(c => c.Outcome, selected).Add(c => c.SelectedSentence, 2));

        var data = curve.FindComponent<Plotly.Blazor.PlotlyChart>().Instance.Data.Cast<Plotly.Blazor.Traces.Scatter>().ToList();
        Assert.Equal(6, data.Count);
        var line = data[int.Parse(curve.Find("#curve-chart").GetAttribute("data-line")!, System.Globalization.CultureInfo.InvariantCulture)];
        Assert.Equal("Alignment faking", line.Name);
        // x is the last sentence of the prefix: rate_i is measured without sentence i.
        Assert.Equal([-1, 0, 1, 2, 3], line.X.Cast<int>());
        Assert.Equal(rates.Select(r => r.Value), line.Y.Cast<double>());
        var colors = line.Marker.ColorArray.Cast<string>().ToList();
        Assert.Equal(TraceViewer.Components.ProductColors.Promotes.Hex, colors[1]);
        Assert.Equal(TraceViewer.Components.ProductColors.Suppresses.Hex, colors[2]);
        // Sentence 3's interval contains 0: its point is grey, not orange.
        Assert.Equal(TraceViewer.Components.ProductColors.NoDirection.Rgba(0.35), colors[4]);
        Assert.Equal(Plotly.Blazor.Traces.ScatterLib.FillEnum.ToNextY, data[1].Fill);
        Assert.Equal(rates.Select(r => r.High!.Value), data[1].Y.Cast<double>());
        Assert.Equal("Compliance &lt;b&gt;", data[2].Name);
    }

    [Fact]
    public void ATraceWithoutRatesGetsASentenceInsteadOfAnEmptyChart()
    {
        var curve = Render<TraceCurve>(p => p.Add(c => c.Trace, Document(Metrics)).Add(c => c.Outcome, Metrics));

        Assert.Contains("No per-prefix rates are stored", curve.Find("[data-testid=no-curve]").TextContent, StringComparison.Ordinal);
        Assert.Empty(curve.FindAll("#curve-chart"));
    }
}
