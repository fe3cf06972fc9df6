using System.Net;

namespace TraceViewer.Tests.Components;

public sealed class LayoutTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task UnknownAddressGivesTheNotFoundPage()
    {
        var response = await app.CreateClient().GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("data-testid=\"not-found\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task FrontEndLibrariesAreServedLocally()
    {
        var client = app.CreateClient();

        foreach (var path in new[]
        {
            "/lib/katex/katex.min.js", "/lib/katex/katex.min.css", "/_framework/blazor.web.js",
            "/_content/MudBlazor/MudBlazor.min.css", "/_content/MudBlazor/MudBlazor.min.js", "/_content/Plotly.Blazor/plotly-basic-3.7.0.min.js",
        })
        {
            var response = await client.GetAsync(path);
            response.EnsureSuccessStatusCode();
            Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 1000, path);
        }
    }
}
