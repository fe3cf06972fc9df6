using Bunit;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

/// <summary>The comparison table, the list's difference marks and the provenance panel, rendered on their own.</summary>
public sealed class MetricsComponentsTests : MudComponentTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static SentenceEffects Effects(int index, double counterfactual, double? low = null, double? high = null) => new(
        index, new Estimate(counterfactual, null, null, 10, null), new Estimate(counterfactual, low, high, 10, null), 0.1, 0.2, 0.5,
        counterfactual > 0 ? Direction.Promotes : Direction.Suppresses, Math.Abs(counterfactual), false);

    private static OutcomeMetrics Outcome(MetricsProvenance? provenance, params SentenceEffects[] effects) =>
        new("compliance", "Compliance", null, provenance, [], effects);

    private static MetricsProvenance Computed(string model) =>
        new("Computed", null, 0.8, model, 1e-9, 40, At, Mode: "TraceViewer");

    [Fact]
    public void DetailShowsComputedAndImportedSideBySideAndFlagsTheDifference()
    {
        var comparison = new[] { new MetricComparisonRow("Prefix rate", 0.4, 0.4, false), new MetricComparisonRow("Counterfactual effect", 0.25, -0.1, true) };
        var detail = new SentenceDetailView(1, 0, "Text.", [], null,
            [new SentenceOutcomeDetail("compliance", "Compliance", null, null, null, Computed("m"), comparison, new MetricsProvenance("Imported", "chunks_labeled.json", 0.8, "all-MiniLM-L6-v2", null, 40, At))],
            0, []);

        var document = Render<SentenceDetail>(p => p.Add(c => c.Detail, detail));

        var rows = document.FindAll("[data-testid=comparison] tbody tr");
        Assert.Equal(["false", "true"], rows.Select(r => r.GetAttribute("data-differs")!));
        Assert.Equal(MetricFormat.Number(0.25), rows[1].Children[1].TextContent);
        Assert.Equal(MetricFormat.Number(-0.1), rows[1].Children[2].TextContent);
        Assert.Equal("Δ +0.350", rows[1].Children[3].TextContent);
        Assert.Contains("chunks_labeled.json", document.Find("[data-testid=comparison] caption").TextContent, StringComparison.Ordinal);
        Assert.Contains("1 differs", document.Find("[data-testid=comparison] caption").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ListMarksOnlySentencesThatDiffer()
    {
        var computed = Outcome(Computed("m"), Effects(0, 0.3), Effects(1, -0.2));
        var metrics = computed with { Imported = Outcome(null, Effects(0, 0.3), Effects(1, 0.2)) };
        SentenceView[] sentences = [new(0, "A.", " ", 0, 2, [], null), new(1, "B.", "", 3, 5, [], null)];

        var document = Render<SentenceList>(p => p.Add(c => c.Sentences, sentences).Add(c => c.Metrics, metrics));

        Assert.Equal([null, "true"], document.FindAll(".sentence").Select(s => s.GetAttribute("data-differs")));
        Assert.Equal("A. B.", document.Find("#sentences").TextContent);
    }

    [Fact]
    public void PanelLabelsTheLexicalFallbackAndEscapesNames()
    {
        var attack = "<img src=x onerror=alert(1)>";
        var metrics = Outcome(Computed("lexical:word-count-cosine"), Effects(0, 0.3, -0.1, 0.6), Effects(1, 0.5, 0.2, 0.8)) with { Name = attack };

        var document = Render<MetricsProvenancePanel>(p => p.Add(c => c.TraceId, 3).Add(c => c.Metrics, metrics).Add(c => c.Address, new TraceAddress(3)));

        Assert.Contains("lexical word overlap, not semantic", document.Find("[data-field=similarity]").TextContent, StringComparison.Ordinal);
        Assert.Contains("1 need more samples", document.Find("[data-field=counts]").TextContent, StringComparison.Ordinal);
        Assert.Equal("2026-03-04 05:06:07 UTC", document.Find("[data-field=computed-at]").TextContent);
        Assert.Empty(document.FindAll("img"));
        Assert.Empty(document.FindAll("form"));
    }

    [Fact]
    public void PanelNamesASemanticModelWithoutTheLexicalLabel()
    {
        var document = Render<MetricsProvenancePanel>(p => p.Add(c => c.TraceId, 3).Add(c => c.Metrics, Outcome(Computed("text-embedding-3-small"), Effects(0, 0.3))).Add(c => c.Address, new TraceAddress(3)));

        var similarity = document.Find("[data-field=similarity]").TextContent;
        Assert.Contains("text-embedding-3-small", similarity, StringComparison.Ordinal);
        Assert.DoesNotContain("lexical", similarity, StringComparison.Ordinal);
    }
}
