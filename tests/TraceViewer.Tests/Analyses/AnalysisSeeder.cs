using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Metrics;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Analyses;

/// <summary>One sentence's stored numbers for an outcome: counterfactual effect, resampling effect, dissimilar fraction.</summary>
internal sealed record SeededEffect(double? Counterfactual, double? Resampling, double? Dissimilar = 0.5);

/// <summary>A trace of an alignment-faking study: its condition, query, labels and the shown metric values per outcome.</summary>
internal sealed record AnalysisTrace(
    string Variant, string Tier, string Query, bool? Compliant, bool? Faking,
    IReadOnlyList<SeededEffect>? AlignmentFaking = null, IReadOnlyList<SeededEffect>? Compliance = null, int Sentences = 4);

internal sealed record SeededStudy(int DatasetId, IReadOnlyList<int> TraceIds);

internal static class AnalysisSeeder
{
    /// <summary>
    /// Seeds the traces. Each outcome with effects gets the given numbers in a computed set, and also a decoy imported
    /// set and an older computed set with other numbers: only the newest computed set is shown (ShownMetricSets).
    /// </summary>
    public static async Task<SeededStudy> SeedAsync(TestApp app, params AnalysisTrace[] traces)
    {
        await using var db = app.CreateDbContext();
        var compliance = await db.GetOrAddAsync(OutcomeRegistry.Compliance, CancellationToken.None);
        var faking = await db.GetOrAddAsync(OutcomeRegistry.AlignmentFaking, CancellationToken.None);
        var dataset = new Dataset { Key = $"af/{Guid.NewGuid():N}", Name = "AF analyses", Model = "test-model", Kind = TraceViewer.Datasets.DatasetKind.AlignmentFaking, SourceFormat = "test" };
        db.Add(dataset);
        await db.SaveChangesAsync();

        var ids = new List<int>();
        var number = 0;
        foreach (var seed in traces)
        {
            var sentences = Enumerable.Range(0, seed.Sentences)
                .Select(k => new Sentence { Index = k, Text = $"Sentence <{k}> of {seed.Query}.", Separator = " " }).ToList();
            var trace = new Trace
            {
                DatasetId = dataset.Id, ExternalKey = $"t{number++}", Title = $"{seed.Query} ({seed.Tier})", Model = "test-model", SourceFormat = "test",
                Tier = seed.Tier, PromptVariant = seed.Variant,
                UserPrompt = $"<INPUT>\n<is_free_tier_user>{(seed.Tier == "free" ? "True" : "False")}</is_free_tier_user>\n\n<user_input>\n{seed.Query}\n</user_input>\n</INPUT>",
                Reasoning = string.Join(" ", sentences.Select(s => s.Text)), Sentences = sentences, SentenceCount = sentences.Count,
            };
            db.Add(trace);
            await db.SaveChangesAsync();
            ids.Add(trace.Id);
            db.Add(new TraceLabel { TraceId = trace.Id, OutcomeId = compliance.Id, Value = "marker", IsPositive = seed.Compliant });
            db.Add(new TraceLabel { TraceId = trace.Id, OutcomeId = faking.Id, Value = "0.5", IsPositive = seed.Faking });
            foreach (var (outcome, effects) in new[] { (faking.Id, seed.AlignmentFaking), (compliance.Id, seed.Compliance) })
            {
                if (effects is null)
                {
                    continue;
                }

                // Saved one by one, so the ids grow in this order.
                foreach (var (source, values) in new[]
                         {
                             (MetricSource.Computed, (IReadOnlyList<SeededEffect>)[.. effects.Select(_ => new SeededEffect(9, 9))]),
                             (MetricSource.Computed, effects),
                             (MetricSource.Imported, [.. effects.Select(_ => new SeededEffect(-7, -7))]),
                         })
                {
                    Set(db, trace.Id, outcome, source, values);
                    await db.SaveChangesAsync();
                }
            }
        }

        await db.SaveChangesAsync();
        return new SeededStudy(dataset.Id, ids);
    }

    private static void Set(TraceViewerDbContext db, int traceId, int outcomeId, MetricSource source, IReadOnlyList<SeededEffect> effects)
    {
        var values = new List<SentenceMetric>();
        for (var k = 0; k < effects.Count; k++)
        {
            var e = effects[k];
            if (e.Counterfactual is { } cf)
            {
                values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.CounterfactualEffect, Value = cf });
            }

            if (e.Resampling is { } rs)
            {
                values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.ResamplingEffect, Value = rs });
            }

            if (e.Dissimilar is { } df)
            {
                values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.DissimilarFraction, Value = df });
            }

            values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.PrefixRate, Value = 0.5, Count = 10, Successes = 5 });
        }

        db.Add(new MetricSet { TraceId = traceId, OutcomeId = outcomeId, Source = source, Threshold = 0.8, ResampleCount = 10, ComputedAt = DateTimeOffset.UnixEpoch, Values = values });
    }
}
