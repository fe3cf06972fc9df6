using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Jobs;
using TraceViewer.Providers;

namespace TraceViewer.Tests.Jobs;

/// <summary>The resample form: the API's rules on each field as it is typed, server answers on their field, no provider explained.</summary>
public sealed class ResampleFormTests : MudComponentTests, IClassFixture<JobsAppFixture>
{
    private readonly FakeJobCommands _commands = new();

    public ResampleFormTests(JobsAppFixture fixture)
    {
        Services.AddSingleton<IJobCommands>(_commands);
        Services.AddSingleton(fixture.App.Services.GetRequiredService<ProviderRegistry>());
    }

    private IRenderedComponent<ResampleForm> Form(Action<int>? created = null) =>
        Render<ResampleForm>(p => p.Add(c => c.TraceId, 7).Add(c => c.SentenceCount, 4).Add(c => c.OnCreated, id => created?.Invoke(id)));

    private static IElement Field(IRenderedComponent<ResampleForm> form, string name) => form.Find($"[data-field={name}]");

    /// <summary>The error MudBlazor shows under a field, or null.</summary>
    private static string? ErrorOf(IRenderedComponent<ResampleForm> form, string name) =>
        Field(form, name).Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim() is { Length: > 0 } text ? text : null;

    /// <summary>The value of a field; a select keeps it in a hidden input beside what it shows.</summary>
    private static string? ValueOf(IRenderedComponent<ResampleForm> form, string name) =>
        Field(form, name).Closest(".mud-input-control")!.QuerySelector("input")!.GetAttribute("value");

    private static void Type(IRenderedComponent<ResampleForm> form, string name, string value) => Field(form, name).Change(value);

    [Theory]
    [InlineData("n", "0", "n must be between 1 and 10000.")]
    [InlineData("n", "10001", "n must be between 1 and 10000.")]
    [InlineData("temperature", "2.5", "temperature must be between 0 and 2.")]
    [InlineData("topP", "0", "topP must be greater than 0 and at most 1.")]
    [InlineData("maxTokens", "0", "maxTokens must be between 1 and 1,000,000.")]
    [InlineData("to", "4", "The trace has 4 sentences: positions run from 0 to 3.")]
    public void AValueTheApiRefusesIsNamedOnItsFieldAndNothingStarts(string field, string value, string message)
    {
        var form = Form();

        Type(form, field, value);
        form.Find("[data-testid=resample-submit]").Click();

        form.WaitForAssertion(() => Assert.Equal(message, ErrorOf(form, field)));
        Assert.Empty(_commands.Requests);
    }

    [Fact]
    public void ARoleThatMayNotStartJobsIsRefusedWhenItSubmits()
    {
        var reader = new FixedAccess(TraceViewer.Accounts.Roles.Annotator);
        Services.AddSingleton<TraceViewer.Accounts.IAccess>(reader);
        var form = Form();

        Type(form, "n", "3");
        form.Find("[data-testid=resample-submit]").Click();

        form.WaitForAssertion(() => Assert.Contains("your role does not allow starting jobs", form.Find("[data-testid=resample-error]").TextContent, StringComparison.Ordinal));
        Assert.Equal(1, reader.Confirmations);
        Assert.Empty(_commands.Requests);
    }

    [Fact]
    public void FromAfterToIsRefusedOnThePositions()
    {
        var form = Form();

        Type(form, "from", "3");
        Type(form, "to", "1");
        form.Find("[data-testid=resample-submit]").Click();

        form.WaitForAssertion(() => Assert.Equal("Positions must satisfy 0 <= from <= to.", ErrorOf(form, "to")));
        Assert.Empty(_commands.Requests);
    }

    [Fact]
    public void AValidFormStartsTheJobItDescribes()
    {
        int? created = null;
        _commands.Create = _ => (31, null);
        var form = Form(id => created = id);

        Type(form, "from", "1");
        Type(form, "to", "2");
        Type(form, "n", "3");
        Type(form, "maxTokens", "500");
        form.WaitForAssertion(() => Assert.Equal("2 positions × 3 = 6 requests", form.Find("[data-testid=resample-size]").TextContent));
        form.Find("[data-testid=resample-submit]").Click();

        form.WaitForAssertion(() => Assert.Equal(31, created));
        var request = Assert.Single(_commands.Requests);
        Assert.Equal(new PositionRange(1, 2), request.Positions);
        Assert.Equal((7, 3, "loop", "model-x", 0.6, 0.95, 500), (request.TraceId, request.N, request.Provider, request.Model, request.Temperature, request.TopP, request.MaxTokens));
        Assert.Equal(nameof(JobKind.Resample), request.Kind);
    }

    [Fact]
    public void WhatOnlyTheServerKnowsLandsOnItsFieldUntilTheValueChanges()
    {
        _commands.Create = _ => (null, new Dictionary<string, string[]>
        {
            ["n"] = ["A job may hold at most 1,000,000 requests."],
            ["traceId"] = ["There is no trace with id 7."],
        });
        var form = Form();

        form.Find("[data-testid=resample-submit]").Click();

        form.WaitForAssertion(() => Assert.Equal("A job may hold at most 1,000,000 requests.", ErrorOf(form, "n")));
        Assert.Equal("The job was not started: There is no trace with id 7.", form.Find("[data-testid=resample-error]").TextContent.Trim());
        Type(form, "n", "5");
        form.WaitForAssertion(() => Assert.Null(ErrorOf(form, "n")));
    }

    [Fact]
    public void TheProvidersModelsAreOffered()
    {
        var form = Form();

        Assert.Equal("loop", ValueOf(form, "provider"));
        Assert.Equal("model-x", ValueOf(form, "model"));
    }
}

/// <summary>Without a configured provider the form is not offered, and the panel says what to configure.</summary>
public sealed class ResampleFormWithoutProviderTests : MudComponentTests, IClassFixture<TestApp>
{
    public ResampleFormWithoutProviderTests(TestApp app)
    {
        Services.AddSingleton<IJobCommands>(new FakeJobCommands());
        Services.AddSingleton(app.Services.GetRequiredService<ProviderRegistry>());
    }

    [Fact]
    public void TheFormExplainsThatAProviderIsNeeded()
    {
        var form = Render<ResampleForm>(p => p.Add(c => c.TraceId, 7).Add(c => c.SentenceCount, 4));

        Assert.Contains("Providers:<name>:BaseUrl", form.Find("[data-testid=no-provider]").TextContent, StringComparison.Ordinal);
        Assert.Empty(form.FindAll("[data-testid=resample-form]"));
    }
}
