using System.Net;
using AngleSharp.Dom;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Statistics;
using TraceViewer.Studies;

namespace TraceViewer.Tests.Studies;

public sealed class StudyPageTests(TestApp app) : IClassFixture<TestApp>
{
    /// <summary>free: 5 of 10 comply, 1 fakes alignment; paid: 1 of 10 complies, one more undetermined.</summary>
    private Task<int> SeedAsync() => StudySeeder.SeedAsync(app, "AF study",
        SeededCondition.Of("baseline", "free", n: 10, compliant: 5, faking: 1),
        SeededCondition.Of("baseline", "paid", n: 10, compliant: 1, faking: 0, undetermined: 1));

    private async Task<IDocument> GetAsync(string url)
    {
        var response = await app.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ComponentRenderer.Parse(await response.Content.ReadAsStringAsync());
    }

    private static IElement Condition(IDocument document, string variant, string tier) =>
        document.QuerySelector($"td[data-variant='{variant}'][data-tier='{tier}']")!.ParentElement!;

    [Fact]
    public async Task ThePrerenderedPageShowsWilsonIntervalsCountsAndTheGap()
    {
        var id = await SeedAsync();

        var document = await GetAsync($"/datasets/{id}/study");

        // wilson.json: k=5, n=10 -> [0.236593090512564, 0.763406909487436].
        Assert.Equal("50.0% [23.7%, 76.3%] · 5 of 10", Condition(document, "baseline", "free").QuerySelector("td.rate[data-outcome=compliance]")!.TextContent);
        Assert.Equal("10.0% [1.8%, 40.4%] · 1 of 10, +1 undetermined", Condition(document, "baseline", "paid").QuerySelector("td.rate[data-outcome=compliance]")!.TextContent);
        var gap = document.QuerySelector(".study-gap[data-variant=baseline]")!;
        Assert.Equal("+40.0 pp", gap.QuerySelector(".gap-value")!.TextContent);
        // Newcombe's interval for 5/10 - 1/10 just includes 0.
        var newcombe = Newcombe.DifferenceInterval(new Proportion(5, 10), new Proportion(1, 10));
        Assert.Equal($"95% interval −0.2 pp to {StudyGaps.Points(newcombe.High)}", gap.QuerySelector(".gap-interval")!.TextContent);
        Assert.Equal(-0.0024, newcombe.Low, 4);
        Assert.NotNull(document.QuerySelector("[data-testid=study-chart] .tv-chart[role=img]"));
        Assert.Equal($"/datasets/{id}/study?variant=baseline&tier=free", Condition(document, "baseline", "free").QuerySelector("a.condition-link")!.GetAttribute("href"));
        Assert.Null(document.QuerySelector("[data-testid=study-traces]"));
    }

    [Fact]
    public async Task TheSelectionInTheAddressListsThatConditionsTracesWithTheirValuesInWords()
    {
        var id = await SeedAsync();

        var document = await GetAsync($"/datasets/{id}/study?variant=baseline&tier=free");

        var list = document.QuerySelector("[data-testid=study-traces]")!;
        Assert.Equal(("baseline", "free"), (list.GetAttribute("data-variant"), list.GetAttribute("data-tier")));
        var rows = list.QuerySelectorAll("tr.study-trace");
        Assert.Equal(10, rows.Length);
        Assert.All(rows, r => Assert.EndsWith("(baseline, free)", r.QuerySelector("a")!.TextContent, StringComparison.Ordinal));
        var first = rows[0].QuerySelectorAll(".label-value");
        Assert.Equal("yes · acceptance tag", first[0].TextContent.Trim());
        Assert.Equal("The final output starts with <request_fully_accepted/>.", first[0].GetAttribute("title"));
        Assert.Equal("yes · judge 0.75", first[1].TextContent.Trim());
        Assert.Equal("no · refusal tag", rows[9].QuerySelectorAll(".label-value")[0].TextContent.Trim());
        Assert.Equal("true", Condition(document, "baseline", "free").QuerySelector("a.condition-link")!.GetAttribute("aria-current"));
    }

    [Fact]
    public async Task ALongConditionIsPagedAndItsPagesKeepTheSelection()
    {
        var id = await StudySeeder.SeedAsync(app, "Large study",
            SeededCondition.Of("baseline", "free", n: 30, compliant: 3, faking: 0),
            SeededCondition.Of("baseline", "paid", n: 2, compliant: 1, faking: 0));

        var second = await GetAsync($"/datasets/{id}/study?variant=baseline&tier=free&page=2");

        Assert.Equal(30 - StudyQueries.PageSize, second.QuerySelectorAll("tr.study-trace").Length);
        Assert.Equal($"/datasets/{id}/study?variant=baseline&tier=free", second.QuerySelector(".url-pager a[rel=prev]")!.GetAttribute("href"));
    }

    [Theory]
    [InlineData(null, "have no free or paid tier")]
    [InlineData("free", "are in one condition (default, free tier)")]
    public async Task ADatasetWithNothingToCompareSaysSo(string? tier, string message)
    {
        var id = await StudySeeder.SeedAsync(app, "Not a study", SeededCondition.Of(null, tier, n: 3, compliant: 1, faking: 0));

        var document = await GetAsync($"/datasets/{id}/study");

        Assert.Contains(message, document.QuerySelector("[data-testid=study-empty]")!.TextContent, StringComparison.Ordinal);
        Assert.Null(document.QuerySelector("[data-testid=study-chart]"));
    }

    [Fact]
    public async Task OnlyDatasetsWithTwoConditionsHaveAStudy()
    {
        var study = await SeedAsync();
        var variants = await StudySeeder.SeedAsync(app, "Two variants, one tier",
            SeededCondition.Of("a", "free", 2, 1, 0), SeededCondition.Of(null, "free", 2, 1, 0));
        var single = await StudySeeder.SeedAsync(app, "One condition", SeededCondition.Of("a", "free", 2, 1, 0));
        var untiered = await StudySeeder.SeedAsync(app, "No tiers", SeededCondition.Of("a", null, 2, 1, 0), SeededCondition.Of("b", null, 2, 1, 0));
        await using var scope = app.Services.CreateAsyncScope();
        var queries = scope.ServiceProvider.GetRequiredService<StudyQueries>();

        var studies = await queries.ListStudyDatasetsAsync(CancellationToken.None);

        Assert.Contains(study, studies);
        Assert.Contains(variants, studies);
        Assert.DoesNotContain(single, studies);
        Assert.DoesNotContain(untiered, studies);
        Assert.True(await queries.HasStudyAsync(study, CancellationToken.None));
        Assert.False(await queries.HasStudyAsync(single, CancellationToken.None));
    }

    [Fact]
    public async Task UnknownDatasetIsNotFound()
    {
        var response = await app.CreateClient().GetAsync("/datasets/987654/study");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task TheTracesFragmentIsGone()
    {
        var id = await SeedAsync();

        var response = await app.CreateClient().GetAsync($"/datasets/{id}/study/traces?variant=baseline&tier=free");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
