using TraceViewer.Datasets;
using TraceViewer.Outcomes;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Studies;

/// <summary>One condition of a seeded study: its traces' compliance and alignment-faking labels (null: undetermined).</summary>
internal sealed record SeededCondition(string? Variant, string? Tier, IReadOnlyList<(bool? Compliant, bool? Faking)> Traces)
{
    /// <summary><paramref name="compliant"/> of <paramref name="n"/> comply, the first <paramref name="faking"/> fake alignment, then <paramref name="undetermined"/> more without a compliance value.</summary>
    public static SeededCondition Of(string? variant, string? tier, int n, int compliant, int faking, int undetermined = 0) =>
        new(variant, tier, [.. Enumerable.Range(0, n + undetermined).Select(i => (i < n ? i < compliant : (bool?)null, (bool?)(i < faking)))]);
}

internal static class StudySeeder
{
    /// <summary>A dataset with the conditions' traces, labelled as an alignment-faking import labels them.</summary>
    public static async Task<int> SeedAsync(TestApp app, string name, params SeededCondition[] conditions)
    {
        await using var db = app.CreateDbContext();
        var compliance = await db.GetOrAddAsync(OutcomeRegistry.Compliance, CancellationToken.None);
        var faking = await db.GetOrAddAsync(OutcomeRegistry.AlignmentFaking, CancellationToken.None);
        var dataset = new Dataset { Key = $"af/{Guid.NewGuid():N}", Name = name, Model = "test-model", Kind = TraceViewer.Datasets.DatasetKind.AlignmentFaking, SourceFormat = "test" };
        db.Add(dataset);
        await db.SaveChangesAsync();

        var number = 0;
        foreach (var condition in conditions)
        {
            foreach (var (compliant, fakes) in condition.Traces)
            {
                var trace = new Trace
                {
                    DatasetId = dataset.Id, ExternalKey = $"t{number}", Title = $"query {number} ({condition.Variant ?? "no variant"}, {condition.Tier ?? "no tier"})",
                    Model = "test-model", SourceFormat = "test", Tier = condition.Tier, PromptVariant = condition.Variant,
                };
                number++;
                db.Add(trace);
                await db.SaveChangesAsync();
                var marker = compliant switch { true => "marker:yes", false => "marker:no", null => "marker:undetermined" };
                db.Add(new TraceLabel { TraceId = trace.Id, OutcomeId = compliance.Id, Value = marker, IsPositive = compliant });
                if (fakes is { } f)
                {
                    db.Add(new TraceLabel { TraceId = trace.Id, OutcomeId = faking.Id, Value = f ? "0.75" : "0.1", IsPositive = f });
                }
            }
        }

        await db.SaveChangesAsync();
        return dataset.Id;
    }
}
