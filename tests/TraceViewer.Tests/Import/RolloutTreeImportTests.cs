using Microsoft.EntityFrameworkCore;
using TraceViewer.Datasets;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;
using TraceViewer.Traces;
using TraceViewer.Tags;

namespace TraceViewer.Tests.Import;

/// <summary>Synthetic trees of formats (a) and (b), with errors, empty answers and separators (formats.md §a, §b).</summary>
public sealed class RolloutTreeImportTests : IDisposable
{
    private static readonly string[] MathChunks = ["Let me add the numbers.", "Two plus three.", "That is five.", "So the answer is 5."];

    private static readonly Rollout[][] MathRollouts =
    [
        [Rollout.Positive, Rollout.Negative, Rollout.Error, Rollout.Positive, Rollout.Empty],
        [Rollout.Positive, Rollout.Positive, Rollout.Positive, Rollout.Negative],
        [Rollout.Negative, Rollout.Error, Rollout.Empty],
        [Rollout.Positive, Rollout.Positive, Rollout.Positive, Rollout.Positive, Rollout.Negative, Rollout.Negative],
    ];

    private static readonly string[] ScenarioChunks = ["<think>", "The data shows harm.", "I should report it.", "</think>", "I will email the regulator."];

    private static readonly string[] ScenarioSeparators = ["\n", " ", "\n\n", "\n\n", ""];

    private static readonly Rollout[][] ScenarioRollouts =
    [
        [Rollout.Negative, Rollout.Negative, Rollout.Positive],
        [Rollout.Positive, Rollout.Empty, Rollout.Negative, Rollout.Error],
        [Rollout.Positive, Rollout.Positive],
        [Rollout.Positive, Rollout.Error, Rollout.Positive],
        [Rollout.Positive, Rollout.Negative],
    ];

    private readonly TestApp _app = new();
    private readonly SyntheticTrees _trees = new();

    [Fact]
    public async Task AProblemTreeWithoutLabelsGetsPrefixRatesCountedFromDeterminedRollouts()
    {
        _trees.WriteMathProblem("problem_7", MathChunks, MathRollouts);

        var summary = await _app.ImportAsync(_trees.Root);

        Assert.Equal(1, summary.TracesAdded);
        using var db = _app.CreateDbContext();
        var trace = await db.Set<Trace>().SingleAsync();
        var rates = (await db.Set<MetricSet>().Include(m => m.Values).SingleAsync()).Values.Where(v => v.Name == MetricNames.PrefixRate).OrderBy(v => v.SentenceIndex).ToList();
        Assert.Equal(MathRollouts.Select(SyntheticTrees.Rate), rates.Select(r => r.Value));
        Assert.Equal(MathRollouts.Select(r => r.Count(k => k is Rollout.Positive or Rollout.Negative)), rates.Select(r => r.Count!.Value));
        Assert.Equal(MathRollouts.Select(r => r.Count(k => k == Rollout.Positive)), rates.Select(r => r.Successes!.Value));
        Assert.True(trace.HasLabelledResamples);
        Assert.Equal(0.6, trace.Temperature);
        Assert.Equal(0.95, trace.TopP);
        Assert.Equal("What is $2+3$?", trace.UserPrompt);
        Assert.Equal("Tiny sum", trace.Title);
        Assert.Equal(string.Join(" ", MathChunks), trace.Reasoning);
        Assert.Equal("The answer is \\boxed{5}.", trace.FinalOutput);
        var dataset = await db.Set<Dataset>().SingleAsync();
        Assert.Equal($"thought-anchors-rollouts/{SyntheticTrees.MathModel}/{SyntheticTrees.Temperature}/correct_base_solution", dataset.Key);
        Assert.Equal(TraceViewer.Datasets.DatasetKind.Math, dataset.Kind);
    }

    [Fact]
    public async Task EveryRolloutRecordBecomesAResampleLabelledByTheRateRules()
    {
        _trees.WriteMathProblem("problem_7", MathChunks, MathRollouts);

        await _app.ImportAsync(_trees.Root);

        using var db = _app.CreateDbContext();
        var outcome = await db.Set<Outcome>().SingleAsync(o => o.Key == OutcomeRegistry.IsCorrect);
        var resamples = await db.Set<Resample>().Include(r => r.Labels).OrderBy(r => r.Position).ThenBy(r => r.SampleIndex).ToListAsync();
        var expected = MathRollouts.SelectMany((records, i) => records.Select((kind, j) => (i, j, kind))).ToList();
        Assert.Equal(expected.Count, resamples.Count);
        foreach (var ((position, sample, kind), resample) in expected.Zip(resamples))
        {
            Assert.Equal((position, sample), (resample.Position, resample.SampleIndex));
            var label = Assert.Single(resample.Labels);
            Assert.Equal(outcome.Id, label.OutcomeId);
            Assert.Equal(kind switch { Rollout.Positive => true, Rollout.Negative => false, _ => (bool?)null }, label.IsPositive);
            Assert.Equal(kind == Rollout.Error, resample.Error is not null);
            Assert.Equal(kind == Rollout.Error ? null : $"Alternative {sample}.", resample.FirstSentence);
            Assert.Equal(kind switch { Rollout.Positive => "5", Rollout.Negative => "6", Rollout.Empty => "", _ => null }, resample.Answer);
        }

        Assert.Equal(resamples.Count, (await db.Set<Trace>().SingleAsync()).ResampleCount);
    }

    [Fact]
    public async Task ALabelledProblemTreeKeepsTheFileRatesAndAddsTheForcedAnswerRate()
    {
        var forced = MathRollouts.Select(r => (IReadOnlyList<Rollout>)[.. r.Reverse()]).ToList();
        _trees.WriteMathProblem("problem_7", MathChunks, MathRollouts, labeled: true, forced: forced);

        var summary = await _app.ImportAsync(_trees.Root);

        Assert.Equal(1, summary.TracesAdded);
        using var db = _app.CreateDbContext();
        var set = await db.Set<MetricSet>().Include(m => m.Values).SingleAsync();
        Assert.Equal("chunks_labeled.json", set.SourceFile);
        for (var i = 0; i < MathChunks.Length; i++)
        {
            var values = set.Values.Where(v => v.SentenceIndex == i).ToDictionary(v => v.Name);
            Assert.Equal(SyntheticTrees.Rate(MathRollouts[i]), values[MetricNames.PrefixRate].Value);
            Assert.Equal(MathRollouts[i].Count(k => k is Rollout.Positive or Rollout.Negative), values[MetricNames.PrefixRate].Count);
            Assert.Equal(SyntheticTrees.Rate(forced[i]), values["forced_rate"].Value);
            Assert.Equal(-(0.25 * (i % 3) - 0.25), values[MetricNames.CounterfactualEffect].Value);
        }

        var sentences = await db.Set<Sentence>().OrderBy(s => s.Index).ToListAsync();
        var tags = await db.Set<SentenceTag>().Select(t => new { t.SentenceId, t.Tag!.Name }).ToListAsync();
        Assert.All(sentences, s => Assert.Equal(["active_computation"], tags.Where(t => t.SentenceId == s.Id).Select(t => t.Name)));
        Assert.Equal([null, "0", "1", "2"], sentences.Select(s => s.DependsOn));
    }

    [Fact]
    public async Task AScenarioTreeKeepsItsSeparatorsAndWhistleblowingLabels()
    {
        _trees.WriteScenario("scenario_3", ScenarioChunks, ScenarioSeparators, ScenarioRollouts);

        await _app.ImportAsync(_trees.Root);

        using var db = _app.CreateDbContext();
        var trace = await db.Set<Trace>().SingleAsync();
        var sentences = await db.Set<Sentence>().OrderBy(s => s.Index).ToListAsync();
        Assert.Equal(string.Concat(ScenarioChunks.Zip(ScenarioSeparators, (c, s) => c + s)), trace.Reasoning);
        Assert.Equal(ScenarioSeparators, sentences.Select(s => s.Separator));
        Assert.All(sentences, s => Assert.Equal(s.Text, trace.Reasoning[s.Start..s.End]));
        Assert.Equal("You are an assistant at a pharmaceutical company.", trace.SystemPrompt);
        Assert.Equal("I will email the regulator.", trace.FinalOutput);

        var outcome = await db.Set<Outcome>().SingleAsync(o => o.Key == OutcomeRegistry.ContainsWhistleblowing);
        Assert.Equal(outcome.Id, (await db.Set<Dataset>().SingleAsync()).PrimaryOutcomeId);
        Assert.True((await db.Set<TraceLabel>().SingleAsync()).IsPositive);
        var rates = (await db.Set<MetricSet>().Include(m => m.Values).SingleAsync()).Values.OrderBy(v => v.SentenceIndex).ToList();
        Assert.Equal(ScenarioRollouts.Select(SyntheticTrees.Rate), rates.Select(r => r.Value));
        var labels = await db.Set<Resample>().OrderBy(r => r.Position).ThenBy(r => r.SampleIndex).Select(r => r.Labels.Single().IsPositive).ToListAsync();
        Assert.Equal(ScenarioRollouts.SelectMany(r => r).Select(k => k switch { Rollout.Positive => true, Rollout.Negative => false, _ => (bool?)null }), labels);
    }

    [Fact]
    public async Task ChangingOneRolloutReplacesThatTraceOnly()
    {
        _trees.WriteMathProblem("problem_7", MathChunks, MathRollouts);
        _trees.WriteScenario("scenario_3", ScenarioChunks, ScenarioSeparators, ScenarioRollouts);
        await _app.ImportAsync(_trees.Root);
        using var before = _app.CreateDbContext();
        var ids = await before.Set<Trace>().OrderBy(t => t.Id).Select(t => new { t.Id, t.ExternalKey, t.ContentHash }).ToListAsync();
        var changed = MathRollouts.Select(r => (IReadOnlyList<Rollout>)r).ToList();
        changed[0] = [.. MathRollouts[0].Select(_ => Rollout.Positive)];
        _trees.WriteMathProblem("problem_7", MathChunks, changed);

        var summary = await _app.ImportAsync(_trees.Root);

        Assert.Equal((0, 1, 1), (summary.TracesAdded, summary.TracesUpdated, summary.TracesUnchanged));
        using var db = _app.CreateDbContext();
        var after = await db.Set<Trace>().OrderBy(t => t.Id).Select(t => new { t.Id, t.ExternalKey, t.ContentHash }).ToListAsync();
        Assert.Equal(ids.Select(t => (t.Id, t.ExternalKey)), after.Select(t => (t.Id, t.ExternalKey)));
        Assert.NotEqual(ids.Single(t => t.ExternalKey == "problem_7").ContentHash, after.Single(t => t.ExternalKey == "problem_7").ContentHash);
        Assert.Equal(changed.Sum(r => r.Count) + ScenarioRollouts.Sum(r => r.Length), await db.Set<Resample>().CountAsync());
        var problemId = ids.Single(t => t.ExternalKey == "problem_7").Id;
        var firstRate = await db.Set<SentenceMetric>().Where(v => v.SentenceIndex == 0 && v.Name == MetricNames.PrefixRate)
            .Join(db.Set<MetricSet>().Where(m => m.TraceId == problemId), v => v.MetricSetId, m => m.Id, (v, m) => v.Value).SingleAsync();
        Assert.Equal(1.0, firstRate);
    }

    public void Dispose()
    {
        _app.Dispose();
        _trees.Dispose();
    }
}
