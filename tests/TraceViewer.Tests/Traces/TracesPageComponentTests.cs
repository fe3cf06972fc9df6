using Bunit;
using MudBlazor;
using TraceViewer.Tests.Studies;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

public sealed class TracesPageComponentTests(TestApp app) : PageComponentTests(app), IClassFixture<TestApp>
{
    private static string Titles(IRenderedComponent<TracesPage> page) =>
        string.Join(",", page.FindAll("tr.trace-row a.trace-title").Select(a => a.TextContent));

    private async Task<string> SeedModelAsync(int traces)
    {
        var model = $"m-{Guid.NewGuid():N}";
        for (var i = 0; i < traces; i++)
        {
            await TraceSeeder.SeedAsync(App, new TraceSeed { Model = model, Title = $"T{i:00}", Sentences = ["One."], BaseLabel = i % 2 == 0 });
        }

        return model;
    }

    [Fact]
    public async Task TheAddressPicksFiltersSortAndPage()
    {
        var model = await SeedModelAsync(30);
        NavigateTo($"/traces?model={model}&sort=title&page=2");

        var page = Render<TracesPage>();

        page.WaitForAssertion(() => Assert.Equal("T25,T26,T27,T28,T29", Titles(page)));
        Assert.Equal("30", page.Find(".result-count").GetAttribute("data-total"));
        Assert.Equal("2", page.Find(".url-pager a[aria-current=page]").TextContent.Trim());
        var previous = page.Find(".url-pager a[rel=prev]").GetAttribute("href")!;
        Assert.Contains($"model={model}", previous, StringComparison.Ordinal);
        Assert.Contains("sort=title", previous, StringComparison.Ordinal);
        Assert.DoesNotContain("page=", previous, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFilterChangeIsANewAddressOnTheFirstPageAndTheListFollowsIt()
    {
        var model = await SeedModelAsync(30);
        NavigateTo($"/traces?model={model}&sort=title&page=2");
        var popovers = Render<MudPopoverProvider>();
        var page = Render<TracesPage>();
        page.WaitForAssertion(() => Assert.Equal(5, page.FindAll("tr.trace-row").Count));

        popovers.Choose(page, "outcome", "Correct answer");
        page.WaitForAssertion(() => Assert.Equal(25, page.FindAll("tr.trace-row").Count));
        popovers.Choose(page, "positive", "no");

        page.WaitForAssertion(() => Assert.Equal("T01,T03,T05,T07,T09,T11,T13,T15,T17,T19,T21,T23,T25,T27,T29", Titles(page)));
        Assert.Equal($"http://localhost/traces?model={model}&sort=title&outcome=is_correct&positive=false", CurrentUri);
        Assert.Empty(page.FindAll(".url-pager"));
    }

    [Fact]
    public async Task DatasetKeysInOldLinksStillFilter()
    {
        var seed = new TraceSeed { DatasetKey = $"old/{Guid.NewGuid():N}", DatasetName = "Old link", Title = "Kept" };
        var trace = await TraceSeeder.SeedAsync(App, seed);
        NavigateTo($"/traces?dataset={Uri.EscapeDataString(seed.DatasetKey)}");

        var page = Render<TracesPage>();

        page.WaitForAssertion(() => Assert.Equal("Kept", Titles(page)));
        Assert.Equal("Old link", page.Find("input[data-filter='dataset']").GetAttribute("value"));
        Assert.Equal(trace.TraceId.ToString(System.Globalization.CultureInfo.InvariantCulture), page.Find("td[data-trace-id]").GetAttribute("data-trace-id"));
    }

    [Fact]
    public void NoMatchShowsTheEmptyStateAndNoPager()
    {
        NavigateTo($"/traces?q={Guid.NewGuid():N}");

        var page = Render<TracesPage>();

        page.WaitForElement("[data-testid=empty-state]");
        Assert.Equal("0", page.Find(".result-count").GetAttribute("data-total"));
        Assert.Empty(page.FindAll("table, .url-pager"));
    }

    [Fact]
    public async Task FilteredToAStudyDatasetTheListLinksItsStudy()
    {
        var study = await StudySeeder.SeedAsync(App, "Tiers", SeededCondition.Of("base", "free", 2, 1, 0), SeededCondition.Of("base", "paid", 2, 0, 0));
        var single = await StudySeeder.SeedAsync(App, "One tier", SeededCondition.Of("base", "free", 2, 1, 0));
        NavigateTo($"/traces?dataset={study}");

        var page = Render<TracesPage>();

        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("tr.trace-row").Count));
        Assert.Equal($"/datasets/{study}/study", page.Find(".study-link a").GetAttribute("href"));
        NavigateTo($"/traces?dataset={single}");
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("tr.trace-row").Count));
        Assert.Empty(page.FindAll(".study-link"));
        NavigateTo("/traces");
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".study-link")));
    }
}
