using System.Globalization;
using Bunit;
using MudBlazor;
using TraceViewer.Outcomes;
using TraceViewer.Search;

namespace TraceViewer.Tests.Search;

public sealed class SearchPageComponentTests(TestApp app) : PageComponentTests(app), IClassFixture<TestApp>
{
    private const string Hostile = "I will <script>window.__pwned = 1</script> comply <img src=x onerror=\"window.__pwned = 2\"> now.";

    /// <summary>A dataset of one trace whose sentence k has counterfactual effect (k - 2) / 10 and tag "step_k".</summary>
    private async Task<SeededTrace> SeedAsync(params string[] sentences)
    {
        var key = $"search/{Guid.NewGuid():N}";
        return await TraceSeeder.SeedAsync(App, new TraceSeed
        {
            DatasetKey = key, DatasetName = $"Set {key[^6..]}", Title = "Trace <b>one</b>", Sentences = sentences,
            Counterfactual = k => (k - 2) / 10.0, Tags = k => [$"step_{k}"],
        });
    }

    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task MatchesAreMarkedInsideTextAndHostileTextStaysText()
    {
        var trace = await SeedAsync("Nothing here.", Hostile, "I comply, and comply again.");
        NavigateTo($"/search?dataset={trace.DatasetId}&text=COMPLY");

        var page = Render<SentenceSearchPage>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("tr.hit").Count));
        var hostile = page.FindAll("tr.hit")[0].QuerySelector("a.hit-link")!;
        Assert.Equal(Hostile, hostile.TextContent);
        Assert.Equal(["comply"], hostile.QuerySelectorAll("mark.match").Select(m => m.TextContent));
        Assert.Empty(page.FindAll("tr.hit script, tr.hit img, tr.hit b"));
        Assert.Equal("Trace <b>one</b>", page.FindAll("tr.hit")[0].QuerySelector("a.hit-trace")!.TextContent);
        Assert.Equal(["comply", "comply"], page.FindAll("tr.hit")[1].QuerySelectorAll("mark.match").Select(m => m.TextContent));
        Assert.Equal($"/traces/{trace.TraceId}/sentences/1", hostile.GetAttribute("href"));
        Assert.Equal("2", page.Find(".result-count").GetAttribute("data-total"));
        // Without an outcome there is no effect column.
        Assert.Empty(page.FindAll(".effect-header, .hit-effect"));
    }

    [Fact]
    public async Task TheEffectColumnSaysWhichEffectOnWhichOutcomeAndHitsOpenWithThem()
    {
        var trace = await SeedAsync("Zero.", "One.", "Two.", "Three.", "Four.");
        NavigateTo($"/search?dataset={trace.DatasetId}&outcome=is_correct&effect=resampling");

        var page = Render<SentenceSearchPage>();

        page.WaitForAssertion(() => Assert.Equal(5, page.FindAll("tr.hit").Count));
        var name = OutcomeRegistry.Get(OutcomeRegistry.IsCorrect).Name;
        Assert.Equal($"Resampling effect on {name}", page.Find("th.effect-header").TextContent.Trim());
        Assert.Contains($"Resampling effect on {name}:", page.Find("[data-testid=effect-explanation]").TextContent, StringComparison.Ordinal);
        foreach (var link in page.FindAll("a.hit-link"))
        {
            Assert.Matches($"^/traces/{trace.TraceId}/sentences/\\d\\?outcome=is_correct&effect=resampling$", link.GetAttribute("href")!);
        }

        // The seeded resampling effects are differences of rates of min(10, 2 + 3i) successes of 10: 0.3, 0.3, 0.2, 0, 0.
        var first = page.FindAll("tr.hit")[0];
        Assert.Equal("+0.300", first.QuerySelector(".hit-effect")!.FirstChild!.TextContent.Trim());
        Assert.Equal("promotes", first.QuerySelector(".hit-effect")!.GetAttribute("data-direction"));
        Assert.Equal("promotes", first.QuerySelector(".hit-direction")!.TextContent);
        Assert.Contains("τ = 0.8", first.QuerySelector(".hit-effect")!.GetAttribute("title"), StringComparison.Ordinal);
        Assert.Equal("none", page.FindAll("tr.hit")[4].QuerySelector(".hit-effect")!.GetAttribute("data-direction"));
        // The resampling effect does not depend on τ, so τ is not explained here.
        Assert.Empty(page.FindAll("[data-testid=tau-explanation]"));
    }

    [Fact]
    public async Task CounterfactualEffectsAreSignedAndColouredByDirection()
    {
        var trace = await SeedAsync("Zero.", "One.", "Two.", "Three.", "Four.");
        NavigateTo($"/search?dataset={trace.DatasetId}&outcome=is_correct&direction=suppresses");

        var page = Render<SentenceSearchPage>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("tr.hit").Count));
        Assert.Equal(["Zero.", "One."], page.FindAll("a.hit-link").Select(a => a.TextContent));
        Assert.Equal(["−0.200", "−0.100"], page.FindAll(".hit-effect").Select(e => e.FirstChild!.TextContent.Trim()));
        Assert.All(page.FindAll(".hit-effect"), e => Assert.Equal("suppresses", e.GetAttribute("data-direction")));
        Assert.Equal($"/traces/{trace.TraceId}/sentences/0?outcome=is_correct&effect=counterfactual", page.Find("a.hit-link").GetAttribute("href"));
        Assert.StartsWith("Counterfactual effect on", page.Find("th.effect-header").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("below τ, the similarity threshold", page.Find("[data-testid=tau-explanation]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AChangedFilterIsANewAddressOnTheFirstPage()
    {
        var trace = await SeedAsync([.. Enumerable.Range(0, 60).Select(k => $"Step {k} follows.")]);
        NavigateTo($"/search?dataset={trace.DatasetId}&text=step&page=2");
        var popovers = Render<MudPopoverProvider>();
        var page = Render<SentenceSearchPage>();
        page.WaitForAssertion(() => Assert.Equal(10, page.FindAll("tr.hit").Count));
        Assert.Equal("60", page.Find(".result-count").GetAttribute("data-total"));
        var previous = page.Find(".url-pager a[rel=prev]").GetAttribute("href")!;
        Assert.Equal($"/search?dataset={trace.DatasetId}&text=step", previous);

        popovers.Choose(page, "outcome", OutcomeRegistry.Get(OutcomeRegistry.IsCorrect).Name);
        page.WaitForAssertion(() => Assert.Equal(50, page.FindAll("tr.hit").Count));
        popovers.Choose(page, "direction", "Promotes (raises the rate)");

        page.WaitForAssertion(() => Assert.Equal(50, page.FindAll(".hit-effect[data-direction=promotes]").Count));
        Assert.Equal($"http://localhost/search?dataset={trace.DatasetId}&text=step&outcome=is_correct&direction=promotes", CurrentUri);
        Assert.Equal("57", page.Find(".result-count").GetAttribute("data-total"));
        Assert.Equal("Step 59 follows.", page.Find("a.hit-link").TextContent);
    }

    [Fact]
    public async Task DirectionAndSizeWaitForAnOutcome()
    {
        var trace = await SeedAsync("Zero.");
        NavigateTo($"/search?dataset={trace.DatasetId}");

        var page = Render<SentenceSearchPage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("tr.hit")));
        foreach (var filter in new[] { "effect", "direction", "min" })
        {
            Assert.True(page.Find($"input[data-filter={filter}]").HasAttribute("disabled"), filter);
        }

        Assert.Contains("Pick an outcome", page.Find(".filter-hint").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutAnyFilterThePageSaysWhatItIsFor()
    {
        NavigateTo("/search");

        var page = Render<SentenceSearchPage>();

        var intro = page.WaitForElement("[data-testid=search-intro]");
        Assert.Contains("by their effect on an outcome", intro.TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("table, .result-count"));
    }

    [Fact]
    public async Task TagsReadAsWordsAndTheSearchedTagIsMarked()
    {
        var trace = await SeedAsync("Zero.", "One.");
        NavigateTo($"/search?dataset={Id(trace.DatasetId)}&tag=step_1");

        var page = Render<SentenceSearchPage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("tr.hit")));
        var tag = page.Find("tr.hit .hit-tag");
        Assert.Equal("step 1", tag.TextContent);
        Assert.Equal("true", tag.GetAttribute("data-match"));
        Assert.Equal("step 1", page.Find("input[data-filter=tag]").GetAttribute("value"));
    }
}
