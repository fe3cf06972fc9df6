using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Outcomes;
using TraceViewer.Studies;

namespace TraceViewer.Tests.Studies;

/// <summary>The study page and the trace list count the same traces for the same condition, on the real app and SQLite file.</summary>
public sealed class StudyCountsTests(TestApp app) : IClassFixture<TestApp>
{
    private async Task<int> ListTotalAsync(string query)
    {
        using var json = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/api/traces?" + query));
        return json.RootElement.GetProperty("total").GetInt32();
    }

    [Fact]
    public async Task EveryConditionCountsTheTracesAndAlignmentFakersTheListCountsForTheSameFilter()
    {
        // Traces without a variant and traces named "default" are one condition; undetermined compliance and missing
        // alignment-faking values are still traces of their condition.
        var datasetId = await StudySeeder.SeedAsync(app, "Counts agree",
            SeededCondition.Of(null, "free", 5, 3, 2, undetermined: 1),
            SeededCondition.Of("default", "free", 3, 1, 1),
            SeededCondition.Of(null, "paid", 4, 1, 0),
            SeededCondition.Of("no-cot", "free", 2, 2, 1, undetermined: 2),
            SeededCondition.Of("no-cot", "paid", 30, 4, 3));
        await using var scope = app.Services.CreateAsyncScope();
        var queries = scope.ServiceProvider.GetRequiredService<StudyQueries>();

        var study = (await queries.LoadAsync(datasetId, CancellationToken.None))!;

        Assert.Equal([("default", "free", 9), ("default", "paid", 4), ("no-cot", "free", 4), ("no-cot", "paid", 30)],
            study.Conditions.Select(c => (c.Variant, c.Tier, c.Traces)));
        foreach (var condition in study.Conditions)
        {
            var filter = $"dataset={datasetId}&tier={Uri.EscapeDataString(condition.Tier)}&variant={Uri.EscapeDataString(condition.Variant)}";
            Assert.Equal(condition.Traces, await ListTotalAsync(filter));
            Assert.Equal(condition.Traces, (await queries.ListTracesAsync(datasetId, condition.Variant, condition.Tier, 1, CancellationToken.None)).Total);
            Assert.Equal(condition.AlignmentFaking.Positives, await ListTotalAsync(filter + $"&outcome={OutcomeRegistry.AlignmentFaking}&positive=true"));
            Assert.Equal(condition.Compliance.Positives, await ListTotalAsync(filter + $"&outcome={OutcomeRegistry.Compliance}&positive=true"));
        }

        Assert.Equal(study.Conditions.Sum(c => c.Traces), await ListTotalAsync($"dataset={datasetId.ToString(CultureInfo.InvariantCulture)}"));
    }
}
