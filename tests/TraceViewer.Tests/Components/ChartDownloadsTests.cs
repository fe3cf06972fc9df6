using Bunit;
using MudBlazor;
using TraceViewer.Components.Charts;
using TraceViewer.Exports;

namespace TraceViewer.Tests.Components;

/// <summary>A chart's Download menu: images through the collocated module with the plot's id, the CSV with the page's query.</summary>
public sealed class ChartDownloadsTests : MudComponentTests
{
    [Fact]
    public void TheMenuOffersBothImagesAndTheCsvOfTheNumbersWithThePagesQuery()
    {
        NavigateTo("/traces/7?outcome=is_correct&effect=kl");
        var popovers = Render<MudPopoverProvider>();
        var menu = Render<ChartDownloads>(p => p.Add(d => d.PlotId, "curve-plot").Add(d => d.Name, "trace-7-curve").Add(d => d.CsvPath, "/api/traces/7/curve.csv"));

        menu.Find("[data-testid=chart-download] button").Click();

        Assert.Equal(["PNG image", "SVG image", "CSV of these numbers"], popovers.FindAll(".mud-menu-item").Select(i => i.TextContent.Trim()));
        Assert.Equal("/api/traces/7/curve.csv?outcome=is_correct&effect=kl", popovers.Find("[data-testid=chart-download-csv]").GetAttribute("href"));
    }

    [Theory]
    [InlineData("png")]
    [InlineData("svg")]
    public void AnImageIsSavedByPlotlysExportOfThePlotUnderASafeName(string format)
    {
        var module = JSInterop.SetupModule("./Components/Charts/ChartDownloads.razor.js");
        module.Mode = JSRuntimeMode.Loose;
        var popovers = Render<MudPopoverProvider>();
        var menu = Render<ChartDownloads>(p => p.Add(d => d.PlotId, "chart-abc").Add(d => d.Name, "study 3/chart"));

        menu.Find("[data-testid=chart-download] button").Click();
        popovers.Find($"[data-testid=chart-download-{format}]").Click();

        popovers.WaitForAssertion(() => Assert.Single(module.Invocations["downloadImage"]));
        var call = module.Invocations["downloadImage"].Single();
        Assert.Equal(["chart-abc", format, Path.GetFileNameWithoutExtension(ExportCsv.FileName("study 3/chart", "png"))], call.Arguments);
        Assert.Equal("study-3-chart", call.Arguments[2]);
        Assert.Empty(popovers.FindAll("[data-testid=chart-download-csv]"));
    }
}
