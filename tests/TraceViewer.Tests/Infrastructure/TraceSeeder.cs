using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Tests;

/// <summary>What to seed: a trace in a dataset, with resamples and one imported metric set for one outcome.</summary>
internal sealed record TraceSeed
{
    public string DatasetKey { get; init; } = "test/model-a/correct_base_solution";

    public string DatasetName { get; init; } = "Test problems";

    public string Model { get; init; } = "model-a";

    public TraceViewer.Datasets.DatasetKind Kind { get; init; } = TraceViewer.Datasets.DatasetKind.Math;

    public string OutcomeKey { get; init; } = OutcomeRegistry.IsCorrect;

    public string Title { get; init; } = "Problem 1";

    public string Prompt { get; init; } = "Solve: what is 2 + 2?";

    public string? Tier { get; init; }

    public string SourcePath { get; init; } = "problem_1";

    public string SourceFormat { get; init; } = "viewer-bundle";

    public IReadOnlyList<string> Sentences { get; init; } = ["Let me add the numbers.", "Two plus two is four.", "So the answer is 4."];

    /// <summary>Separator after sentence k (the last one gets none).</summary>
    public Func<int, string> Separator { get; init; } = k => k % 3 == 2 ? "\n\n" : " ";

    public Func<int, IReadOnlyList<string>> Tags { get; init; } = _ => ["active_computation"];

    /// <summary>The base response's value for the outcome; null leaves the trace unlabelled.</summary>
    public bool? BaseLabel { get; init; } = true;

    public int ResamplesPerSentence { get; init; } = 10;

    /// <summary>Positives among the resamples at position i (sentence i removed).</summary>
    public Func<int, int> Successes { get; init; } = i => Math.Min(10, 2 + 3 * i);

    /// <summary>Counterfactual effect of sentence k in TraceViewer's sign; null stores none.</summary>
    public Func<int, double?> Counterfactual { get; init; } = _ => null;

    public Func<int, double?> DissimilarFraction { get; init; } = _ => 0.5;

    /// <summary>The first sentence of resample j at position i.</summary>
    public Func<int, int, string> Alternative { get; init; } = (i, j) => $"Variant {j % 3} of step {i}.";

    public double? MaxImportance { get; init; }
}

internal sealed record SeededTrace(int DatasetId, int OutcomeId, int TraceId, string Reasoning, IReadOnlyList<Sentence> Sentences, IReadOnlyList<SentenceMetric> Metrics)
{
    public SentenceMetric? Metric(int index, string name) =>
        Metrics.SingleOrDefault(m => m.SentenceIndex == index && m.Name == name);
}

/// <summary>Builds traces directly with the entities, so read-side tests do not depend on the importers.</summary>
internal static class TraceSeeder
{
    public static async Task<SeededTrace> SeedAsync(TestApp app, TraceSeed seed)
    {
        await using var db = app.CreateDbContext();
        return await SeedAsync(db, seed, app.Clock.GetUtcNow());
    }

    public static async Task<SeededTrace> SeedAsync(TraceViewerDbContext db, TraceSeed seed, DateTimeOffset now)
    {
        var outcome = await db.GetOrAddAsync(seed.OutcomeKey, CancellationToken.None);
        await db.SaveChangesAsync();
        var dataset = await db.Set<Dataset>().SingleOrDefaultAsync(d => d.Key == seed.DatasetKey);
        if (dataset is null)
        {
            dataset = new Dataset
            {
                Key = seed.DatasetKey, Name = seed.DatasetName, Model = seed.Model, Kind = seed.Kind,
                SourceFormat = seed.SourceFormat, PrimaryOutcomeId = outcome.Id, CreatedAt = now,
            };
            db.Add(dataset);
        }

        var sentences = new List<Sentence>();
        var reasoning = new System.Text.StringBuilder();
        for (var k = 0; k < seed.Sentences.Count; k++)
        {
            var separator = k == seed.Sentences.Count - 1 ? "" : seed.Separator(k);
            var start = reasoning.Length;
            reasoning.Append(seed.Sentences[k]);
            sentences.Add(new Sentence
            {
                Index = k, Text = seed.Sentences[k], Separator = separator, Start = start, End = reasoning.Length,
                Summary = $"step {k}",
            });
            reasoning.Append(separator);
        }

        var n = seed.ResamplesPerSentence;
        var successes = Enumerable.Range(0, seed.Sentences.Count).Select(seed.Successes).ToArray();
        var rates = successes.Select(k => (double)k / n).ToArray();
        var resamplingEffects = rates.Select((rate, i) => i + 1 < rates.Length ? rates[i + 1] - rate : 0).ToArray();
        var trace = new Trace
        {
            ExternalKey = $"{seed.Title}-{Guid.NewGuid():N}", Title = seed.Title, Prompt = seed.Prompt,
            Response = reasoning.ToString(), Reasoning = reasoning.ToString(), Model = seed.Model, Tier = seed.Tier,
            SourcePath = seed.SourcePath, SourceFormat = seed.SourceFormat, HasLabelledResamples = false,
            MaxImportance = seed.MaxImportance ?? resamplingEffects.Select(Math.Abs).DefaultIfEmpty(0).Max(),
            SentenceCount = sentences.Count, ResampleCount = n * sentences.Count, ImportedAt = now,
            Dataset = dataset, Sentences = sentences,
        };
        db.Add(trace);
        await db.SaveChangesAsync();
        // As an import stores them: tags of the built-in function taxonomy by the dataset's source.
        await TagStore.AddTagsAsync(db, BuiltInTaxonomies.Functions, [.. sentences.SelectMany(s => seed.Tags(s.Index).Select(t => (s.Id, t)))],
            AnnotatorKind.Import, seed.SourceFormat, now, CancellationToken.None);

        if (seed.BaseLabel is { } label)
        {
            db.Add(new TraceLabel { TraceId = trace.Id, OutcomeId = outcome.Id, Value = label ? "true" : "false", IsPositive = label });
        }

        for (var i = 0; i < sentences.Count; i++)
        {
            for (var j = 0; j < n; j++)
            {
                db.Add(new Resample
                {
                    TraceId = trace.Id, Position = i, SampleIndex = j, FirstSentence = seed.Alternative(i, j),
                    Origin = TraceViewer.Resampling.ResampleOrigin.Imported, CreatedAt = now,
                });
            }
        }

        // Each seed function is read once per index, so callers may pass random ones.
        var counterfactuals = Enumerable.Range(0, sentences.Count).Select(seed.Counterfactual).ToArray();
        var fractions = Enumerable.Range(0, sentences.Count).Select(seed.DissimilarFraction).ToArray();
        var metrics = new List<SentenceMetric>();
        for (var k = 0; k < sentences.Count; k++)
        {
            var interval = TraceViewer.Statistics.Wilson.Interval(successes[k], n);
            metrics.Add(Metric(k, MetricNames.PrefixRate, rates[k], count: n, successes: successes[k], low: interval.Low, high: interval.High));
            metrics.Add(Metric(k, MetricNames.ResamplingEffect, resamplingEffects[k]));
            metrics.Add(Metric(k, MetricNames.ResamplingKl, Math.Abs(resamplingEffects[k]) * 2));
            if (counterfactuals[k] is { } counterfactual)
            {
                metrics.Add(Metric(k, MetricNames.CounterfactualEffect, counterfactual));
                metrics.Add(Metric(k, MetricNames.CounterfactualKl, Math.Abs(counterfactual) * 3));
            }

            if (fractions[k] is { } fraction)
            {
                metrics.Add(Metric(k, MetricNames.DissimilarFraction, fraction));
            }
        }

        db.Add(new MetricSet
        {
            TraceId = trace.Id, OutcomeId = outcome.Id, Source = MetricSource.Imported, SourceFile = "chunks_labeled.json",
            Threshold = 0.8, EmbeddingModel = "all-MiniLM-L6-v2", ResampleCount = trace.ResampleCount, ComputedAt = now, Values = metrics,
        });
        await db.SaveChangesAsync();

        return new SeededTrace(dataset.Id, outcome.Id, trace.Id, trace.Reasoning, sentences, metrics);
    }

    private static SentenceMetric Metric(int index, string name, double value, int? count = null, int? successes = null, double? low = null, double? high = null) =>
        new() { SentenceIndex = index, Name = name, Value = value, Count = count, Successes = successes, Low = low, High = high };
}
