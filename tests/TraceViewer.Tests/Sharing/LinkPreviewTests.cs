using System.Net;
using AngleSharp.Html.Parser;
using TraceViewer.Sharing;
using TraceViewer.Tests.Accounts;

namespace TraceViewer.Tests.Sharing;

/// <summary>Open Graph and Twitter card tags of the trace page, from the prerendered HTML.</summary>
public sealed class LinkPreviewTests : IDisposable
{
    private const string Hostile = "He said \"><script>alert(1)</script><img src=x onerror=alert(2)> & left.";
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task TheSentencePagesPreviewCarriesItsTextEffectAndRatesEscaped()
    {
        var seeded = await TraceSeeder.SeedAsync(_app, new TraceSeed
        {
            Title = "Problem <b>\"7\"</b>",
            Sentences = ["Let me add the numbers.", Hostile, "So the answer is 4."],
            Counterfactual = k => k == 1 ? 0.25 : null,
        });

        var response = await _app.NewClient().GetAsync($"/traces/{seeded.TraceId}/sentences/1");
        var html = await response.Content.ReadAsStringAsync();
        var page = new HtmlParser().ParseDocument(html);
        string? Meta(string selector) => page.QuerySelector(selector)?.GetAttribute("content");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Problem <b>\"7\"</b>", Meta("meta[property='og:title']"));
        var description = Meta("meta[property='og:description']");
        Assert.NotNull(description);
        Assert.StartsWith("Sentence 1: “" + Hostile + "”", description, StringComparison.Ordinal);
        Assert.True(description.Contains("rate 0.500 → 0.800", StringComparison.Ordinal), description);
        Assert.Equal(description, Meta("meta[name='twitter:description']"));
        Assert.Equal("summary", Meta("meta[name='twitter:card']"));
        Assert.Equal("noindex", Meta("meta[name=robots]"));
        // The text stayed text: no element came out of it, and the raw HTML holds it only escaped.
        Assert.DoesNotContain(page.QuerySelectorAll("script"), s => s.TextContent.Contains("alert", StringComparison.Ordinal));
        Assert.Empty(page.QuerySelectorAll("img[onerror]"));
        Assert.DoesNotContain("\"><script>alert(1)", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ALongSentenceIsShortenedWithoutSplittingACharacter()
    {
        var text = new string('a', LinkPreview.MaxSentence - 2) + "😀😀😀";
        var shortened = LinkPreview.Shorten(text, LinkPreview.MaxSentence);
        Assert.True(shortened.Length <= LinkPreview.MaxSentence);
        Assert.EndsWith("…", shortened, StringComparison.Ordinal);
        Assert.False(char.IsHighSurrogate(shortened[^2]));
    }
}
