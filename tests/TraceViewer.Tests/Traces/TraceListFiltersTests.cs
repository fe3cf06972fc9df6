using Bunit;
using MudBlazor;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

public sealed class TraceListFiltersTests : MudComponentTests
{
    private static readonly TraceFilterOptions Options = new(
        [
            new DatasetRow(4, "af/opus", "Opus <study>", "opus", TraceViewer.Datasets.DatasetKind.AlignmentFaking, "af-results", 10, []),
            new DatasetRow(5, "math/qwen", "Math", "qwen", TraceViewer.Datasets.DatasetKind.Math, "viewer-bundle", 3, []),
        ],
        ["opus", "qwen"],
        [new OutcomeRef("compliance", "Compliance"), new OutcomeRef("is_correct", "Correct answer")]);

    private readonly List<(string Name, string? Value)> _changes = [];

    private IRenderedComponent<TraceListFilters> RenderFilters(TraceFilter filter) =>
        Render<TraceListFilters>(p => p
            .Add(x => x.Options, Options)
            .Add(x => x.Filter, filter)
            .Add(x => x.OnChange, change => _changes.Add(change)));

    private static string Shown(IRenderedComponent<TraceListFilters> filters, string name) =>
        filters.Find($"input[data-filter='{name}']").GetAttribute("value") ?? "";

    [Fact]
    public void FiltersShowTheFilterTheyAreGiven()
    {
        var filters = RenderFilters(new TraceFilter(Dataset: "math/qwen", Model: "qwen", Outcome: "compliance", Positive: false, Q: "needle", Sort: TraceSort.Title));

        Assert.Equal("Math", Shown(filters, "dataset"));
        Assert.Equal("qwen", Shown(filters, "model"));
        Assert.Equal("Compliance", Shown(filters, "outcome"));
        Assert.Equal("no", Shown(filters, "positive"));
        Assert.Equal("needle", Shown(filters, "q"));
        Assert.Equal("Title", Shown(filters, "sort"));
    }

    [Fact]
    public void NoFilterShowsTheDefaults()
    {
        var filters = RenderFilters(new TraceFilter());

        Assert.Equal("All datasets", Shown(filters, "dataset"));
        Assert.Equal("All models", Shown(filters, "model"));
        Assert.Equal("Any outcome", Shown(filters, "outcome"));
        Assert.Equal("yes or no", Shown(filters, "positive"));
        Assert.Equal("", Shown(filters, "q"));
        Assert.Equal("Largest importance", Shown(filters, "sort"));
    }

    [Fact]
    public void ChoosingAnItemReportsTheQueryParameterAndChoosingAllClearsIt()
    {
        var popovers = Render<MudPopoverProvider>();
        var filters = RenderFilters(new TraceFilter(Model: "qwen"));

        popovers.Choose(filters, "dataset", "Opus <study>");
        popovers.Choose(filters, "model", "All models");
        popovers.Choose(filters, "sort", "Newest");

        Assert.Equal([("dataset", "4"), ("model", null), ("sort", "newest")], _changes);
    }

    [Theory]
    [InlineData("zebra", true)]
    [InlineData("\"*-", false)]
    public void RelevanceIsOfferedOnlyWithWordsToRankBy(string q, bool offered)
    {
        var popovers = Render<MudPopoverProvider>();
        var filters = RenderFilters(new TraceListQuery(Q: q).ToFilter());
        Assert.Equal(offered ? "Relevance" : "Largest importance", Shown(filters, "sort"));

        filters.Find("input[data-filter='sort']").Closest(".mud-input-control")!.MouseDown();
        popovers.WaitForAssertion(() => Assert.Contains(popovers.FindAll(".mud-popover-open .mud-list-item"), e => e.TextContent.Trim() == "Title"));
        Assert.Equal(offered, popovers.FindAll(".mud-popover-open .mud-list-item").Any(e => e.TextContent.Trim() == "Relevance"));
    }

    [Fact]
    public void TypingASearchReportsItTrimmed()
    {
        var filters = RenderFilters(new TraceFilter());

        filters.Find("input[data-filter='q']").Input("  blackmail ");

        filters.WaitForAssertion(() => Assert.Equal([("q", "blackmail")], _changes));
    }
}
