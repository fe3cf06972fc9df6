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
    public async Task VendoredLibrariesAreServedLocally()
    {
        var client = app.CreateClient();

        foreach (var path in new[] { "/lib/htmx/htmx.min.js", "/lib/plotly/plotly.min.js", "/lib/bootstrap/bootstrap.min.css" })
        {
            var response = await client.GetAsync(path);
            response.EnsureSuccessStatusCode();
            Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 1000, path);
        }
    }
}
