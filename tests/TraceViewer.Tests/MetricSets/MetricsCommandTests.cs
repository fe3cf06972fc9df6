using System.CommandLine;
using System.Text.Json;
using TraceViewer.MetricSets;
using TraceViewer.Metrics.Engine;

namespace TraceViewer.Tests.MetricSets;

public sealed class MetricsCommandTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var root = new RootCommand { MetricsCommand.Create() };

        var exitCode = root.Parse(["metrics", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });

        return (exitCode, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("case_a.json", null)]
    [InlineData("case_a.json", "0.6")]
    [InlineData("case_c.json", null)]
    public void PrintsTheReferenceValuesAsJson(string file, string? threshold)
    {
        var path = SharedPaths.Conformance(file);
        var conformance = ConformanceCase.Load(path);
        var expected = threshold is null ? conformance.Expected : conformance.ExpectedThreshold06!;

        var (exitCode, output, error) = Run(threshold is null ? [path] : [path, "--threshold", threshold]);

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        var printed = JsonSerializer.Deserialize<List<ReferenceChunkValues>>(output)!;
        Assert.Equal(expected.Select(e => e.ChunkIdx), printed.Select(p => p.ChunkIdx));
        foreach (var (e, p) in expected.Zip(printed))
        {
            Assert.Equal(e.Accuracy, p.Accuracy, 1e-9);
            Assert.Equal(e.ResamplingImportanceAccuracy, p.ResamplingImportanceAccuracy, 1e-9);
            Assert.Equal(e.ResamplingImportanceKl, p.ResamplingImportanceKl, 1e-9);
            Assert.Equal(e.CounterfactualImportanceAccuracy, p.CounterfactualImportanceAccuracy, 1e-9);
            Assert.Equal(e.CounterfactualImportanceKl, p.CounterfactualImportanceKl, 1e-9);
            Assert.Equal(e.DifferentTrajectoriesFraction, p.DifferentTrajectoriesFraction, 1e-9);
            Assert.Equal(e.Overdeterminedness, p.Overdeterminedness, 1e-9);
        }
    }

    [Fact]
    public void PrintsEveryReferenceFieldName()
    {
        var (_, output, _) = Run(SharedPaths.Conformance("case_b.json"));

        var first = JsonDocument.Parse(output).RootElement[0];

        Assert.Equal(
            ["chunk_idx", "accuracy", "resampling_importance_accuracy", "resampling_importance_kl", "counterfactual_importance_accuracy",
             "counterfactual_importance_kl", "different_trajectories_fraction", "overdeterminedness"],
            first.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void MissingFileIsAnError()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json");

        var (exitCode, output, error) = Run(path);

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.StartsWith($"error: {path}: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedJsonIsAnError()
    {
        var path = Path.Combine(Path.GetTempPath(), $"malformed-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"chunks\": [");
        try
        {
            var (exitCode, output, error) = Run(path);

            Assert.Equal(1, exitCode);
            Assert.Equal("", output);
            Assert.StartsWith($"error: {path}: malformed JSON", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
