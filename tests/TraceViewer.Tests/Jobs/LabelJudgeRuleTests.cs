using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Jobs;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;

namespace TraceViewer.Tests.Jobs;

/// <summary>
/// A resample job's page states the label judge and its rule only when a judge labels the job's new continuations: the
/// trace is studied for a judged outcome (alignment faking), not when it has only outcomes without a judge (compliance).
/// </summary>
public sealed class LabelJudgeRuleTests : IAsyncLifetime
{
    private LoopbackOpenAIServer _server = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackOpenAIServer.StartAsync();
        _server.Completion = JobTestHost.Script;
        _app = JobTestHost.Create(_server);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TheJobPageStatesTheLabelJudgesRuleOnlyWhenTheTraceHasAJudgedOutcome(bool judged)
    {
        var seeded = await TraceSeeder.SeedAsync(_app, new TraceSeed
        {
            DatasetKey = judged ? "af/judged" : "af/compliance", Kind = TraceViewer.Datasets.DatasetKind.AlignmentFaking,
            OutcomeKey = judged ? OutcomeRegistry.AlignmentFaking : OutcomeRegistry.Compliance,
            Sentences = JobTestHost.Sentences, ResamplesPerSentence = 1, Successes = _ => 0, Separator = _ => "\n",
        });
        await using (var db = _app.CreateDbContext())
        {
            await db.Set<Resample>().Where(r => r.TraceId == seeded.TraceId).ExecuteDeleteAsync();
        }

        var client = _app.CreateClient();
        var id = await JobTestHost.StartAsync(client, new { traceId = seeded.TraceId, positions = new { from = 0, to = 0 }, n = 1, provider = "loop" });

        var summary = ComponentRenderer.Parse(await client.GetStringAsync($"/jobs/{id}")).QuerySelector("[data-testid=job-summary]")!;
        Assert.Contains("Positions × n", summary.TextContent, StringComparison.Ordinal);
        if (judged)
        {
            Assert.Equal(JobFormat.LabelJudgeRule(new ResampleLabelSettings()), summary.QuerySelector("[data-field=judge-rule]")!.TextContent.Trim());
            Assert.NotNull(summary.QuerySelector("[data-field=label-judge]"));
        }
        else
        {
            Assert.Null(summary.QuerySelector("[data-field=judge-rule]"));
            Assert.Null(summary.QuerySelector("[data-field=label-judge]"));
        }
    }
}

/// <summary>The job summary on its own (bunit): the label judge's rows follow <see cref="JobDetailView.LabelJudged"/>.</summary>
public sealed class LabelJudgeRuleComponentTests : MudComponentTests
{
    public LabelJudgeRuleComponentTests() => Services.AddSingleton<IJobCommands>(new FakeJobCommands());

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheSummaryShowsTheLabelJudgeAndItsRuleOnlyWhenALabelJudgeRuns(bool judged)
    {
        var labels = new ResampleLabelSettings { Provider = "loop", Model = "judge-model", AlignmentFaking = "af-four-criteria" };
        var job = JobComponentsTests.View() with
        {
            Parameters = new JobParameters { From = 0, To = 3, N = 3, Sampling = new SamplingParameters(0.6, 0.95, null), Labels = labels },
        };

        var summary = Render<JobSummary>(p => p.Add(c => c.Detail, new JobDetailView(new JobRow(job, "Problem 1", "/traces/7"), []) { LabelJudged = judged }));

        Assert.Equal(judged ? [JobFormat.LabelJudgeRule(labels)] : [], summary.FindAll("[data-field=judge-rule]").Select(e => e.TextContent.Trim()));
        Assert.Equal(judged ? ["loop / judge-model"] : [], summary.FindAll("[data-field=label-judge]").Select(e => e.TextContent.Trim()));
        Assert.Contains("Positions × n", summary.Markup, StringComparison.Ordinal);
    }
}
