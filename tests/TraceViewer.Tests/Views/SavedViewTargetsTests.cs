using TraceViewer.Views;

namespace TraceViewer.Tests.Views;

public sealed class SavedViewTargetsTests
{
    [Theory]
    [InlineData("/traces?model=a&sort=title", SavedViewPage.Traces, null, "?model=a&sort=title", "/traces?model=a&sort=title")]
    [InlineData("/traces?page=3&model=a", SavedViewPage.Traces, null, "?model=a", "/traces?model=a")]
    [InlineData("/search", SavedViewPage.Search, null, "", "/search")]
    [InlineData("/search?text=x&page=2", SavedViewPage.Search, null, "?text=x", "/search?text=x")]
    [InlineData("/datasets/12/study?variant=a&tier=free", SavedViewPage.Study, 12, "?variant=a&tier=free", "/datasets/12/study?variant=a&tier=free")]
    public void PagesThatCanBeSavedKeepTheirFiltersButNotTheirPageNumber(string address, SavedViewPage page, int? dataset, string query, string href)
    {
        var target = SavedViewTargets.Parse(address)!;

        Assert.Equal((page, dataset, query), (target.Page, target.DatasetId, target.Query));
        Assert.Equal(href, target.Href);
    }

    [Theory]
    [InlineData("")]
    [InlineData("traces")]
    [InlineData("//evil.example/traces")]
    [InlineData("https://evil.example/traces")]
    [InlineData("/traces/12")]
    [InlineData("/datasets/x/study")]
    [InlineData("/users")]
    [InlineData("/traces?x=1#frag")]
    public void OtherAddressesCannotBeSaved(string address) => Assert.Null(SavedViewTargets.Parse(address));

    [Fact]
    public void AQueryOverTheLimitCannotBeSaved() =>
        Assert.Null(SavedViewTargets.Parse("/traces?model=" + new string('a', SavedViewTargets.MaxQueryLength)));

    [Theory]
    [InlineData("  Mine  ", "Mine")]
    [InlineData("a\u0000b\nc", "abc")]
    [InlineData("   ", null)]
    [InlineData(null, null)]
    public void NamesAreTrimmedAndStrippedOfControlCharacters(string? name, string? expected) =>
        Assert.Equal(expected, SavedViewTargets.CleanName(name));
}
