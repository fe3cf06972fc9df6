using TraceViewer.Metrics.Engine;

namespace TraceViewer.Tests.Metrics.Engine;

public sealed class ConformanceTests
{
    private const double Tolerance = 1e-9;

    private static readonly (string Name, Func<ReferenceChunkValues, double> Value)[] Fields =
    [
        ("accuracy", v => v.Accuracy),
        ("resampling_importance_accuracy", v => v.ResamplingImportanceAccuracy),
        ("resampling_importance_kl", v => v.ResamplingImportanceKl),
        ("counterfactual_importance_accuracy", v => v.CounterfactualImportanceAccuracy),
        ("counterfactual_importance_kl", v => v.CounterfactualImportanceKl),
        ("different_trajectories_fraction", v => v.DifferentTrajectoriesFraction),
        ("overdeterminedness", v => v.Overdeterminedness),
    ];

    [Theory]
    [InlineData("case_a.json")]
    [InlineData("case_b.json")]
    [InlineData("case_c.json")]
    [InlineData("case_d.json")]
    public void ReferenceModeReproducesEveryExpectedValue(string file)
    {
        var conformance = ConformanceCase.Load(SharedPaths.Conformance(file));

        var metrics = conformance.Compute();

        AssertMatches(file, conformance.Expected, metrics);
    }

    [Fact]
    public void ReferenceModeReproducesCaseAAtThreshold06()
    {
        var conformance = ConformanceCase.Load(SharedPaths.Conformance("case_a.json"));

        var metrics = conformance.Compute(threshold: 0.6);

        Assert.NotNull(conformance.ExpectedThreshold06);
        AssertMatches("case_a.json at 0.6", conformance.ExpectedThreshold06, metrics);
    }

    [Fact]
    public void ChunksWithoutRolloutsHaveNoEntry()
    {
        var conformance = ConformanceCase.Load(SharedPaths.Conformance("case_c.json"));
        var missing = conformance.Positions.Where(p => p.Resamples is null).Select(p => p.Index).ToList();

        var metrics = conformance.Compute();

        Assert.Equal([4], missing);
        Assert.DoesNotContain(metrics.Chunks, c => missing.Contains(c.Index));
        Assert.Equal(conformance.Positions.Count - missing.Count, metrics.Chunks.Count);
    }

    [Theory]
    [InlineData("case_a.json")]
    [InlineData("case_b.json")]
    [InlineData("case_c.json")]
    [InlineData("case_d.json")]
    public void NormalisationMatchesTheReferenceOnceAndTwice(string file)
    {
        var conformance = ConformanceCase.Load(SharedPaths.Conformance(file));

        var failures = new List<string>();
        foreach (var (raw, expected) in conformance.NormalizedAnswers)
        {
            var once = AnswerNormalizer.Normalize(raw);
            var twice = AnswerNormalizer.Normalize(once);
            if (once != expected.Once || twice != expected.Twice)
            {
                failures.Add($"\"{raw}\": expected \"{expected.Once}\"/\"{expected.Twice}\", got \"{once}\"/\"{twice}\"");
            }
        }

        Assert.NotEmpty(conformance.NormalizedAnswers);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static void AssertMatches(string label, IReadOnlyList<ReferenceChunkValues> expected, TraceMetrics metrics)
    {
        var actual = metrics.Chunks.Select(ReferenceChunkValues.From).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(e => e.ChunkIdx), actual.Select(a => a.ChunkIdx));

        var failures = new List<string>();
        foreach (var (e, a) in expected.Zip(actual))
        {
            foreach (var (name, value) in Fields)
            {
                if (!(Math.Abs(value(e) - value(a)) <= Tolerance))
                {
                    failures.Add($"{label} chunk {e.ChunkIdx} {name}: expected {value(e):R}, got {value(a):R}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}
