using TraceViewer.Statistics;
using TraceViewer.Statistics.Agreement;

namespace TraceViewer.Tests.Statistics.Agreement;

public sealed class AgreementConformanceTests
{
    private const double Tolerance = 1e-9;

    private static readonly IReadOnlyList<AgreementCase> Cases =
        AgreementCase.Parse(File.ReadAllText(SharedPaths.Conformance("agreement.json")), out _);

    public static TheoryData<string> CaseNames() => [.. Cases.Select(c => c.Name!)];

    [Fact]
    public void TheConformanceFileHasCasesWithExpectedValues()
    {
        Assert.True(Cases.Count >= 6);
        Assert.All(Cases, c => Assert.NotNull(c.ExpectedPairwise));
        Assert.All(Cases, c => Assert.NotNull(c.ExpectedAlpha));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MatchesEveryExpectedValue(string name)
    {
        var conformance = Cases.Single(c => c.Name == name);

        var computed = conformance.ComputeValues();

        AssertMatches(conformance, computed);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BootstrapLeavesThePointEstimatesAsTheyAre(string name)
    {
        var conformance = Cases.Single(c => c.Name == name);

        var computed = conformance.ComputeValues(new BootstrapOptions(1000, Seed: 5));

        AssertMatches(conformance, computed);
        Assert.All(computed.Pairwise, p => Assert.NotNull(p.CohenKappaInterval));
        Assert.NotNull(computed.KrippendorffAlphaNominal.AlphaInterval);
    }

    internal static void AssertMatches(AgreementCase conformance, AgreementValues computed)
    {
        var expectedPairs = conformance.ExpectedPairwise!;
        Assert.Equal(expectedPairs.Select(p => (p.A, p.B)), computed.Pairwise.Select(p => (p.A, p.B)));
        foreach (var (expected, actual) in expectedPairs.Zip(computed.Pairwise))
        {
            Assert.Equal(expected.N, actual.N);
            AssertClose(expected.ObservedAgreement, actual.ObservedAgreement);
            AssertClose(expected.CohenKappa, actual.CohenKappa);
            Assert.Equal(expected.Confusion, actual.Confusion);
        }

        if (conformance.ExpectedFleiss is { } fleiss)
        {
            Assert.NotNull(computed.Fleiss);
            Assert.Equal(fleiss.Items, computed.Fleiss.Items);
            Assert.Equal(fleiss.N, computed.Fleiss.N);
            AssertClose(fleiss.FleissKappa, computed.Fleiss.FleissKappa);
        }
        else
        {
            Assert.Null(computed.Fleiss);
        }

        var alpha = conformance.ExpectedAlpha!;
        Assert.Equal(alpha.NItems, computed.KrippendorffAlphaNominal.NItems);
        AssertClose(alpha.Alpha, computed.KrippendorffAlphaNominal.Alpha);
    }

    private static void AssertClose(double? expected, double? actual)
    {
        if (expected is null)
        {
            Assert.Null(actual);
            return;
        }

        Assert.NotNull(actual);
        Assert.Equal(expected.Value, actual.Value, Tolerance);
    }
}
