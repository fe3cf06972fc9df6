using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Jobs;
using TraceViewer.Outcomes;
using TraceViewer.Tests.Studies;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Jobs;

/// <summary>Which traces "resample these" means: the trace list's filter, or a study condition narrowed by an outcome's value.</summary>
public sealed class ResampleTargetQueriesTests : IClassFixture<TestApp>
{
    private readonly TestApp _app;

    public ResampleTargetQueriesTests(TestApp app) => _app = app;

    private async Task<ResampleTargetView> LoadAsync(ResampleSelection selection)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ResampleTargetQueries>().LoadAsync(selection, CancellationToken.None);
    }


    [Fact]
    public async Task AStudyConditionNarrowedToAlignmentFakingListsExactlyThoseTraces()
    {
        var id = await StudySeeder.SeedAsync(_app, "Targets study",
            SeededCondition.Of("helpful-only", "free", n: 6, compliant: 4, faking: 3),
            SeededCondition.Of("helpful-only", "paid", n: 5, compliant: 1, faking: 1),
            SeededCondition.Of("other", "free", n: 4, compliant: 4, faking: 4));
        await using var db = _app.CreateDbContext();
        var faking = await db.Set<Outcome>().Where(o => o.Key == OutcomeRegistry.AlignmentFaking).Select(o => o.Id).SingleAsync();
        var expected = await db.Set<Trace>().Where(t => t.DatasetId == id && t.Tier == "free" && t.PromptVariant == "helpful-only"
            && db.Set<TraceLabel>().Any(l => l.TraceId == t.Id && l.OutcomeId == faking && l.IsPositive == true)).OrderBy(t => t.Id).Select(t => t.Id).ToListAsync();

        var target = await LoadAsync(new ResampleSelection(id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, OutcomeRegistry.AlignmentFaking, true, null, "helpful-only", "free"));

        Assert.Equal(3, expected.Count);
        Assert.Equal(expected, target.TraceIds);
        Assert.Equal(3, target.Count);
        Assert.Equal([new ModelCount("test-model", 3)], target.Models);
        Assert.Equal("dataset Targets study · helpful-only, free tier · Alignment faking: yes", target.Description);
    }

    [Fact]
    public async Task TheTraceListsFilterListsTheSameTracesAsTheList()
    {
        var id = await StudySeeder.SeedAsync(_app, "Targets list",
            SeededCondition.Of("a", "free", n: 5, compliant: 2, faking: 0),
            SeededCondition.Of("a", "paid", n: 5, compliant: 3, faking: 0));
        var filter = new TraceFilter { Dataset = id.ToString(System.Globalization.CultureInfo.InvariantCulture), Outcome = OutcomeRegistry.Compliance, Positive = true, PageSize = 100 };
        await using var scope = _app.Services.CreateAsyncScope();
        var listed = await scope.ServiceProvider.GetRequiredService<TraceQueries>().ListTracesAsync(filter, CancellationToken.None);

        var target = await LoadAsync(new ResampleSelection(filter.Dataset, null, OutcomeRegistry.Compliance, true, null, null, null));

        Assert.Equal(5, target.Count);
        Assert.Equal(listed.Items.Select(r => r.Id).Order(), target.TraceIds);
        Assert.Equal("/jobs/resample?dataset=" + filter.Dataset + "&outcome=compliance&positive=true",
            new ResampleSelection(filter.Dataset, null, OutcomeRegistry.Compliance, true, null, null, null).Href());
    }

    [Fact]
    public async Task TheListFilteredByTierOrVariantAloneCountsTheSameTracesAsTheJobOverIt()
    {
        var id = await StudySeeder.SeedAsync(_app, "Targets tiers",
            SeededCondition.Of("a", "free", n: 4, compliant: 2, faking: 1),
            SeededCondition.Of("a", "paid", n: 3, compliant: 1, faking: 0),
            SeededCondition.Of("b", "free", n: 2, compliant: 2, faking: 2));
        var dataset = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var scope = _app.Services.CreateAsyncScope();
        var list = scope.ServiceProvider.GetRequiredService<TraceQueries>();

        foreach (var (variant, tier, expected, description) in new[]
        {
            ((string?)null, (string?)"free", 6, "dataset Targets tiers · free tier"),
            ("a", null, 7, "dataset Targets tiers · prompt variant a"),
            ("a", "paid", 3, "dataset Targets tiers · a, paid tier"),
        })
        {
            var listed = await list.ListTracesAsync(new TraceFilter { Dataset = dataset, Tier = tier, Variant = variant, PageSize = 100 }, CancellationToken.None);
            var selection = new ResampleSelection(dataset, null, null, null, null, variant, tier);
            var target = await LoadAsync(selection);

            Assert.Equal(expected, listed.Total);
            Assert.Equal(listed.Total, target.Count);
            Assert.Equal(listed.Items.Select(r => r.Id).Order(), target.TraceIds);
            Assert.Equal(description, target.Description);
        }

        Assert.Equal($"/jobs/judge?dataset={dataset}&tier=free", new ResampleSelection(dataset, null, null, null, null, null, "free").Href("judge"));
    }

    [Fact]
    public async Task AnUnknownDatasetListsNothing()
    {
        var target = await LoadAsync(new ResampleSelection("987654", null, null, null, null, null, null));

        Assert.Equal(0, target.Count);
        Assert.Empty(target.TraceIds);
    }
}
