using TraceViewer.Resampling;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

public sealed class ResampleChoiceTests
{
    [Theory]
    [InlineData("imported", ResampleChoice.Imported)]
    [InlineData("generated", ResampleChoice.Generated)]
    [InlineData("all", ResampleChoice.All)]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("best", null)]
    [InlineData("All", null)]
    [InlineData("Imported", null)]
    [InlineData("1", null)]
    public void TheQueryValueIsReadExactlyAndAnythingElseIsTheDefault(string? text, ResampleChoice? expected) =>
        Assert.Equal(expected, TraceAddress.ParseResamples(text));

    [Theory]
    [InlineData(ResampleChoice.Imported)]
    [InlineData(ResampleChoice.Generated)]
    [InlineData(ResampleChoice.All)]
    public void TheAddressWritesTheChoiceItReadsBack(ResampleChoice choice)
    {
        var href = (new TraceAddress(7, 3) with { Resamples = choice }).Href;

        Assert.Equal($"/traces/7/sentences/3?resamples={choice.ToString().ToLowerInvariant()}", href);
        Assert.Equal(choice, TraceAddress.ParseResamples(href[(href.IndexOf('=') + 1)..]));
    }

    [Fact]
    public void TheDefaultLeavesTheQueryOut() => Assert.Equal("/traces/7", new TraceAddress(7).Href);

    [Fact]
    public void AChoiceOfOneSourceKeepsToItsOriginAndAllOrNoneToEvery()
    {
        Assert.Equal(ResampleOrigin.Imported, ((ResampleChoice?)ResampleChoice.Imported).Origin());
        Assert.Equal(ResampleOrigin.Generated, ((ResampleChoice?)ResampleChoice.Generated).Origin());
        Assert.Null(((ResampleChoice?)ResampleChoice.All).Origin());
        Assert.Null(((ResampleChoice?)null).Origin());
    }

    [Theory]
    [InlineData("imported", ResampleOrigin.Imported)]
    [InlineData("generated", ResampleOrigin.Generated)]
    public void AnOriginIsItsTextBothWays(string text, ResampleOrigin origin)
    {
        Assert.Equal(text, origin.Name());
        Assert.True(ResampleOrigins.TryParse(text, out var read));
        Assert.Equal(origin, read);
    }

    [Theory]
    [InlineData("Generated")]
    [InlineData("all")]
    [InlineData("")]
    [InlineData(null)]
    public void NoOtherTextIsAnOrigin(string? text) => Assert.False(ResampleOrigins.TryParse(text, out _));
}
