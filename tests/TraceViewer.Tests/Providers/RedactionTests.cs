using TraceViewer.Providers;

namespace TraceViewer.Tests.Providers;

public sealed class RedactionTests
{
    [Theory]
    [InlineData("https://user:secret@api.example.com/v1?api_key=abc#x", "https://api.example.com/v1")]
    [InlineData("http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1")]
    public void AddressesLoseUserInfoAndQuery(string url, string expected) =>
        Assert.Equal(expected, Redaction.Url(url));

    [Fact]
    public void ErrorTextLosesTheKeyAndAnythingShapedLikeOne()
    {
        var text = Redaction.Secrets("HTTP 401: Incorrect API key provided: sk-proj-abcd1234****wxyz. Also my-own-key-value here.", "my-own-key-value");

        Assert.Equal("HTTP 401: Incorrect API key provided: [key]. Also [key] here.", text);
    }

    [Fact]
    public void OrdinaryErrorTextIsKept() =>
        Assert.Equal("HTTP 500: upstream timed out after 30 s", Redaction.Secrets("HTTP 500: upstream timed out after 30 s", "no-key"));
}
