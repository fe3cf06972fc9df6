using Bunit;
using TraceViewer.Accounts;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Tags;

/// <summary>The workbench's panel and the sentence list's tags and save marks, rendered alone.</summary>
public sealed class TagPanelTests : MudComponentTests
{
    private static readonly WorkbenchTaxonomy Functions = new(1, BuiltInTaxonomies.Functions, true,
    [
        new WorkbenchTag(10, "plan_generation", "#1f77b4", 1, "Plans."),
        new WorkbenchTag(11, "self_checking", "#d62728", 2, "Checks."),
    ]);

    private static readonly WorkbenchTaxonomy Reasoning = new(2, BuiltInTaxonomies.Reasoning, true, [new WorkbenchTag(20, "monitoring", "#2ca02c", 1, null)]);

    private IRenderedComponent<TagPanel> Panel(Action<ComponentParameterCollectionBuilder<TagPanel>>? more = null, bool mayTag = true) =>
        Render<TagPanel>(p =>
        {
            p.Add(x => x.Taxonomies, [Functions, Reasoning]).Add(x => x.Active, Functions).Add(x => x.MayTag, mayTag);
            more?.Invoke(p);
        });

    [Fact]
    public void ShowsTheActiveTaxonomysTagsWithTheirKeysAndColours()
    {
        var panel = Panel();

        var keys = panel.FindAll("[data-testid=tag-keys] li");
        Assert.Equal(["1", "2"], keys.Select(k => k.QuerySelector("kbd")!.TextContent));
        Assert.Equal(["plan generation", "self checking"], keys.Select(k => k.QuerySelector(".tp-name")!.TextContent));
        Assert.Contains("#1f77b4", keys[0].QuerySelector(".tp-swatch")!.GetAttribute("style"), StringComparison.Ordinal);
        Assert.Equal("1", panel.Find("[data-testid=tag-taxonomy]").GetAttribute("value"));
        Assert.Empty(panel.FindAll("[data-testid=tag-read-only]"));
    }

    [Fact]
    public void AReaderGetsTheTagsWithoutKeysBlindModeOrSubmit()
    {
        var panel = Panel(p => p.Add(x => x.Blind, true), mayTag: false);

        Assert.Empty(panel.FindAll("[data-testid=tag-keys] kbd"));
        Assert.Empty(panel.FindAll("[data-testid=tag-blind], [data-testid=tag-submit], [data-testid=tag-blind-note]"));
        Assert.NotNull(panel.Find("[data-testid=tag-read-only]"));
        Assert.Equal("Read only.", panel.Find("[data-testid=tag-status]").TextContent.Trim());
    }

    [Fact]
    public void TheCurrentLayerIsPressedAndChoosingAnotherReportsIt()
    {
        TagLayer? chosen = null;
        var panel = Panel(p => p.Add(x => x.Layer, TagLayer.Everyone).Add(x => x.OnLayer, (TagLayer l) => chosen = l));

        Assert.Equal("true", panel.Find("[data-testid=tag-layers] [data-layer=everyone]").GetAttribute("aria-pressed"));
        Assert.Equal("false", panel.Find("[data-testid=tag-layers] [data-layer=mine]").GetAttribute("aria-pressed"));
        panel.Find("[data-testid=tag-layers] [data-layer=consensus]").Click();
        Assert.Equal(TagLayer.Consensus, chosen);
    }

    [Fact]
    public void BlindModeSaysOthersAreHiddenUntilTheTraceIsSubmitted()
    {
        var submitted = false;
        var panel = Panel(p => p.Add(x => x.Blind, true).Add(x => x.OnSubmit, () => submitted = true));
        Assert.NotNull(panel.Find("[data-testid=tag-blind-note]"));
        panel.Find("[data-testid=tag-submit]").Click();
        Assert.True(submitted);

        panel.Render(p => p.Add(x => x.Submitted, true));
        Assert.Empty(panel.FindAll("[data-testid=tag-blind-note], [data-testid=tag-submit]"));
        Assert.NotNull(panel.Find("[data-testid=tag-submitted]"));
    }

    [Theory]
    [InlineData(0, 0, null, "saved", "Every change is saved.")]
    [InlineData(3, 0, null, "pending", "Saving 3 sentences…")]
    [InlineData(1, 2, "The database did not take the change.", "failed", "Not saved yet on 2 sentences: trying again.")]
    [InlineData(0, 0, "No tag of this taxonomy is on key 9.", "refused", "No tag of this taxonomy is on key 9.")]
    public void TheStatusSaysWhereTheKeyPressesStand(int pending, int failed, string? error, string state, string text)
    {
        var panel = Panel(p => p.Add(x => x.Pending, pending).Add(x => x.Failed, failed).Add(x => x.Error, error));

        var status = panel.Find("[data-testid=tag-status]");
        Assert.Equal(state, status.GetAttribute("data-state"));
        Assert.Equal(text, status.TextContent.Trim());
    }

    [Fact]
    public void TheNoteEditorOffersTheViewersTagsOnTheSentenceWithTheCurrentNote()
    {
        var panel = Panel(p => p.Add(x => x.NoteFor, 4).Add(x => x.NoteTags, [new ShownTag(11, "self_checking", "#d62728", 2, true, 1, 1, "double-checks")]));

        Assert.Equal("4", panel.Find("[data-testid=tag-note]").GetAttribute("data-index"));
        Assert.Equal("11", panel.Find("#tag-note-tag option").GetAttribute("value"));
        Assert.Equal("double-checks", panel.Find("#tag-note-text").GetAttribute("value") ?? panel.Find("#tag-note-text").TextContent);
    }

    [Fact]
    public void TheSentencesShowTheLayersTagsAndWhereEachSaveStands()
    {
        SentenceView[] sentences = [new(0, "First.", " ", 0, 6, [], null), new(1, "Second.", " ", 7, 14, [], null), new(2, "Third.", "", 15, 21, [], null)];
        var shown = new Dictionary<int, IReadOnlyList<ShownTag>>
        {
            [0] = [new ShownTag(10, "plan_generation", "#1f77b4", 1, true, 2, 3, null)],
            [1] = [new ShownTag(11, "self_checking", "#d62728", 2, false, 1, 1, "<b>not markup</b>")],
        };
        var saves = new Dictionary<int, SaveState> { [0] = SaveState.Saved, [1] = SaveState.Pending, [2] = SaveState.Failed };

        var list = Render<SentenceList>(p => p.Add(x => x.Sentences, sentences).Add(x => x.Shown, shown).Add(x => x.Saves, saves));

        Assert.Equal("plan generation2/3", list.Find("#s-0 .tag-chip").TextContent);
        Assert.Equal("true", list.Find("#s-0 .tag-chip").GetAttribute("data-mine"));
        Assert.Equal("false", list.Find("#s-1 .tag-chip").GetAttribute("data-mine"));
        Assert.Empty(list.FindAll("#s-1 .tag-chip b"));
        Assert.Equal(["saved", "pending", "failed"], list.FindAll(".sentence").Select(s => s.GetAttribute("data-save")));
        Assert.Empty(list.FindAll("#s-2 .tag-chip"));

        // Outside the workbench: no chips, no save marks.
        var plain = Render<SentenceList>(p => p.Add(x => x.Sentences, sentences));
        Assert.Empty(plain.FindAll(".tag-chip, .save-mark, [data-save]"));
    }
}
