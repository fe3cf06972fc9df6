using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using TraceViewer.Jobs;
using TraceViewer.Judging;
using TraceViewer.Providers;

namespace TraceViewer.Tests.Jobs;

/// <summary>The judge form: the API's judge rules on each field as it is typed, the request it starts, server answers on their field.</summary>
public sealed class JudgeFormTests : MudComponentTests, IClassFixture<JobsAppFixture>
{
    private static readonly int[] Listed = [3, 5, 8];

    private readonly FakeJobCommands _commands = new();

    public JudgeFormTests(JobsAppFixture fixture)
    {
        Services.AddSingleton<IJobCommands>(_commands);
        Services.AddSingleton(fixture.App.Services.GetRequiredService<ProviderRegistry>());
    }

    private IRenderedComponent<JudgeForm> Form(Action<int>? created = null) =>
        Render<JudgeForm>(p => p.Add(c => c.TraceId, 7).Add(c => c.SentenceCount, 4).Add(c => c.OnCreated, id => created?.Invoke(id)));

    private static IElement Field(IRenderedComponent<JudgeForm> form, string name) => form.Find($"[data-field={name}]");

    private static string? ErrorOf(IRenderedComponent<JudgeForm> form, string name) =>
        Field(form, name).Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim() is { Length: > 0 } text ? text : null;

    private static string? ValueOf(IRenderedComponent<JudgeForm> form, string name) =>
        Field(form, name).Closest(".mud-input-control")!.QuerySelector("input")!.GetAttribute("value");

    private static void Type(IRenderedComponent<JudgeForm> form, string name, string value) => Field(form, name).Change(value);

    private static void Choose(IRenderedComponent<MudPopoverProvider> popovers, IRenderedComponent<JudgeForm> form, string name, string item)
    {
        Field(form, name).Closest(".mud-input-control")!.MouseDown();
        popovers.WaitForAssertion(() => Assert.Contains(popovers.FindAll(".mud-popover-open .mud-list-item"), e => e.TextContent.Trim() == item));
        popovers.FindAll(".mud-popover-open .mud-list-item").Single(e => e.TextContent.Trim() == item).Click();
    }

    [Theory]
    [InlineData("votes", "0", "votes must be between 1 and 100.")]
    [InlineData("votes", "101", "votes must be between 1 and 100.")]
    [InlineData("judge-temperature", "2.5", "temperature must be between 0 and 2.")]
    [InlineData("judge-to", "4", "The trace has 4 sentences: positions run from 0 to 3.")]
    public void AValueTheApiRefusesIsNamedOnItsFieldAndNothingStarts(string field, string value, string message)
    {
        var form = Form();

        Type(form, field, value);
        form.Find("[data-testid=judge-submit]").Click();

        form.WaitForAssertion(() => Assert.Equal(message, ErrorOf(form, field)));
        Assert.Empty(_commands.Requests);
    }

    [Fact]
    public void TheVotesMessageIsTheOneTheApiGives()
    {
        var form = Form();

        Type(form, "votes", "0");
        form.Find("[data-testid=judge-submit]").Click();

        var api = new JudgeSettings { Votes = 0 }.Validate("judge")["judge.votes"];
        form.WaitForAssertion(() => Assert.Equal(string.Join(" ", api), ErrorOf(form, "votes")));
    }

    [Fact]
    public void AValidFormStartsAFiveCriteriaJudgeOnTheResamplesInRange()
    {
        int? created = null;
        _commands.Create = _ => (41, null);
        var form = Form(id => created = id);

        Assert.Equal(JudgeClassifiers.FiveCriteriaName, ValueOf(form, "classifier"));
        Type(form, "votes", "3");
        Type(form, "judge-from", "1");
        Type(form, "judge-to", "2");
        Type(form, "judge-temperature", "0.5");
        form.WaitForAssertion(() => Assert.StartsWith("3 judge calls per resample", form.Find("[data-testid=judge-size]").TextContent, StringComparison.Ordinal));
        form.Find("[data-testid=judge-submit]").Click();

        form.WaitForAssertion(() => Assert.Equal(41, created));
        var request = Assert.Single(_commands.Requests);
        Assert.Equal(nameof(JobKind.Judge), request.Kind);
        Assert.Equal((7, "loop", "model-x", 0.5), (request.TraceId, request.Provider, request.Model, request.Temperature));
        Assert.Equal(new PositionRange(1, 2), request.Positions);
        Assert.Equal(new JudgeSettings { Classifier = JudgeClassifiers.FiveCriteriaName, Votes = 3, Target = JudgeSettings.Resamples }, request.Judge);
    }

    [Fact]
    public void TheFourCriteriaJudgeOnTheBaseTraceTakesItsOwnVotesAndNoPositions()
    {
        var popovers = Render<MudPopoverProvider>();
        var form = Form();

        Type(form, "judge-from", "1");
        Choose(popovers, form, "classifier", JudgeClassifiers.FourCriteriaName);
        form.WaitForAssertion(() => Assert.Equal("20", ValueOf(form, "votes")));
        Assert.Contains("judge's default: 1", form.Find("[data-field=judge-temperature]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal);
        Choose(popovers, form, "target", "the base trace");
        form.WaitForAssertion(() => Assert.Empty(form.FindAll("[data-field=judge-from]")));
        form.Find("[data-testid=judge-submit]").Click();

        form.WaitForAssertion(() => Assert.Single(_commands.Requests));
        var request = _commands.Requests[0];
        Assert.Null(request.Positions);
        Assert.Null(request.Temperature);
        Assert.Equal(new JudgeSettings { Classifier = JudgeClassifiers.FourCriteriaName, Votes = 20, Target = JudgeSettings.Traces }, request.Judge);
    }

    [Fact]
    public void WhatOnlyTheServerKnowsLandsOnItsFieldUntilTheValueChanges()
    {
        _commands.Create = _ => (null, new Dictionary<string, string[]>
        {
            ["positions"] = ["There are no resamples with a continuation to judge in that range."],
            ["traceId"] = ["There is no trace with id 7."],
        });
        var form = Form();

        form.Find("[data-testid=judge-submit]").Click();

        form.WaitForAssertion(() => Assert.Equal("There are no resamples with a continuation to judge in that range.", ErrorOf(form, "judge-to")));
        Assert.Equal("The job was not started: There is no trace with id 7.", form.Find("[data-testid=judge-error]").TextContent.Trim());
        Type(form, "judge-to", "1");
        form.WaitForAssertion(() => Assert.Null(ErrorOf(form, "judge-to")));
    }

    [Fact]
    public void TheButtonIsDisabledWhileTheJobIsBeingStarted()
    {
        var answer = new TaskCompletionSource<(int?, IDictionary<string, string[]>?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var commands = new BlockingJobCommands(answer.Task);
        Services.AddSingleton<IJobCommands>(commands);
        var form = Form();

        form.Find("[data-testid=judge-submit]").Click();

        form.WaitForAssertion(() => Assert.True(form.Find("[data-testid=judge-submit]").HasAttribute("disabled")));
        answer.SetResult((5, null));
        form.WaitForAssertion(() => Assert.False(form.Find("[data-testid=judge-submit]").HasAttribute("disabled")));
        Assert.Equal(1, commands.Calls);
    }

    private sealed class BlockingJobCommands(Task<(int?, IDictionary<string, string[]>?)> answer) : IJobCommands
    {
        public int Calls { get; private set; }

        public Task<JobChange> ChangeAsync(int jobId, JobAction action, CancellationToken ct) => throw new NotSupportedException();

        public async Task<(int? JobId, IDictionary<string, string[]>? Errors)> CreateAsync(JobRequest request, CancellationToken ct)
        {
            Calls++;
            return await answer;
        }
    }

    [Fact]
    public void JudgeTheseStartsOneJobOverTheListedTracesWithEarlyStop()
    {
        int? created = null;
        _commands.Create = _ => (52, null);
        var form = Render<JudgeForm>(p => p.Add(c => c.TraceIds, Listed).Add(c => c.SentenceCount, 4).Add(c => c.OnCreated, id => created = id));

        Assert.Equal("Judge 3 traces", form.Find("[data-testid=judge-submit]").TextContent.Trim());
        // Several traces: a position past the longest one is left to each trace, as the API does for a list.
        Type(form, "judge-to", "40");
        var checkbox = form.Find("[data-field=judge-early-stop]");
        (checkbox.TagName == "INPUT" ? checkbox : checkbox.QuerySelector("input")!).Change(true);
        form.WaitForAssertion(() => Assert.StartsWith("up to 5 judge calls per resample", form.Find("[data-testid=judge-size]").TextContent, StringComparison.Ordinal));
        form.Find("[data-testid=judge-submit]").Click();

        form.WaitForAssertion(() => Assert.Equal(52, created));
        var request = Assert.Single(_commands.Requests);
        Assert.Null(request.TraceId);
        Assert.Equal(Listed, request.TraceIds!);
        Assert.Equal(new PositionRange(null, 40), request.Positions);
        Assert.Equal(new JudgeSettings { Classifier = JudgeClassifiers.FiveCriteriaName, Votes = 5, Target = JudgeSettings.Resamples, EarlyStop = true }, request.Judge);
        Assert.Empty(new JudgeSettings { Classifier = JudgeClassifiers.FiveCriteriaName, EarlyStop = true }.Validate("judge"));
    }

    [Fact]
    public void EarlyStopIsOfferedOnlyForAJudgeThatDecidesByMajority()
    {
        var popovers = Render<MudPopoverProvider>();
        var form = Form();
        var checkbox = form.Find("[data-field=judge-early-stop]");
        (checkbox.TagName == "INPUT" ? checkbox : checkbox.QuerySelector("input")!).Change(true);

        Choose(popovers, form, "classifier", JudgeClassifiers.FourCriteriaName);

        form.WaitForAssertion(() => Assert.Empty(form.FindAll("[data-field=judge-early-stop]")));
        form.Find("[data-testid=judge-submit]").Click();
        form.WaitForAssertion(() => Assert.Single(_commands.Requests));
        Assert.Null(_commands.Requests[0].Judge!.EarlyStop);
        Assert.True(new JudgeSettings { Classifier = JudgeClassifiers.FourCriteriaName, EarlyStop = true }.Validate("judge").ContainsKey("judge.earlyStop"));
    }
}

/// <summary>Without a configured provider the judge form is not offered, and says what to configure.</summary>
public sealed class JudgeFormWithoutProviderTests : MudComponentTests, IClassFixture<TestApp>
{
    public JudgeFormWithoutProviderTests(TestApp app)
    {
        Services.AddSingleton<IJobCommands>(new FakeJobCommands());
        Services.AddSingleton(app.Services.GetRequiredService<ProviderRegistry>());
    }

    [Fact]
    public void TheFormExplainsThatAProviderIsNeeded()
    {
        var form = Render<JudgeForm>(p => p.Add(c => c.TraceId, 7).Add(c => c.SentenceCount, 4));

        Assert.Contains("Providers:<name>:BaseUrl", form.Find("[data-testid=judge-no-provider]").TextContent, StringComparison.Ordinal);
        Assert.Empty(form.FindAll("[data-testid=judge-form]"));
    }
}
