using System.Text.Json;
using TraceViewer.Statistics;

namespace TraceViewer.Tests.Statistics;

public sealed class WilsonTests
{
    private sealed record Vector(int K, int N, double Low, double High);

    [Fact]
    public void MatchesEveryConformanceVector()
    {
        var vectors = JsonSerializer.Deserialize<Vector[]>(
            File.ReadAllText(SharedPaths.Conformance("wilson.json")), JsonSerializerOptions.Web)!;

        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            var interval = Wilson.Interval(v.K, v.N);
            Assert.Equal(v.Low, interval.Low, 1e-12);
            Assert.Equal(v.High, interval.High, 1e-12);
        }
    }

    [Fact]
    public void EmptySampleGivesTheWholeRange()
    {
        Assert.Equal(new Interval(0, 1), Wilson.Interval(0, 0));
    }
}
