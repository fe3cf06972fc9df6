using System.Net;

namespace TraceViewer.Tests.Traces;

public sealed class TracesPageTests(TestApp app) : IClassFixture<TestApp>
{
    private async Task<AngleSharp.Dom.IDocument> GetAsync(string url)
    {
        var response = await app.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ComponentRenderer.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task FilteredListLinksEachMatchingTrace()
    {
        var model = $"list-{Guid.NewGuid():N}";
        var match = await TraceSeeder.SeedAsync(app, new TraceSeed { Model = model, Title = "Needle <i>in</i> haystack", Prompt = "Count the needles." });
        await TraceSeeder.SeedAsync(app, new TraceSeed { Model = model, Title = "Hay" });

        var document = await GetAsync($"/traces?model={model}&q=needles");

        var row = Assert.Single(document.QuerySelectorAll("tr.trace-row"));
        var link = row.QuerySelector("a")!;
        Assert.Equal($"/traces/{match.TraceId}", link.GetAttribute("href"));
        Assert.Equal("Needle <i>in</i> haystack", link.TextContent);
        Assert.Equal("1", document.QuerySelector(".result-count")!.GetAttribute("data-total"));
        Assert.Equal("needles", document.QuerySelector("input[data-filter=q]")!.GetAttribute("value"));
        Assert.Equal(model, document.QuerySelector("input[data-filter=model]")!.GetAttribute("value"));
    }

    [Fact]
    public async Task PageLinksKeepTheFilters()
    {
        var model = $"pages-{Guid.NewGuid():N}";
        for (var i = 0; i < 30; i++)
        {
            await TraceSeeder.SeedAsync(app, new TraceSeed { Model = model, Title = $"T{i:00}", Sentences = ["One."] });
        }

        var first = await GetAsync($"/traces?model={model}&sort=title");
        var second = await GetAsync($"/traces?model={model}&sort=title&page=2");

        Assert.Equal(25, first.QuerySelectorAll("tr.trace-row").Length);
        Assert.Equal(5, second.QuerySelectorAll("tr.trace-row").Length);
        var next = first.QuerySelector("a[rel=next]")!.GetAttribute("href")!;
        Assert.Contains($"model={model}", next, StringComparison.Ordinal);
        Assert.Contains("sort=title", next, StringComparison.Ordinal);
        Assert.Contains("page=2", next, StringComparison.Ordinal);
        Assert.Equal("T25", second.QuerySelector("tr.trace-row a")!.TextContent);
    }
}
