using Bunit;
using Plotly.Blazor.Traces;
using TraceViewer.Components;
using TraceViewer.Components.Charts;
using TraceViewer.Kinds;

namespace TraceViewer.Tests.Kinds;

public sealed class KindsPageComponentTests(TestApp app) : PageComponentTests(app), IClassFixture<TestApp>
{
    private bool _rendererChosen;

    private IRenderedComponent<KindsPage> RenderKinds(string query)
    {
        if (!_rendererChosen)
        {
            // As in the circuit, unless a test renders as the prerender does.
            SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        }

        NavigateTo($"/kinds{query}");
        var page = Render<KindsPage>();
        page.WaitForElement("[data-testid=kinds-chart], [data-testid=kinds-empty]");
        return page;
    }

    [Fact]
    public async Task TheBarsAreTheMeansWithTheirIntervalsInDirectionColours()
    {
        var study = await KindsSeeder.SeedAsync(App, "kinds/bars", traces: 6, sentences: 8, seed: 4);
        var page = RenderKinds($"?dataset={study.DatasetId}");
        var view = page.Instance.Data!.View;

        var chart = page.FindComponent<KindsChart>().Instance;
        var bar = Assert.IsType<Bar>(Assert.Single(chart.Data));

        var drawn = view.Rows.Where(r => r.Tagged.MeanSigned.Value is not null).ToList();
        Assert.Equal(drawn.Select(r => (object)r.Tag), bar.Y);
        for (var i = 0; i < drawn.Count; i++)
        {
            var mean = drawn[i].Tagged.MeanSigned;
            Assert.Equal(mean.Value!.Value, (double)bar.X[i], 12);
            Assert.Equal(mean.High!.Value, (double)bar.X[i] + (double)bar.ErrorX.Array[i], 12);
            Assert.Equal(mean.Low!.Value, (double)bar.X[i] - (double)bar.ErrorX.ArrayMinus[i], 12);
            var direction = mean.Value > 0 ? ProductColors.Promotes : ProductColors.Suppresses;
            Assert.Equal(mean.ExcludesZero ? direction.Hex : direction.Rgba(0.35), bar.Marker.ColorArray[i]);
        }

        Assert.Contains(drawn, r => r.Tagged.MeanSigned.Value > 0);
        Assert.Contains(drawn, r => r.Tagged.MeanSigned.Value < 0);
        // Undefined tags (no sentence carries them) are in the table but have no bar.
        Assert.DoesNotContain((object)"uncertainty_management", bar.Y);
        Assert.Equal(view.Rows.Count, page.FindAll("td[data-tag]").Count);
    }

    [Fact]
    public async Task SmallEffectsReadApartInTheTableWithTwoSignificantDigits()
    {
        // Effects of a few thousandths, as on the sample data's MATH problem: three fixed decimals wrote them alike.
        var study = await KindsSeeder.SeedAsync(App, "kinds/small-table", traces: 6, sentences: 12, seed: 5, effectScale: 0.005);
        var page = RenderKinds($"?dataset={study.DatasetId}");
        var view = page.Instance.Data!.View;
        var rows = view.Rows.Where(r => r.Tagged.MeanSigned.Value is not null).ToList();
        var largest = rows.Max(r => Math.Abs(r.Tagged.MeanSigned.Value!.Value));

        var written = rows.Select(r => page.Find($"td[data-tag='{r.Tag}']").ParentElement!.QuerySelector("td.signed .value")!.TextContent.Trim()).ToList();

        Assert.True(rows.Count >= 3, $"{rows.Count} rows");
        Assert.True(largest < 0.01, $"the largest mean is {largest}");
        Assert.Equal(rows.Count, written.Distinct(StringComparer.Ordinal).Count());
        for (var i = 0; i < rows.Count; i++)
        {
            // Each mean as written is its value to within a twentieth of the largest (two significant digits of it).
            var read = double.Parse(written[i].Replace('−', '-'), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(Math.Abs(read - rows[i].Tagged.MeanSigned.Value!.Value) <= 0.05 * largest, $"{rows[i].Tag}: {written[i]} for {rows[i].Tagged.MeanSigned.Value}");
        }
    }

    [Fact]
    public async Task ATagsNameMayBreakOnlyAfterItsUnderscoresAndReadsWhole()
    {
        var study = await KindsSeeder.SeedAsync(App, "kinds/names", traces: 4, sentences: 6, seed: 7);
        var page = RenderKinds($"?dataset={study.DatasetId}");
        var tags = page.Instance.Data!.View.Rows.Select(r => r.Tag).Where(t => t.Contains('_', StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(tags);
        foreach (var tag in tags)
        {
            var name = page.Find($"td[data-tag='{tag}'] .tag-name");
            Assert.Equal(tag, name.TextContent);
            // A break opportunity after every part, each part but the last ending with its underscore.
            var parts = name.ChildNodes.Where(n => n.NodeName != "WBR").Select(n => n.TextContent).ToList();
            Assert.Equal(tag.Count(c => c == '_') + 1, parts.Count);
            Assert.All(parts[..^1], p => Assert.EndsWith("_", p, StringComparison.Ordinal));
            Assert.Equal(parts.Count, name.QuerySelectorAll("wbr").Length);
        }
    }

    [Fact]
    public async Task ClickingABarPutsItsTagInTheAddressAndListsItsSentences()
    {
        var study = await KindsSeeder.SeedAsync(App, "kinds/click", traces: 4, sentences: 6, seed: 6);
        var page = RenderKinds($"?dataset={study.DatasetId}&k=2");
        var kinds = page.FindComponent<KindsChart>().Instance;
        var chart = page.FindComponent<Chart>();
        var second = kinds.Bars[1].Tag;

        await page.InvokeAsync(() => chart.Instance.OnPointClick.InvokeAsync(new ChartPoint(0, 1)));

        Assert.Equal($"http://localhost/kinds?dataset={study.DatasetId}&outcome=is_correct&taxonomy=Thought%20Anchors%20functions&k=2&tag={second}", CurrentUri);
        page.WaitForAssertion(() => Assert.Equal(second, page.Find("[data-testid=kinds-sentences]").GetAttribute("data-tag")));
        var count = kinds.Bars[1].Tagged.Sentences;
        Assert.Equal(count, page.FindAll("li.kinds-sentence").Count);
        Assert.All(page.FindAll("a.sentence-link"), a => Assert.Matches(@"^/traces/\d+/sentences/\d+$", a.GetAttribute("href")));
        Assert.Contains("k=2", page.Find("[data-testid=kinds-sentences] a.close").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportedTagAndSentenceTextIsShownAsText()
    {
        const string hostile = "<img src=x onerror=alert(1)>";
        var study = await KindsSeeder.SeedAsync(App, "kinds/hostile", traces: 2, sentences: 3, seed: 2);
        await using (var db = App.CreateDbContext())
        {
            await TraceViewer.Tags.TagStore.AddTagsAsync(db, TraceViewer.Tags.BuiltInTaxonomies.Functions, [(study.Traces[0].Sentences[0].Id, hostile)],
                TraceViewer.Tags.AnnotatorKind.Import, "viewer-bundle", App.Clock.GetUtcNow(), CancellationToken.None);
        }

        var page = RenderKinds($"?dataset={study.DatasetId}&tag={Uri.EscapeDataString(hostile)}");

        Assert.Empty(page.FindAll("td img, .kinds-sentences img"));
        Assert.Contains(page.FindAll("a.tag-link"), a => a.TextContent == hostile);
        var bar = (Bar)page.FindComponent<KindsChart>().Instance.Data[0];
        Assert.Contains((object)"&lt;img src=x onerror=alert(1)&gt;", bar.Y);
        Assert.Equal(hostile, page.Find("[data-testid=kinds-sentences]").GetAttribute("data-tag"));
    }

    [Fact]
    public async Task WhilePrerenderingTheChartCarriesItsFigureForTheStaticScript()
    {
        var study = await KindsSeeder.SeedAsync(App, "kinds/prerender", traces: 5, sentences: 6, seed: 8);
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Static", isInteractive: false));
        _rendererChosen = true;
        var page = RenderKinds($"?dataset={study.DatasetId}");
        var bars = page.FindComponent<KindsChart>().Instance.Bars;

        // The box names the plot and holds the figure as JSON; the module that draws it comes with the chart.
        var box = page.Find($"[data-testid=kinds-chart] .tv-chart[data-plot={KindsChart.PlotId}]");
        Assert.NotNull(page.Find($"#{KindsChart.PlotId}"));
        Assert.NotNull(page.Find("script[type=module][src='js/chart-first.js']"));
        using var figure = System.Text.Json.JsonDocument.Parse(box.GetAttribute("data-figure")!);
        var bar = figure.RootElement.GetProperty("data")[0];
        Assert.Equal("bar", bar.GetProperty("type").GetString());
        Assert.Equal("h", bar.GetProperty("orientation").GetString());
        Assert.Equal(bars.Select(r => r.Tag), bar.GetProperty("y").EnumerateArray().Select(y => y.GetString()));
        Assert.Equal(bars.Select(r => r.Tagged.MeanSigned.Value!.Value), bar.GetProperty("x").EnumerateArray().Select(x => x.GetDouble()));
        Assert.Equal(Chart.InteropPath, figure.RootElement.GetProperty("interop").GetString());
    }

    [Fact]
    public async Task InTheCircuitTheChartKeepsItsIdWithoutTheFigure()
    {
        var study = await KindsSeeder.SeedAsync(App, "kinds/live", traces: 3, sentences: 5, seed: 9);
        var page = RenderKinds($"?dataset={study.DatasetId}");

        var box = page.Find($"[data-testid=kinds-chart] .tv-chart[data-plot={KindsChart.PlotId}]");
        Assert.Null(box.GetAttribute("data-figure"));
        Assert.Empty(page.FindAll("script[src='js/chart-first.js']"));
        Assert.NotNull(page.Find($"#{KindsChart.PlotId}"));
    }
}
