using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Datasets;
using TraceViewer.Kinds;

namespace TraceViewer.Tests.Kinds;

/// <summary>Without a dataset in the address the page and the API take the readable dataset with the most traces, ties by name.</summary>
public sealed class KindsDefaultDatasetTests
{
    private static async Task<KindsView> GetAsync(TestApp app, string query = "") =>
        (await app.CreateClient().GetFromJsonAsync<KindsView>("/api/kinds" + query, JsonSerializerOptions.Web))!;

    [Fact]
    public async Task WithTheSampleDataThePageOpensOnTheMathProblemNotTheBlackmailScenario()
    {
        using var app = new TestApp().WithSetting("SampleData:ImportOnStart", "true");
        using var db = app.CreateDbContext();
        var math = await db.Set<Dataset>().SingleAsync(d => d.Key == "thought-anchors-viewer/deepseek-r1-distill-qwen-14b/correct_base_solution");

        var view = await GetAsync(app);

        // One trace each: the tie goes to the name that sorts first, and with it the dataset's own outcome.
        Assert.Equal([math.Id], view.Selection.Datasets);
        Assert.True(view.Selection.DefaultDataset);
        Assert.Equal("is_correct", view.Selection.Outcome);
        Assert.Equal(2, view.Options.Datasets.Count);
        Assert.Null(view.Empty);
        Assert.Equal(1, view.Basis!.Traces);

        // The prerendered page shows the same selection; its links leave the default out.
        var document = ComponentRenderer.Parse(await app.CreateClient().GetStringAsync("/kinds"));
        Assert.Equal("Correct answer", document.QuerySelector("[data-testid=kinds-basis] b")?.TextContent);
        Assert.DoesNotContain("dataset=", KindsLinks.Page(view.Selection), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDatasetWithTheMostTracesIsTakenAndATieGoesToTheFirstName()
    {
        using var app = new TestApp();
        var small = await KindsSeeder.SeedAsync(app, "kinds/a-small", traces: 2, sentences: 4, seed: 3);
        var large = await KindsSeeder.SeedAsync(app, "kinds/b-large", traces: 3, sentences: 4, seed: 4);

        Assert.Equal([large.DatasetId], (await GetAsync(app)).Selection.Datasets);
        // A name that is not a dataset falls back to the same default.
        Assert.Equal([large.DatasetId], (await GetAsync(app, "?dataset=no-such-dataset")).Selection.Datasets);
        // A named dataset is taken as asked.
        var named = await GetAsync(app, $"?dataset={small.DatasetId}");
        Assert.Equal([small.DatasetId], named.Selection.Datasets);
        Assert.False(named.Selection.DefaultDataset);

        await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = "kinds/a-small", DatasetName = "Kinds kinds/a-small", Title = "Problem 9" });

        Assert.Equal([small.DatasetId], (await GetAsync(app)).Selection.Datasets);
    }
}
