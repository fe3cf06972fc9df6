using Bunit;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.BarLib.MarkerLib.PatternLib;
using TraceViewer.Components;
using TraceViewer.Components.Charts;
using TraceViewer.Statistics;
using TraceViewer.Studies;

namespace TraceViewer.Tests.Studies;

public sealed class StudyPageComponentTests(TestApp app) : PageComponentTests(app), IClassFixture<TestApp>
{
    private const string HostileVariant = "<b>bold</b> & <img src=x onerror=alert(1)>";

    /// <summary>Two variants by two tiers; "no-cot" has no paid traces with a determined alignment-faking value.</summary>
    private Task<int> SeedAsync() => StudySeeder.SeedAsync(App, "AF study",
        SeededCondition.Of("baseline", "free", n: 10, compliant: 5, faking: 2),
        SeededCondition.Of("baseline", "paid", n: 12, compliant: 1, faking: 0, undetermined: 1),
        SeededCondition.Of(HostileVariant, "free", n: 4, compliant: 4, faking: 1),
        SeededCondition.Of(HostileVariant, "paid", n: 5, compliant: 2, faking: 0));

    private IRenderedComponent<StudyPage> RenderStudy(int id, string query = "")
    {
        NavigateTo($"/datasets/{id}/study{query}");
        var page = Render<StudyPage>(p => p.Add(s => s.Id, id));
        page.WaitForElement("[data-testid=study-chart]");
        return page;
    }

    private static Bar[] Bars(IRenderedComponent<StudyPage> page) => [.. page.FindComponent<Chart>().Instance.Data.Cast<Bar>()];

    [Fact]
    public async Task TheChartDrawsTheWilsonIntervalsOfTheStoredLabels()
    {
        var id = await SeedAsync();

        var bars = Bars(RenderStudy(id));

        // Compliance free, compliance paid, alignment faking free, alignment faking paid; variants in name order.
        Assert.Equal(["Compliance, free tier", "Compliance, paid tier", "Alignment faking, free tier", "Alignment faking, paid tier"], bars.Select(b => b.Name));
        (int K, int N)[][] counts = [[(4, 4), (5, 10)], [(2, 5), (1, 12)], [(1, 4), (2, 10)], [(0, 5), (0, 13)]];
        for (var series = 0; series < bars.Length; series++)
        {
            for (var point = 0; point < 2; point++)
            {
                var (k, n) = counts[series][point];
                var wilson = Wilson.Interval(k, n);
                var rate = (double)bars[series].Y[point];
                Assert.Equal((double)k / n, rate, 12);
                Assert.Equal(wilson.High, rate + (double)bars[series].ErrorY.Array[point], 12);
                Assert.Equal(wilson.Low, rate - (double)bars[series].ErrorY.ArrayMinus[point], 12);
            }
        }

        // wilson.json: k=5, n=10.
        Assert.Equal(0.763406909487436, (double)bars[0].Y[1] + (double)bars[0].ErrorY.Array[1], 12);
    }

    [Fact]
    public async Task StudyColoursFillFreeSolidAndHatchPaidNeverWithDirectionColours()
    {
        var id = await SeedAsync();

        var bars = Bars(RenderStudy(id));

        Assert.Equal(ProductColors.Compliance.Hex, bars[0].Marker.Color);
        Assert.Null(bars[0].Marker.Pattern);
        Assert.Equal(ShapeEnum.Slash, bars[1].Marker.Pattern.Shape);
        Assert.Equal(ProductColors.Compliance.Hex, bars[1].Marker.Pattern.FgColor);
        Assert.Equal(ProductColors.AlignmentFaking.Hex, bars[2].Marker.Color);
        Assert.Equal(ShapeEnum.Slash, bars[3].Marker.Pattern.Shape);
        Assert.Equal(ProductColors.AlignmentFaking.Hex, bars[3].Marker.Pattern.FgColor);
        var used = bars.SelectMany(b => new[] { b.Marker.Color, b.Marker.Pattern?.FgColor, b.Marker.Pattern?.BgColor }).OfType<string>().ToList();
        Assert.DoesNotContain(ProductColors.Promotes.Hex, used);
        Assert.DoesNotContain(ProductColors.Suppresses.Hex, used);
    }

    [Fact]
    public async Task ImportedVariantNamesReachTheChartAsText()
    {
        var id = await SeedAsync();

        var page = RenderStudy(id);

        var labels = Bars(page)[0].X.Cast<string>().ToList();
        Assert.Equal("&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt;", labels[0]);
        Assert.All(Bars(page).SelectMany(b => b.HoverTextArray), text => Assert.DoesNotContain("<b>", text, StringComparison.Ordinal));
        Assert.Equal(HostileVariant, page.Find($"td[data-tier=free] .condition").TextContent);
        Assert.Empty(page.FindAll("td img, td b, .study-gap img"));
    }

    [Fact]
    public async Task ClickingABarPutsItsConditionInTheAddressAndListsItsTraces()
    {
        var id = await SeedAsync();
        var page = RenderStudy(id);
        var chart = page.FindComponent<Chart>();

        // Series 1 is compliance in the paid tier; point 1 is the second variant, "baseline".
        await page.InvokeAsync(() => chart.Instance.OnPointClick.InvokeAsync(new ChartPoint(1, 1)));

        Assert.Equal($"http://localhost/datasets/{id}/study?variant=baseline&tier=paid", CurrentUri);
        page.WaitForAssertion(() => Assert.Equal(13, page.FindAll("tr.study-trace").Count));
        var list = page.Find("[data-testid=study-traces]");
        Assert.Equal(("baseline", "paid"), (list.GetAttribute("data-variant"), list.GetAttribute("data-tier")));
        // The picked condition's bars stay in full, the others fade.
        var bars = Bars(page);
        Assert.Equal([new List<object>(), [1], new List<object>(), [1]], bars.Select(b => (List<object>)b.SelectedPoints));
        Assert.Equal(0.35m, bars[0].Unselected.Marker.Opacity);
    }

    [Fact]
    public async Task ClosingTheListLeavesTheSelectionOutOfTheAddress()
    {
        var id = await SeedAsync();
        var page = RenderStudy(id, "?variant=baseline&tier=free");
        page.WaitForAssertion(() => Assert.Equal(10, page.FindAll("tr.study-trace").Count));

        Assert.Equal($"/datasets/{id}/study", page.Find(".study-traces-close").GetAttribute("href"));
        Assert.Equal(["yes · acceptance tag", "yes · judge 0.75"], page.FindAll("tr.study-trace")[0].QuerySelectorAll(".label-value").Select(e => e.TextContent.Trim()));
    }
}
