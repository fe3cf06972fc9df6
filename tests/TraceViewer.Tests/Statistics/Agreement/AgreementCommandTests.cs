using System.CommandLine;
using System.Text.Json;
using TraceViewer.Statistics.Agreement;

namespace TraceViewer.Tests.Statistics.Agreement;

public sealed class AgreementCommandTests
{
    private static readonly string ConformanceFile = SharedPaths.Conformance("agreement.json");

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var root = new RootCommand { AgreementCommand.Create() };

        var exitCode = root.Parse(["agreement", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });

        return (exitCode, output.ToString(), error.ToString());
    }

    private static string WriteTemporary(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"agreement-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void TheWholeConformanceFilePrintsEveryCaseWithTheExpectedValues()
    {
        var cases = AgreementCase.Parse(File.ReadAllText(ConformanceFile), out _);

        var (exitCode, output, error) = Run(ConformanceFile);

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        var printed = JsonSerializer.Deserialize<List<AgreementValues>>(output)!;
        Assert.Equal(cases.Select(c => c.Name), printed.Select(p => p.Name));
        foreach (var (conformance, values) in cases.Zip(printed))
        {
            AgreementConformanceTests.AssertMatches(conformance, values);
        }
    }

    [Fact]
    public void OneCasePrintsOneObjectUnderTheConformanceFieldNames()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(ConformanceFile));
        var single = document.RootElement.GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "single-category-undefined");
        var path = WriteTemporary(single.GetRawText());
        try
        {
            var (exitCode, output, _) = Run(path);

            Assert.Equal(0, exitCode);
            var printed = JsonDocument.Parse(output).RootElement;
            Assert.Equal(["name", "pairwise", "fleiss", "krippendorff_alpha_nominal"], printed.EnumerateObject().Select(p => p.Name));
            var pair = printed.GetProperty("pairwise")[0];
            Assert.Equal(["a", "b", "n", "observed_agreement", "cohen_kappa", "confusion"], pair.EnumerateObject().Select(p => p.Name));
            Assert.Equal(JsonValueKind.Null, pair.GetProperty("cohen_kappa").ValueKind);
            Assert.Equal(["items", "n", "fleiss_kappa"], printed.GetProperty("fleiss").EnumerateObject().Select(p => p.Name));
            Assert.Equal(JsonValueKind.Null, printed.GetProperty("fleiss").GetProperty("fleiss_kappa").ValueKind);
            Assert.Equal(JsonValueKind.Null, printed.GetProperty("krippendorff_alpha_nominal").GetProperty("alpha").ValueKind);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void BootstrapAddsSeededIntervalsNamedAsPercentileBootstrap()
    {
        var (exitCode, first, _) = Run(ConformanceFile, "--bootstrap", "1000", "--seed", "11");
        var (_, again, _) = Run(ConformanceFile, "--bootstrap", "1000", "--seed", "11");

        Assert.Equal(0, exitCode);
        Assert.Equal(first, again);
        var five = JsonDocument.Parse(first).RootElement[1];
        var interval = five.GetProperty("pairwise")[0].GetProperty("cohen_kappa_interval");
        Assert.Equal("percentile bootstrap over items", interval.GetProperty("method").GetString());
        Assert.Equal(1000, interval.GetProperty("replicates").GetInt32());
        Assert.True(interval.GetProperty("low").GetDouble() < interval.GetProperty("high").GetDouble());
        Assert.True(five.GetProperty("fleiss").TryGetProperty("fleiss_kappa_interval", out _));
        Assert.True(five.GetProperty("krippendorff_alpha_nominal").TryGetProperty("alpha_interval", out _));
    }

    [Fact]
    public void TooFewBootstrapReplicatesAreAnError()
    {
        var (exitCode, output, error) = Run(ConformanceFile, "--bootstrap", "100");

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.Contains("at least 1000", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ALabelOutsideTheCategoriesIsNamedWithItsCaseAndPosition()
    {
        var path = WriteTemporary("""
            {"cases": [{"name": "bad", "categories": ["x", "y"], "ratings": [
              {"annotator": "ann", "item": "s0", "label": "x"}, {"annotator": "bo", "item": "s0", "label": "q"}]}]}
            """);
        try
        {
            var (exitCode, output, error) = Run(path);

            Assert.Equal(1, exitCode);
            Assert.Equal("", output);
            Assert.Equal($"error: {path}: cases[0] (\"bad\"): ratings[1]: label 'q' is not one of the categories (x, y).", error.Trim());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MissingCategoriesAreAnError()
    {
        var path = WriteTemporary("""{"ratings": []}""");
        try
        {
            var (exitCode, _, error) = Run(path);

            Assert.Equal(1, exitCode);
            Assert.Equal($"error: {path}: the case: missing \"categories\"", error.Trim());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MalformedJsonAndMissingFilesAreErrors()
    {
        var malformed = WriteTemporary("{\"cases\": [");
        var missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json");
        try
        {
            var (malformedExit, _, malformedError) = Run(malformed);
            var (missingExit, _, missingError) = Run(missing);

            Assert.Equal((1, 1), (malformedExit, missingExit));
            Assert.StartsWith($"error: {malformed}: malformed JSON", malformedError, StringComparison.Ordinal);
            Assert.Equal($"error: {missing}: file not found", missingError.Trim());
        }
        finally
        {
            File.Delete(malformed);
        }
    }
}
