using Bunit;
using TraceViewer.Components;

namespace TraceViewer.Tests.Components;

public sealed class UrlPagerTests : MudComponentTests
{
    private IRenderedComponent<UrlPager> RenderPager(int page, int count) =>
        Render<UrlPager>(p => p
            .Add(x => x.Page, page)
            .Add(x => x.PageCount, count)
            .Add(x => x.Href, n => $"/traces?model=m&page={n}"));

    [Fact]
    public void NumbersAreLinksAroundTheCurrentPageWithGapsToTheEnds()
    {
        var pager = RenderPager(page: 10, count: 20);

        var numbers = pager.FindAll("a.url-pager-number");
        Assert.Equal(["1", "8", "9", "10", "11", "12", "20"], numbers.Select(a => a.TextContent.Trim()));
        Assert.Equal(["/traces?model=m&page=1", "/traces?model=m&page=8"], numbers.Take(2).Select(a => a.GetAttribute("href")));
        Assert.Equal(2, pager.FindAll(".url-pager-gap").Count);
        Assert.Equal("page", pager.Find("a[aria-current]").GetAttribute("aria-current"));
        Assert.Equal("10", pager.Find("a[aria-current]").TextContent.Trim());
        Assert.Equal("/traces?model=m&page=9", pager.Find("a[rel=prev]").GetAttribute("href"));
        Assert.Equal("/traces?model=m&page=11", pager.Find("a[rel=next]").GetAttribute("href"));
    }

    [Fact]
    public void FirstPageHasNoPreviousLinkAndLastPageNoNextLink()
    {
        var first = RenderPager(page: 1, count: 3);
        var last = RenderPager(page: 3, count: 3);

        Assert.Empty(first.FindAll("a[rel=prev]"));
        Assert.NotNull(first.Find("a[rel=next]"));
        Assert.Empty(last.FindAll("a[rel=next]"));
        Assert.Equal(["1", "2", "3"], last.FindAll(".url-pager-number").Select(a => a.TextContent.Trim()));
    }

    [Fact]
    public void ASinglePageShowsNoPager()
    {
        var pager = RenderPager(page: 1, count: 1);

        Assert.Empty(pager.FindAll("nav"));
    }
}
