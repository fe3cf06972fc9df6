using System.Net;

namespace TraceViewer.Tests.Components;

/// <summary>Requests a browser would not send still get a proper answer, never a 500.</summary>
public sealed class RequestEdgeTests : IDisposable
{
    // Production: there a refused form binding answers an empty 400 (Development throws into the exception page instead).
    private readonly TestApp app = new TestApp().WithSetting("environment", "Production");

    public void Dispose() => app.Dispose();

    [Theory]
    [InlineData("/traces/1/recompute")]
    [InlineData("/import/upload")]
    public async Task AFormPostWithoutTokenAndWithAnEmptyHostIsABadRequest(string path)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent([new("n", "1")]) };
        request.Headers.TryAddWithoutValidation("Host", "");
        request.Headers.Accept.ParseAdd("application/json");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("antiforgery", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/datasets")]
    [InlineData("/api/datasets")]
    public async Task HeadIsAnsweredLikeGet(string path)
    {
        using var client = app.CreateClient();

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        using var get = await client.GetAsync(path);

        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Headers.Location, head.Headers.Location);
    }
}
