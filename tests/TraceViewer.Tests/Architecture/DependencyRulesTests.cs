namespace TraceViewer.Tests.Architecture;

/// <summary>The features of the app refer to each other only as docs/dependencies.md allows.</summary>
public sealed class DependencyRulesTests
{
    private const string Prefix = "TraceViewer";

    /// <summary>Bottom up. Keep in step with docs/dependencies.md.</summary>
    internal static readonly string[][] Layers =
    [
        ["Statistics", "Text", "Providers", "Telemetry"],
        ["Metrics"],
        ["Data"],
        ["Accounts"],
        ["Sharing", "Views", "Workspaces"],
        ["Components"],
        ["Outcomes"],
        ["Judging"],
        ["Resampling", "Collect", "Embeddings"],
        ["Datasets"],
        ["Traces"],
        ["MetricSets"],
        ["Tags"],
        ["Tagging", "Import"],
        ["Kinds", "Analyses"],
        ["Studies"],
        ["Agreement"],
        ["Queues", "Search"],
        ["Exports", "Snapshot"],
        ["Jobs"],
        ["Web"],
        ["(root)", "Migrations"],
    ];

    /// <summary>
    /// References against the layers that exist today. Each is a debt: this list may only shrink (a fixed one must be
    /// taken off, <see cref="EveryExceptionStillExists"/>), and a new one fails <see cref="FeaturesReferOnlyDownward"/>.
    /// </summary>
    internal static readonly (string From, string To)[] Exceptions =
    [
        ("Accounts", "Components"),
        ("Accounts", "Sharing"),
        ("Agreement", "Exports"),
        ("Components", "Exports"),
        ("Data", "Tags"),
        ("Datasets", "Agreement"),
        ("Datasets", "Kinds"),
        ("Datasets", "Studies"),
        ("Datasets", "Traces"),
        ("Judging", "Resampling"),
        ("Judging", "Traces"),
        ("MetricSets", "Web"),
        ("Outcomes", "Judging"),
        ("Resampling", "Traces"),
        ("Search", "Exports"),
        ("Sharing", "Datasets"),
        ("Sharing", "Studies"),
        ("Sharing", "Traces"),
        ("Studies", "Exports"),
        ("Studies", "Jobs"),
        ("Tags", "Import"),
        ("Traces", "Agreement"),
        ("Traces", "Analyses"),
        ("Traces", "Exports"),
        ("Traces", "Jobs"),
        ("Traces", "MetricSets"),
        ("Traces", "Queues"),
        ("Traces", "Studies"),
        ("Traces", "Tags"),
        ("Traces", "Web"),
        ("Views", "Sharing"),
    ];

    private static readonly DependencyRules Rules = new(Layers, Exceptions);

    private static SortedDictionary<(string From, string To), SortedSet<string>> AppGraph() =>
        FeatureGraph.Of(typeof(TraceViewer.Jobs.JobWorker).Assembly, Prefix);

    [Fact]
    public void EveryFeatureHasALayer()
    {
        var features = typeof(TraceViewer.Jobs.JobWorker).Assembly.GetTypes()
            .Select(t => FeatureGraph.FeatureOf(t, Prefix)).OfType<string>().Distinct().Order().ToList();
        Assert.DoesNotContain(features, f => !Rules.Knows(f));
    }

    [Fact]
    public void FeaturesReferOnlyDownward()
    {
        var violations = Rules.Violations(AppGraph());
        Assert.True(violations.Count == 0, "Features refer to features docs/dependencies.md does not allow them to:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void EveryExceptionStillExists()
    {
        var graph = AppGraph();
        var gone = Exceptions.Where(e => !graph.ContainsKey(e) || Rules.Allows(e.From, e.To)).ToList();
        Assert.True(gone.Count == 0, "No longer needed, take off the exceptions: " + string.Join(", ", gone.Select(e => $"{e.From} -> {e.To}")));
    }

    [Fact]
    public void PureFeaturesReferToNoOtherFeatureButStatistics()
    {
        var graph = AppGraph();
        Assert.DoesNotContain(graph.Keys, e => e.From is "Statistics" or "Text" or "Providers" or "Telemetry" || (e.From == "Metrics" && e.To != "Statistics"));
    }

    [Fact]
    public void AReferenceInsideAMethodBodyAgainstTheRulesIsCaught()
    {
        const string prefix = "TraceViewer.Tests.Architecture.Sample";
        var graph = FeatureGraph.Of(typeof(DependencyRulesTests).Assembly, prefix);
        var rules = new DependencyRules([["Pure"], ["Shell"]], []);

        var violation = Assert.Single(rules.Violations(graph));
        Assert.StartsWith("Pure -> Shell: TraceViewer.Tests.Architecture.Sample.Pure.Leaky -> TraceViewer.Tests.Architecture.Sample.Shell.Banner", violation, StringComparison.Ordinal);
        // Named as an exception, the same reference passes; turned the other way round, the layers allow it.
        Assert.Empty(new DependencyRules([["Pure"], ["Shell"]], [("Pure", "Shell")]).Violations(graph));
        Assert.Empty(new DependencyRules([["Shell"], ["Pure"]], []).Violations(graph));
    }
}
