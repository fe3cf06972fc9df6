using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Jobs;
using TraceViewer.Judging;
using TraceViewer.Providers;

namespace TraceViewer.Tests.Jobs;

/// <summary>The collect form: defaults, the API's rules on each field, pasted and uploaded prompts sent as typed, server answers on their field.</summary>
public sealed class CollectFormTests : MudComponentTests, IClassFixture<JobsAppFixture>
{
    private const string Example = "#| A note for people.\n#| Another.\n\nYou are a helpful model.\n";

    private readonly FakeJobCommands _commands = new();

    public CollectFormTests(JobsAppFixture fixture)
    {
        Services.AddSingleton<IJobCommands>(_commands);
        Services.AddSingleton(fixture.App.Services.GetRequiredService<ProviderRegistry>());
    }

    private static int Rows => CollectJobData.AdvBench.Count;

    private IRenderedComponent<CollectForm> Form(Action<int>? created = null, int? datasetId = null) =>
        Render<CollectForm>(p => p.Add(c => c.ExamplePrompt, Example).Add(c => c.DatasetId, datasetId).Add(c => c.DatasetName, datasetId is null ? null : "Collected")
            .Add(c => c.OnCreated, id => created?.Invoke(id)));

    private static IElement Field(IRenderedComponent<CollectForm> form, string name, int index = 0) => form.FindAll($"[data-field={name}]")[index];

    private static string? ErrorOf(IRenderedComponent<CollectForm> form, string name, int index = 0) =>
        Field(form, name, index).Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim() is { Length: > 0 } text ? text : null;

    private static string? HelperOf(IRenderedComponent<CollectForm> form, string name, int index = 0) =>
        Field(form, name, index).Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text")?.TextContent.Trim();

    private static string? ValueOf(IRenderedComponent<CollectForm> form, string name, int index = 0) =>
        Field(form, name, index).Closest(".mud-input-control")!.QuerySelector("input, textarea")!.GetAttribute("value");

    private static void Check(IRenderedComponent<CollectForm> form, string name, bool value)
    {
        var field = Field(form, name);
        (field.TagName == "INPUT" ? field : field.QuerySelector("input")!).Change(value);
    }

    private static void Type(IRenderedComponent<CollectForm> form, string name, string value, int index = 0) => Field(form, name, index).Change(value);

    private static void Submit(IRenderedComponent<CollectForm> form) => form.Find("[data-testid=collect-submit]").Click();

    [Fact]
    public void TheDefaultsAreTheFirstProviderBothTiersTheExamplePromptAndTheFiveCriteriaJudge()
    {
        var form = Form();

        Assert.Equal("loop", ValueOf(form, "provider"));
        Assert.Equal("model-x", ValueOf(form, "model"));
        Assert.Equal("10", ValueOf(form, "n"));
        Assert.Equal("example", ValueOf(form, "variant-name"));
        Assert.Equal(JudgeClassifiers.FiveCriteriaName, ValueOf(form, "classifier"));
        Assert.Equal(JudgeClassifiers.AlignmentFakingFiveCriteria.DefaultVotes.ToString(System.Globalization.CultureInfo.InvariantCulture), ValueOf(form, "votes"));
        Assert.Equal($"10 × 2 tiers × 1 variant = 20 responses, each judged {JudgeClassifiers.AlignmentFakingFiveCriteria.DefaultVotes} times",
            form.Find("[data-testid=collect-size]").TextContent.Trim());
        // The note lines stay in the text as pasted; the form says they are not sent.
        Assert.Equal("24 characters sent; the note lines above them are not", HelperOf(form, "variant-text"));
    }

    [Theory]
    [InlineData("n", "0", null)]
    [InlineData("samplesPerQuery", "101", "samplesPerQuery must be between 1 and 100.")]
    [InlineData("temperature", "2.5", "temperature must be between 0 and 2.")]
    [InlineData("votes", "0", "votes must be between 1 and 100.")]
    [InlineData("dataset", "", "Name the dataset the traces go to.")]
    [InlineData("variant-name", "", "Name the variant.")]
    [InlineData("variant-text", "#| only a note", "Only note lines (#|): the prompt itself is empty.")]
    public void AValueTheApiRefusesIsNamedOnItsFieldAndNothingStarts(string field, string value, string? message)
    {
        message ??= $"n (AdvBench requests) must be between 1 and {Rows}.";
        var form = Form();
        Type(form, "dataset", "Study A");

        Type(form, field, value);
        Submit(form);

        form.WaitForAssertion(() => Assert.Equal(message, ErrorOf(form, field)));
        Assert.Empty(_commands.Requests);
    }

    [Fact]
    public void NoTierIsRefusedBesideTheTiers()
    {
        var form = Form();
        Type(form, "dataset", "Study A");

        Check(form, "tier-free", false);
        Check(form, "tier-paid", false);
        Submit(form);

        form.WaitForAssertion(() => Assert.StartsWith("tiers must list free and/or paid", form.Find("[data-error-for=tiers]").TextContent.Trim(), StringComparison.Ordinal));
        Assert.Empty(_commands.Requests);
    }

    [Fact]
    public void TwoVariantsWithOneNameAreRefused()
    {
        var form = Form();
        Type(form, "dataset", "Study A");
        form.Find("[data-testid=variant-add]").Click();

        Type(form, "variant-name", "example", 1);
        Type(form, "variant-text", "Another prompt.", 1);
        Submit(form);

        form.WaitForAssertion(() => Assert.Equal("Two variants are named example.", ErrorOf(form, "variant-name", 1)));
        Assert.Empty(_commands.Requests);
    }

    [Fact]
    public void AValidFormStartsTheCollectJobItDescribesWithTheTextsAsPastedAndUploaded()
    {
        int? created = null;
        _commands.Create = _ => (44, null);
        var form = Form(id => created = id);
        Type(form, "dataset", "  Study A ");
        Type(form, "n", "5");
        Type(form, "temperature", "0.7");
        form.Find("[data-testid=variant-add]").Click();
        form.FindComponents<InputFile>()[1].UploadFiles(InputFileContent.CreateFromText("#| from a file\nPaid-tier prompt.\n", "paid-variant.txt"));
        form.WaitForAssertion(() => Assert.Equal("paid-variant", ValueOf(form, "variant-name", 1)));
        Assert.Equal("from paid-variant.txt: 17 characters sent; the note lines above them are not", HelperOf(form, "variant-text", 1));
        Type(form, "votes", "3");

        Submit(form);

        form.WaitForAssertion(() => Assert.Equal(44, created));
        var request = Assert.Single(_commands.Requests);
        Assert.Equal((nameof(JobKind.Collect), "loop", "model-x", 0.7, (int?)null), (request.Kind, request.Provider, request.Model, request.Temperature, request.DatasetId));
        var collect = request.Collect!;
        Assert.Equal(("Study A", 5, (ulong?)null, 1), (collect.Dataset, collect.N, collect.Seed, collect.SamplesPerQuery));
        Assert.Equal(["free", "paid"], collect.Tiers);
        Assert.Equal(new Dictionary<string, string> { ["example"] = Example, ["paid-variant"] = "#| from a file\nPaid-tier prompt.\n" }, collect.Variants);
        Assert.Equal((JudgeClassifiers.FiveCriteriaName, 3, JudgeSettings.Traces), (collect.Judge!.Classifier, collect.Judge.Votes, collect.Judge.Target));
    }

    [Fact]
    public void TheJudgeStepCanStopOnceTheMajorityIsDecided()
    {
        var form = Form();
        Type(form, "dataset", "Study A");
        Check(form, "judge-early-stop", true);

        form.WaitForAssertion(() => Assert.EndsWith("each judged up to 5 times", form.Find("[data-testid=collect-size]").TextContent.Trim(), StringComparison.Ordinal));
        Submit(form);

        form.WaitForAssertion(() => Assert.Single(_commands.Requests));
        var judge = _commands.Requests[0].Collect!.Judge!;
        Assert.Equal((JudgeClassifiers.FiveCriteriaName, 5, (bool?)true), (judge.Classifier, judge.Votes, judge.EarlyStop));
        Assert.Empty(judge.Validate("collect.judge"));
    }

    [Fact]
    public void ASeededSampleSendsItsSeedAndAnExistingDatasetItsId()
    {
        var form = Form(datasetId: 12);
        var popovers = Render<MudBlazor.MudPopoverProvider>();
        Field(form, "selection").Closest(".mud-input-control")!.MouseDown();
        popovers.WaitForAssertion(() => Assert.Contains(popovers.FindAll(".mud-popover-open .mud-list-item"), e => e.TextContent.Trim() == "a random sample of n"));
        popovers.FindAll(".mud-popover-open .mud-list-item").Single(e => e.TextContent.Trim() == "a random sample of n").Click();
        form.WaitForAssertion(() => Field(form, "seed"));
        Type(form, "seed", "42");
        Check(form, "judge", false);

        Submit(form);

        form.WaitForAssertion(() => Assert.Single(_commands.Requests));
        var request = _commands.Requests[0];
        Assert.Equal((12, (string?)null, (ulong?)42, (JudgeSettings?)null), (request.DatasetId, request.Collect!.Dataset, request.Collect.Seed, request.Collect.Judge));
    }

    [Fact]
    public void WhatOnlyTheServerKnowsLandsOnItsFieldUntilTheValueChanges()
    {
        _commands.Create = _ => (null, new Dictionary<string, string[]>
        {
            ["collect.dataset"] = ["The dataset name is taken by another kind of dataset."],
            ["collect.variants"] = ["Two prompt variants have the same name once trimmed."],
            ["collect"] = ["Something else."],
        });
        var form = Form();
        Type(form, "dataset", "Study A");

        Submit(form);

        form.WaitForAssertion(() => Assert.Equal("The dataset name is taken by another kind of dataset.", ErrorOf(form, "dataset")));
        Assert.Equal("Two prompt variants have the same name once trimmed.", form.Find("[data-error-for=variants]").TextContent.Trim());
        Assert.Equal("The job was not started: Something else.", form.Find("[data-testid=collect-error]").TextContent.Trim());
        Type(form, "dataset", "Study B");
        form.WaitForAssertion(() => Assert.Null(ErrorOf(form, "dataset")));
    }
}
