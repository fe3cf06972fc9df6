using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Jobs;
using TraceViewer.Providers;

namespace TraceViewer.Tests.Jobs;

/// <summary>The "resample these" form: the traces' own model by default, the API's rules on each field, one request for every trace.</summary>
public sealed class ResampleTracesFormTests : MudComponentTests, IClassFixture<JobsAppFixture>
{
    private static readonly int[] Ids = [3, 5, 8];

    private readonly FakeJobCommands _commands = new();

    public ResampleTracesFormTests(JobsAppFixture fixture)
    {
        Services.AddSingleton<IJobCommands>(_commands);
        Services.AddSingleton(fixture.App.Services.GetRequiredService<ProviderRegistry>());
    }

    private static ResampleTargetView Target(string model, int count = 3) =>
        new("dataset Study", count, count > JobRules.MaxTraces ? [.. Enumerable.Range(1, JobRules.MaxTraces + 1)] : Ids, [new ModelCount(model, count)], 4, 9);

    private IRenderedComponent<ResampleTracesForm> Form(ResampleTargetView target, Action<int>? created = null) =>
        Render<ResampleTracesForm>(p => p.Add(c => c.Target, target).Add(c => c.OnCreated, id => created?.Invoke(id)));

    private static IElement Field(IRenderedComponent<ResampleTracesForm> form, string name) => form.Find($"[data-field={name}]");

    private static string? ErrorOf(IRenderedComponent<ResampleTracesForm> form, string name) =>
        Field(form, name).Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim() is { Length: > 0 } text ? text : null;

    private static string? HelperOf(IRenderedComponent<ResampleTracesForm> form, string name) =>
        Field(form, name).Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text")?.TextContent.Trim();

    private static string? ValueOf(IRenderedComponent<ResampleTracesForm> form, string name) =>
        Field(form, name).Closest(".mud-input-control")!.QuerySelector("input")!.GetAttribute("value");

    private static void Type(IRenderedComponent<ResampleTracesForm> form, string name, string value) => Field(form, name).Change(value);

    [Fact]
    public void TheModelIsTheTracesOwnWhenAProviderServesIt()
    {
        var form = Form(Target("model-y"));

        Assert.Equal(("loop", "model-y"), (ValueOf(form, "provider"), ValueOf(form, "model")));
        Assert.Equal("the traces' own model", HelperOf(form, "model"));
        Assert.Equal("10", ValueOf(form, "n"));
        Assert.Equal("up to 3 traces × 9 positions × 10 = 270 requests", form.Find("[data-testid=resample-traces-size]").TextContent.Trim());
    }

    [Fact]
    public void AModelNoProviderServesIsSaidAndTheFirstIsOffered()
    {
        var form = Form(Target("elsewhere-model"));

        Assert.Equal(("loop", "model-x"), (ValueOf(form, "provider"), ValueOf(form, "model")));
        Assert.Equal("no configured provider serves the traces' model elsewhere-model", HelperOf(form, "model"));
    }

    [Theory]
    [InlineData("n", "0", "n must be between 1 and 10000.")]
    [InlineData("temperature", "3", "temperature must be between 0 and 2.")]
    [InlineData("from", "-1", "Positions must satisfy 0 <= from <= to.")]
    public void AValueTheApiRefusesIsNamedOnItsFieldAndNothingStarts(string field, string value, string message)
    {
        var form = Form(Target("model-x"));

        Type(form, field, value);
        form.Find("[data-testid=resample-traces-submit]").Click();

        form.WaitForAssertion(() => Assert.Equal(message, ErrorOf(form, field)));
        Assert.Empty(_commands.Requests);
    }

    [Fact]
    public void AValidFormStartsOneJobOverEveryTrace()
    {
        int? created = null;
        _commands.Create = _ => (61, null);
        var form = Form(Target("model-y"), id => created = id);

        Type(form, "n", "4");
        Type(form, "from", "2");
        Type(form, "to", "5");
        Type(form, "temperature", "0.8");
        form.Find("[data-testid=resample-traces-submit]").Click();

        form.WaitForAssertion(() => Assert.Equal(61, created));
        var request = Assert.Single(_commands.Requests);
        Assert.Equal(Ids, request.TraceIds);
        Assert.Equal((nameof(JobKind.Resample), (int?)null, 4, new PositionRange(2, 5), "loop", "model-y", 0.8),
            (request.Kind, request.TraceId, request.N, request.Positions, request.Provider, request.Model, request.Temperature));
    }

    [Fact]
    public void MoreTracesThanAJobMayCoverAreRefusedWithTheLimit()
    {
        var form = Form(Target("model-x", JobRules.MaxTraces + 5));

        Assert.Equal("These are 1,005 traces; one job may cover at most 1,000. Narrow the list first.", form.Find("[data-testid=resample-traces-error]").TextContent.Trim());
        Assert.True(form.Find("[data-testid=resample-traces-submit]").HasAttribute("disabled"));
    }

    [Fact]
    public void AnUnknownTraceReportedByTheServerIsShownAboveTheButton()
    {
        _commands.Create = _ => (null, new Dictionary<string, string[]> { ["traceIds"] = ["There is no trace with id 8."] });
        var form = Form(Target("model-x"));

        form.Find("[data-testid=resample-traces-submit]").Click();

        form.WaitForAssertion(() => Assert.Equal("The job was not started: There is no trace with id 8.", form.Find("[data-testid=resample-traces-error]").TextContent.Trim()));
    }
}
