using Bunit;
using Plotly.Blazor.Traces;
using TraceViewer.Analyses;
using TraceViewer.Components;
using TraceViewer.Components.Charts;
using TraceViewer.Outcomes;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Analyses;

public sealed class AnalysesComponentTests(TestApp app) : PageComponentTests(app), IClassFixture<TestApp>
{
    private static readonly SeededEffect[] AfEffects = [new(0.1, 0), new(-0.2, 0), new(0.3, 0), new(0, 0)];
    private static readonly SeededEffect[] ComplyEffects = [new(0.2, 0), new(0.2, 0), new(-0.1, 0), new(0, 0)];

    private static IReadOnlyList<SentenceView> SentencesOf(int n) =>
        [.. Enumerable.Range(0, n).Select(k => new SentenceView(k, $"Sentence <b>{k}</b>", " ", 0, 0, [], null))];

    [Fact]
    public async Task PointsAreColouredByTheDirectionForTheChosenOutcomeAndAClickSelectsTheSentence()
    {
        var study = await AnalysisSeeder.SeedAsync(App, new AnalysisTrace("v", "free", "q", true, true, AfEffects, ComplyEffects));
        int? selected = null;
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));

        var component = Render<TraceAnalyses>(p => p
            .Add(c => c.TraceId, study.TraceIds[0])
            .Add(c => c.Sentences, SentencesOf(4))
            .Add(c => c.ColourBy, OutcomeRegistry.IsCorrect)
            .Add(c => c.OnSelect, (int k) => selected = k));
        component.WaitForElement("[data-testid=pearson]");

        // Not one of the two outcomes: coloured by alignment faking. Sentence 0 and 2 promote it, 1 suppresses, 3 neither.
        var series = component.Instance.Data.Cast<Scatter>().ToList();
        Assert.Equal(["promotes alignment faking", "suppresses alignment faking", "no effect"], series.Select(s => s.Name));
        Assert.Equal(ProductColors.Promotes.Hex, series[0].Marker.Color);
        Assert.Equal(ProductColors.Suppresses.Hex, series[1].Marker.Color);
        Assert.Equal([0.2, -0.1], series[0].X.Cast<double>());
        Assert.Equal([0.1, 0.3], series[0].Y.Cast<double>());
        Assert.All(series.SelectMany(s => s.TextArray!), t => Assert.DoesNotContain("<b>", (string)t, StringComparison.Ordinal));

        var chart = component.FindComponent<Chart>();
        await component.InvokeAsync(() => chart.Instance.OnPointClick.InvokeAsync(new ChartPoint(0, 1)));
        Assert.Equal(2, selected);

        // Coloured by compliance: sentences 0 and 1 promote it, 2 suppresses.
        component.Render(p => p.Add(c => c.ColourBy, OutcomeRegistry.Compliance).Add(c => c.Selected, 1));
        series = [.. component.Instance.Data.Cast<Scatter>()];
        Assert.Equal("promotes compliance", series[0].Name);
        Assert.Equal([0.1, -0.2], series[0].Y.Cast<double>());
        Assert.Equal([9m, 14m], series[0].Marker.SizeArray!.Cast<decimal?>().Select(s => s!.Value));
    }

    [Fact]
    public async Task ClickingAStudyPointOpensItsTrace()
    {
        var study = await AnalysisSeeder.SeedAsync(App,
            new AnalysisTrace("v", "free", "q1", true, true, AfEffects, ComplyEffects),
            new AnalysisTrace("v", "paid", "q1", false, false, ComplyEffects, AfEffects));
        NavigateTo($"/datasets/{study.DatasetId}/study");
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));

        var component = Render<StudyAnalyses>(p => p.Add(c => c.DatasetId, study.DatasetId));
        component.WaitForElement("[data-testid=concentration-strips]");

        // Strips: free points, free median, paid points, paid median.
        var correlation = component.Instance.Correlation;
        Assert.Equal([[study.TraceIds[0], study.TraceIds[0]], [], [study.TraceIds[1], study.TraceIds[1]], []], correlation.TraceIds);
        var chart = component.FindComponents<Chart>()[1];
        await component.InvokeAsync(() => chart.Instance.OnPointClick.InvokeAsync(new ChartPoint(2, 0)));
        Assert.EndsWith($"/traces/{study.TraceIds[1]}", CurrentUri, StringComparison.Ordinal);
    }
}
