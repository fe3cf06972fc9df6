using System.Net;

namespace TraceViewer.Tests.Components;

/// <summary>The app answers only to loopback host names by default, so a rebinding page on another name gets nothing.</summary>
public sealed class HostFilteringTests(TestApp app) : IClassFixture<TestApp>
{
    [Theory]
    [InlineData("localhost", HttpStatusCode.OK)]
    [InlineData("127.0.0.1:5000", HttpStatusCode.OK)]
    [InlineData("attacker.example", HttpStatusCode.BadRequest)]
    public async Task OnlyLoopbackHostNamesAreServed(string host, HttpStatusCode expected)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/datasets");
        request.Headers.Host = host;

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }
}
