using System.Runtime.InteropServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Datasets;
using TraceViewer.Embeddings;
using TraceViewer.MetricSets;
using TraceViewer.Metrics.Engine;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;
using TraceViewer.Traces;

namespace TraceViewer.Tests.MetricSets;

public sealed class MetricsRecomputerTests : IDisposable
{
    private readonly TestApp app = new();

    public void Dispose() => app.Dispose();

    private const string ImportedModel = "conformance-16d";

    /// <summary>Stores a conformance case as a trace: sentences, labelled resamples and imported embedding vectors.</summary>
    private async Task<(int TraceId, ConformanceCase Case)> StoreCaseAsync(string file, bool withVectors = true)
    {
        var @case = ConformanceCase.Parse(await File.ReadAllTextAsync(SharedPaths.Conformance(file)));
        await using var db = app.CreateDbContext();
        var outcome = await db.GetOrAddAsync(OutcomeRegistry.IsCorrect, CancellationToken.None);
        var dataset = new Dataset { Key = $"recompute-{Guid.NewGuid():N}", Name = file, Model = "m", Kind = TraceViewer.Datasets.DatasetKind.Math, SourceFormat = "test" };
        db.Add(dataset);
        await db.SaveChangesAsync();
        dataset.PrimaryOutcomeId = outcome.Id;
        var trace = new Trace { DatasetId = dataset.Id, ExternalKey = file, Title = file, Model = "m", SourceFormat = "test", HasLabelledResamples = true };
        db.Add(trace);
        await db.SaveChangesAsync();
        foreach (var position in @case.Positions)
        {
            db.Add(new Sentence { TraceId = trace.Id, Index = position.Index, Text = position.Sentence });
            var sample = 0;
            foreach (var r in position.Resamples ?? [])
            {
                var resample = new Resample
                {
                    TraceId = trace.Id, Position = position.Index, SampleIndex = sample++, Origin = TraceViewer.Resampling.ResampleOrigin.Imported,
                    FirstSentence = r.FirstSentence, Answer = r.Answer, Error = r.IsError ? "generation failed" : null,
                };
                if (!r.IsError)
                {
                    resample.Labels.Add(new ResampleLabel { OutcomeId = outcome.Id, IsPositive = r.IsPositive, Value = r.IsPositive?.ToString() });
                }

                db.Add(resample);
            }
        }

        if (withVectors)
        {
            foreach (var (text, vector) in @case.Embeddings)
            {
                var floats = vector.Select(v => (float)v).ToArray();
                db.Add(new CachedEmbedding { Model = ImportedModel, TextHash = EmbeddingService.Hash(text), Dimensions = floats.Length, Vector = MemoryMarshal.AsBytes(floats.AsSpan()).ToArray() });
            }
        }

        await db.SaveChangesAsync();
        return (trace.Id, @case);
    }

    private async Task<IReadOnlyList<RecomputeResult>> RecomputeAsync(int traceId, MetricsParameters parameters)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<MetricsRecomputer>().RecomputeTraceAsync(traceId, parameters, CancellationToken.None);
    }

    [Fact]
    public async Task StoredResamplesReproduceTheReferenceValues()
    {
        var (traceId, @case) = await StoreCaseAsync("case_a.json");

        var result = Assert.Single(await RecomputeAsync(traceId, @case.Parameters()));

        Assert.Equal(ImportedModel, result.EmbeddingModel);
        await using var db = app.CreateDbContext();
        var values = await db.Set<SentenceMetric>().Where(v => v.MetricSetId == result.MetricSetId).ToListAsync();
        foreach (var expected in @case.Expected)
        {
            // Values the engine leaves undefined are not stored; the reference writes 0 for them.
            double Value(string name) => values.SingleOrDefault(v => v.SentenceIndex == expected.ChunkIdx && v.Name == name)?.Value ?? 0.0;
            Assert.Equal(expected.Accuracy, Value(MetricNames.PrefixRate), 1e-9);
            Assert.Equal(expected.ResamplingImportanceAccuracy, Value(MetricNames.ResamplingEffect), 1e-9);
            Assert.Equal(expected.ResamplingImportanceKl, Value(MetricNames.ResamplingKl), 1e-9);
            Assert.Equal(-expected.CounterfactualImportanceAccuracy, Value(MetricNames.CounterfactualEffect), 1e-9);
            Assert.Equal(expected.CounterfactualImportanceKl, Value(MetricNames.CounterfactualKl), 1e-9);
            Assert.Equal(expected.DifferentTrajectoriesFraction, Value(MetricNames.DissimilarFraction), 1e-9);
            Assert.Equal(expected.Overdeterminedness, Value(MetricNames.Overdeterminedness), 1e-9);
        }
    }

    [Fact]
    public async Task ProvenanceRecordsParametersAndCounts()
    {
        var (traceId, @case) = await StoreCaseAsync("case_a.json");

        var result = Assert.Single(await RecomputeAsync(traceId, MetricsParameters.TraceViewerDefaults with { Threshold = 0.6 }));

        await using var db = app.CreateDbContext();
        var set = await db.Set<MetricSet>().Include(m => m.Values).SingleAsync(m => m.Id == result.MetricSetId);
        Assert.Equal(MetricSource.Computed, set.Source);
        Assert.Equal(0.6, set.Threshold);
        Assert.Equal(1e-9, set.Alpha);
        Assert.Equal(ImportedModel, set.EmbeddingModel);
        Assert.Equal(@case.Positions.Sum(p => p.Resamples?.Count ?? 0), set.ResampleCount);
        Assert.Equal(64, set.ResampleSetHash!.Length);
        Assert.Contains("\"mode\":\"TraceViewer\"", set.Parameters, StringComparison.Ordinal);
        var prefix = set.Values.First(v => v.Name == MetricNames.PrefixRate);
        Assert.NotNull(prefix.Count);
        Assert.True(prefix.Low <= prefix.Value && prefix.Value <= prefix.High);
        Assert.NotNull((await db.Set<Trace>().SingleAsync(t => t.Id == traceId)).MaxImportance);
    }

    [Fact]
    public async Task RecomputingAgainReplacesTheSetWithTheSameParameters()
    {
        var (traceId, @case) = await StoreCaseAsync("case_a.json");

        await RecomputeAsync(traceId, @case.Parameters());
        await RecomputeAsync(traceId, @case.Parameters());
        await RecomputeAsync(traceId, @case.Parameters(threshold: 0.6));

        await using var db = app.CreateDbContext();
        Assert.Equal([0.6, 0.8], await db.Set<MetricSet>().Where(m => m.TraceId == traceId).Select(m => m.Threshold!.Value).OrderBy(t => t).ToListAsync());
    }

    [Fact]
    public async Task WithoutVectorsTheLexicalFallbackIsRecorded()
    {
        var (traceId, _) = await StoreCaseAsync("case_a.json", withVectors: false);

        var result = Assert.Single(await RecomputeAsync(traceId, MetricsParameters.TraceViewerDefaults));

        Assert.Equal(LexicalSimilarity.ModelName, result.EmbeddingModel);
    }

    [Fact]
    public async Task RecomputeCommandReportsEachTraceAndStoresTheSet()
    {
        var (traceId, _) = await StoreCaseAsync("case_a.json");
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await new System.CommandLine.RootCommand { RecomputeCommand.Create(app.Services) }
            .Parse(["recompute", "--trace", traceId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--threshold", "0.6"])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });

        Assert.Equal(0, exitCode);
        Assert.Contains($"[1/1] trace {traceId}", error.ToString(), StringComparison.Ordinal);
        Assert.Contains($"similarity {ImportedModel}", output.ToString(), StringComparison.Ordinal);
        await using var db = app.CreateDbContext();
        Assert.True(await db.Set<MetricSet>().AnyAsync(m => m.TraceId == traceId && m.Threshold == 0.6));
    }

    [Fact]
    public async Task RecomputeCommandRejectsAnUnknownTrace()
    {
        var error = new StringWriter();

        var exitCode = await new System.CommandLine.RootCommand { RecomputeCommand.Create(app.Services) }
            .Parse(["recompute", "--trace", "424242"])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = new StringWriter(), Error = error });

        Assert.Equal(1, exitCode);
        Assert.Contains("no trace 424242", error.ToString(), StringComparison.Ordinal);
    }
}
