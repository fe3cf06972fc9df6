using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Datasets;
using TraceViewer.Import;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;
using TraceViewer.Traces;
using TraceViewer.Tags;

namespace TraceViewer.Tests.Import;

/// <summary>The two thought-anchors.com bundles imported once into one database (formats.md §c).</summary>
public sealed class ViewerBundleImportFixture : IAsyncLifetime
{
    public TestApp App { get; } = new();

    public Task InitializeAsync() => App.ImportAsync(SharedPaths.Fixtures("thought-anchors"));

    public Task DisposeAsync()
    {
        App.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class ViewerBundleImportTests(ViewerBundleImportFixture fixture) : IClassFixture<ViewerBundleImportFixture>
{
    private const string MathBundle = "deepseek-r1-distill-qwen-14b/correct_base_solution/problem_330";
    private const string BlackmailBundle = "qwq-32b/yes_base_solution/scenario_0";

    public static TheoryData<string> Bundles => [MathBundle, BlackmailBundle];

    /// <summary>From SOURCE.md and formats.md §c.3: 139 and 146 chunks; the scenario's "accuracy" is the blackmail rate.</summary>
    private static (string Outcome, int Sentences) Expected(string bundle) =>
        bundle == MathBundle ? (OutcomeRegistry.IsCorrect, 139) : (OutcomeRegistry.ContainsBlackmail, 146);

    private TestApp App => fixture.App;

    [Theory]
    [MemberData(nameof(Bundles))]
    public async Task EachBundleBecomesOneTraceWithAllItsSentences(string bundle)
    {
        var (outcome, sentences) = Expected(bundle);
        using var db = App.CreateDbContext();

        var trace = await TraceAsync(db, bundle);

        Assert.Equal(sentences, await db.Set<Sentence>().CountAsync(s => s.TraceId == trace.Id));
        Assert.Equal(sentences, trace.SentenceCount);
        var dataset = await db.Set<Dataset>().SingleAsync(d => d.Id == trace.DatasetId);
        Assert.Equal(outcome, (await db.Set<Outcome>().SingleAsync(o => o.Id == dataset.PrimaryOutcomeId)).Key);
        Assert.Equal("thought-anchors-viewer/" + string.Join('/', bundle.Split('/')[..2]), dataset.Key);
        Assert.Equal(bundle, trace.SourcePath);
        Assert.False(trace.HasLabelledResamples);
    }

    [Theory]
    [MemberData(nameof(Bundles))]
    public async Task SentencesKeepTheChunkTextAndIndexIntoTheReasoning(string bundle)
    {
        var (outcome, sentences) = Expected(bundle);
        using var db = App.CreateDbContext();
        var labeled = Source(bundle, "chunks_labeled.json").EnumerateArray().ToList();

        var trace = await TraceAsync(db, bundle);
        var rows = await db.Set<Sentence>().Where(s => s.TraceId == trace.Id).OrderBy(s => s.Index).ToListAsync();

        Assert.Equal(sentences, labeled.Count);
        Assert.Equal(labeled.Select(c => (c.GetProperty("chunk_idx").GetInt32(), c.GetProperty("chunk").GetString())), rows.Select(s => (s.Index, (string?)s.Text)));
        Assert.Equal(string.Concat(rows.Select(s => s.Text + s.Separator)), trace.Reasoning);
        Assert.All(rows, s => Assert.Equal(s.Text, trace.Reasoning[s.Start..s.End]));
        var tags = await db.Set<SentenceTag>().Where(t => rows.Select(s => s.Id).Contains(t.SentenceId)).OrderBy(t => t.Id)
            .Select(t => new { t.SentenceId, t.Tag!.Name, Taxonomy = t.Tag.Taxonomy!.Name, t.AnnotatorKind, t.Annotator }).ToListAsync();
        Assert.All(tags, t => Assert.Equal((BuiltInTaxonomies.Functions, AnnotatorKind.Import, SourceFormats.ViewerBundle), (t.Taxonomy, t.AnnotatorKind, t.Annotator)));
        Assert.Equal(
            labeled.Select(c => string.Join('\n', c.GetProperty("function_tags").EnumerateArray().Select(t => t.GetString()))),
            rows.Select(s => string.Join('\n', tags.Where(t => t.SentenceId == s.Id).Select(t => t.Name))));
        Assert.Equal(labeled.Select(c => string.Join(',', c.GetProperty("depends_on").EnumerateArray().Select(t => t.GetString()))), rows.Select(s => s.DependsOn ?? ""));
    }

    [Theory]
    [MemberData(nameof(Bundles))]
    public async Task EveryPrefixRateIsTheSourceAccuracyExactly(string bundle)
    {
        var (outcome, sentences) = Expected(bundle);
        using var db = App.CreateDbContext();
        var labeled = Source(bundle, "chunks_labeled.json").EnumerateArray().ToList();
        var alternatives = Source(bundle, "chunks_resampled.json");

        var rates = await MetricsAsync(db, bundle, MetricNames.PrefixRate);

        Assert.Equal(sentences, rates.Count);
        foreach (var chunk in labeled)
        {
            var index = chunk.GetProperty("chunk_idx").GetInt32();
            var rate = rates[index];
            Assert.Equal(chunk.GetProperty("accuracy").GetDouble(), rate.Value);
            Assert.Equal("accuracy", rate.SourceKey);
            var count = alternatives.GetProperty(index.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetArrayLength();
            Assert.Equal(count, rate.Count);
            Assert.Equal((int)Math.Round(rate.Value * count), rate.Successes);
            Assert.True(rate.Low <= rate.Value && rate.Value <= rate.High, $"{outcome} chunk {index}: {rate.Low} {rate.Value} {rate.High}");
        }
    }

    [Theory]
    [MemberData(nameof(Bundles))]
    public async Task CounterfactualEffectIsTheNegatedSourceValue(string bundle)
    {
        var (outcome, sentences) = Expected(bundle);
        using var db = App.CreateDbContext();
        var labeled = Source(bundle, "chunks_labeled.json").EnumerateArray().ToList();

        var effects = await MetricsAsync(db, bundle, MetricNames.CounterfactualEffect);
        var resampling = await MetricsAsync(db, bundle, MetricNames.ResamplingEffect);

        Assert.Equal(sentences, effects.Count);
        foreach (var chunk in labeled)
        {
            var index = chunk.GetProperty("chunk_idx").GetInt32();
            Assert.Equal(-chunk.GetProperty("counterfactual_importance_accuracy").GetDouble(), effects[index].Value);
            Assert.True(effects[index].Negated);
            Assert.Equal("counterfactual_importance_accuracy", effects[index].SourceKey);
            Assert.Equal(chunk.GetProperty("resampling_importance_accuracy").GetDouble(), resampling[index].Value);
            Assert.False(resampling[index].Negated);
        }
    }

    [Theory]
    [MemberData(nameof(Bundles))]
    public async Task EveryNumericSourceKeyIsStoredUnderItsCanonicalName(string bundle)
    {
        var (outcome, sentences) = Expected(bundle);
        using var db = App.CreateDbContext();
        var labeled = Source(bundle, "chunks_labeled.json").EnumerateArray().ToList();
        var trace = await TraceAsync(db, bundle);

        var set = await db.Set<MetricSet>().Include(m => m.Values).SingleAsync(m => m.TraceId == trace.Id);

        var numericKeys = labeled.SelectMany(c => c.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number && p.Name != "chunk_idx")).Count();
        Assert.Equal(numericKeys, set.Values.Count);
        Assert.Equal(sentences, set.Values.Select(v => v.SentenceIndex).Distinct().Count());
        Assert.Equal(MetricSource.Imported, set.Source);
        Assert.Equal("chunks_labeled.json", set.SourceFile);
        Assert.Equal(1e-9, set.Alpha);
        // Only the MATH reference documents its similarity threshold and embedding model (formats.md §a.5).
        Assert.Equal(outcome == OutcomeRegistry.IsCorrect ? 0.8 : null, set.Threshold);
        Assert.Equal(outcome == OutcomeRegistry.IsCorrect ? "all-MiniLM-L6-v2" : null, set.EmbeddingModel);
        foreach (var chunk in labeled)
        {
            var index = chunk.GetProperty("chunk_idx").GetInt32();
            Assert.Equal(chunk.GetProperty("different_trajectories_fraction").GetDouble(), set.Values.Single(v => v.SentenceIndex == index && v.Name == MetricNames.DissimilarFraction).Value);
            Assert.Equal(chunk.GetProperty("counterfactual_importance_kl").GetDouble(), set.Values.Single(v => v.SentenceIndex == index && v.Name == MetricNames.CounterfactualKl).Value);
        }
    }

    [Theory]
    [MemberData(nameof(Bundles))]
    public async Task MaxImportanceIsTheLargestAbsoluteEffectWithTheResamplingFallback(string bundle)
    {
        var (outcome, sentences) = Expected(bundle);
        using var db = App.CreateDbContext();
        var labeled = Source(bundle, "chunks_labeled.json").EnumerateArray().ToList();

        var trace = await TraceAsync(db, bundle);

        var expected = labeled.Max(c => Math.Abs(c.GetProperty("different_trajectories_fraction").GetDouble() <= 0.05
            ? c.GetProperty("resampling_importance_accuracy").GetDouble()
            : c.GetProperty("counterfactual_importance_accuracy").GetDouble()));
        Assert.Equal(expected, trace.MaxImportance);
        Assert.Equal(sentences, labeled.Count);
    }

    [Theory]
    [MemberData(nameof(Bundles))]
    public async Task AlternativesMatchChunksResampled(string bundle)
    {
        var (outcome, sentences) = Expected(bundle);
        using var db = App.CreateDbContext();
        var alternatives = Source(bundle, "chunks_resampled.json").EnumerateObject()
            .ToDictionary(p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture), p => p.Value.EnumerateArray().Select(s => s.GetString()).ToList());
        var trace = await TraceAsync(db, bundle);

        var rows = await db.Set<Resample>().Where(r => r.TraceId == trace.Id).OrderBy(r => r.Position).ThenBy(r => r.SampleIndex).ToListAsync();

        Assert.Equal(alternatives.Sum(a => a.Value.Count), rows.Count);
        Assert.Equal(rows.Count, trace.ResampleCount);
        Assert.Equal(sentences, alternatives.Count);
        foreach (var (position, strings) in alternatives)
        {
            Assert.Equal(strings, rows.Where(r => r.Position == position).Select(r => r.FirstSentence));
        }

        Assert.All(rows, r => Assert.Equal(TraceViewer.Resampling.ResampleOrigin.Imported, r.Origin));
        Assert.Empty(await db.Set<ResampleLabel>().Where(l => db.Set<Resample>().Any(r => r.Id == l.ResampleId && r.TraceId == trace.Id)).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(Bundles))]
    public async Task StepImportanceBecomesSentenceLinks(string bundle)
    {
        var (outcome, sentences) = Expected(bundle);
        using var db = App.CreateDbContext();
        var trace = await TraceAsync(db, bundle);

        foreach (var (file, kind) in new[] { ("step_importance.json", "resampling_match"), ("step_importance_supp.json", "attention_suppression") })
        {
            // One row per source sentence, its targets packed in ascending order.
            var rows = await db.Set<SentenceLinkRow>().Where(l => l.TraceId == trace.Id && l.Kind == kind).ToListAsync();
            Assert.Equal(rows.Count, rows.Select(r => r.SourceIndex).Distinct().Count());
            var links = rows.SelectMany(r => PackedLinks.Unpack(r).Select(c => (r.SourceIndex, TargetIndex: c.Target, c.Score))).ToList();
            Assert.All(rows, r => Assert.True(PackedLinks.Unpack(r).Select(c => c.Target).SequenceEqual(PackedLinks.Unpack(r).Select(c => c.Target).Order())));
            var path = Path.Combine(SharedPaths.Fixtures("thought-anchors"), bundle, file);
            if (!File.Exists(path))
            {
                Assert.Empty(links);
                continue;
            }

            var steps = JsonDocument.Parse(File.ReadAllText(path)).RootElement.EnumerateArray().ToList();
            var expected = steps.SelectMany(s => s.GetProperty("target_impacts").EnumerateArray().Select(t =>
                (s.GetProperty("source_chunk_idx").GetInt32(), t.GetProperty("target_chunk_idx").GetInt32(), t.GetProperty("importance_score").GetDouble()))).ToList();
            Assert.Equal(expected.Order(), links.Select(l => (l.SourceIndex, l.TargetIndex, l.Score)).Order());
            Assert.Equal(sentences, steps.Count);
        }

    }

    [Theory]
    [MemberData(nameof(Bundles))]
    public async Task TheBaseOutcomeBecomesATraceLabel(string bundle)
    {
        var (outcome, sentences) = Expected(bundle);
        using var db = App.CreateDbContext();
        var baseSolution = Source(bundle, "base_solution.json");
        var trace = await TraceAsync(db, bundle);

        var label = await db.Set<TraceLabel>().SingleAsync(l => l.TraceId == trace.Id);

        Assert.Equal(outcome, (await db.Set<Outcome>().SingleAsync(o => o.Id == label.OutcomeId)).Key);
        var sourceKey = outcome == OutcomeRegistry.IsCorrect ? "is_correct" : "contains_blackmail";
        Assert.Equal(baseSolution.GetProperty(sourceKey).GetBoolean(), label.IsPositive);
        Assert.Equal(baseSolution.GetProperty("prompt").GetString(), trace.Prompt);
        Assert.Equal(baseSolution.GetProperty("solution").GetString(), trace.Response);
    }

    [Fact]
    public async Task ImportingTheSameFolderAgainWritesNothing()
    {
        var before = await App.DumpAsync();

        var summary = await App.ImportAsync(SharedPaths.Fixtures("thought-anchors"));

        Assert.Equal((0, 0, 2), (summary.TracesAdded, summary.TracesUpdated, summary.TracesUnchanged));
        Assert.Equal(before, await App.DumpAsync());
    }

    private static async Task<Trace> TraceAsync(TraceViewer.Data.TraceViewerDbContext db, string bundle) =>
        await db.Set<Trace>().AsNoTracking().SingleAsync(t => t.SourcePath == bundle);

    private static async Task<Dictionary<int, SentenceMetric>> MetricsAsync(TraceViewer.Data.TraceViewerDbContext db, string bundle, string name)
    {
        var trace = await TraceAsync(db, bundle);
        var set = await db.Set<MetricSet>().Include(m => m.Values).SingleAsync(m => m.TraceId == trace.Id);
        return set.Values.Where(v => v.Name == name).ToDictionary(v => v.SentenceIndex);
    }

    private static JsonElement Source(string bundle, string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedPaths.Fixtures("thought-anchors"), bundle, file))).RootElement;
}
