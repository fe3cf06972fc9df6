using Bunit;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Jobs;
using TraceViewer.Outcomes;
using TraceViewer.Providers;

namespace TraceViewer.Tests.Jobs;

/// <summary>The resample form lists each outcome with the classifier that will label it, and names the ones nothing labels.</summary>
public sealed class ResampleFormLabelsTests : MudComponentTests, IClassFixture<JobsAppFixture>
{
    private readonly FakeJobCommands _commands = new();

    public ResampleFormLabelsTests(JobsAppFixture fixture)
    {
        Services.AddSingleton<IJobCommands>(_commands);
        Services.AddSingleton(fixture.App.Services.GetRequiredService<ProviderRegistry>());
    }

    private IRenderedComponent<ResampleForm> Form(StudiedOutcomes outcomes) =>
        Render<ResampleForm>(p => p.Add(c => c.TraceId, 7).Add(c => c.SentenceCount, 4).Add(c => c.Outcomes, outcomes));

    [Fact]
    public void OutcomesWithoutAClassifierAreNamedAsNotLabelled()
    {
        var form = Form(new StudiedOutcomes([OutcomeRegistry.ContainsBlackmail, OutcomeRegistry.ContainsWhistleblowing, OutcomeRegistry.IsCorrect], GroundTruth: null));

        var items = form.FindAll("[data-testid=resample-labels] li");
        Assert.Equal(["contains_blackmail", "contains_whistleblowing", "is_correct"], items.Select(i => i.GetAttribute("data-outcome")));
        Assert.Equal(["yes", "no", "no"], items.Select(i => i.GetAttribute("data-labelled")));
        Assert.Contains("Blackmail by judge blackmail v1", items[0].TextContent);
        Assert.Contains("not labelled: Whistleblowing (no classifier for this outcome)", items[1].TextContent);
        Assert.Contains("not labelled: Correct answer (the trace has no ground-truth answer)", items[2].TextContent);
        // A judge-backed outcome asks for the judge; with one call per label there is nothing to stop early.
        Assert.NotEmpty(form.FindAll("[data-field=judgeProvider]"));
        Assert.Empty(form.FindAll("[data-field=earlyStop]"));
    }

    [Fact]
    public void AMathProblemIsLabelledByAnswerEquivalenceWithNoJudgeFields()
    {
        var form = Form(new StudiedOutcomes([OutcomeRegistry.IsCorrect], GroundTruth: "88572"));

        var item = Assert.Single(form.FindAll("[data-testid=resample-labels] li"));
        Assert.Contains("Correct answer by answer equivalence with the ground truth 88572", item.TextContent);
        Assert.Empty(form.FindAll("[data-field=judgeProvider]"));
    }

    [Fact]
    public void TheJudgeChosenInTheFormGoesIntoTheRequest()
    {
        var form = Form(new StudiedOutcomes([OutcomeRegistry.AlignmentFaking], GroundTruth: null));

        form.Find("[data-field=judgeModel]").Change("judge-model");
        var checkbox = form.Find("[data-field=earlyStop]");
        (checkbox.TagName == "INPUT" ? checkbox : checkbox.QuerySelector("input")!).Change(true);
        form.Find("[data-testid=resample-submit]").Click();

        form.WaitForAssertion(() => Assert.Single(_commands.Requests));
        var labels = _commands.Requests[0].Labels!;
        Assert.Equal("judge-model", labels.Model);
        Assert.True(labels.EarlyStop);
        Assert.Null(labels.Provider);
    }
}
