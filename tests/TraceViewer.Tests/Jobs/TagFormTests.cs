using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Components;
using TraceViewer.Jobs;
using TraceViewer.Providers;

namespace TraceViewer.Tests.Jobs;

/// <summary>The trace page's tag form: the taxonomies on offer, the API's tag rules on each field, server answers on their field.</summary>
public sealed class TagFormTests : MudComponentTests, IClassFixture<JobsAppFixture>
{
    private readonly FakeJobCommands _commands = new();
    private readonly IReadOnlyList<string> _taxonomies;

    public TagFormTests(JobsAppFixture fixture)
    {
        Services.AddSingleton<IJobCommands>(_commands);
        Services.AddSingleton(fixture.App.Services.GetRequiredService<ProviderRegistry>());
        var scopes = fixture.App.Services.GetRequiredService<IServiceScopeFactory>();
        Services.AddSingleton(new QueryScope<JobPageQueries>(scopes));
        _taxonomies = new QueryScope<JobPageQueries>(scopes).RunAsync((q, ct) => q.ListTaxonomiesAsync(ct)).GetAwaiter().GetResult();
    }

    private IRenderedComponent<TagForm> Form(Action<int>? created = null) =>
        Render<TagForm>(p => p.Add(c => c.TraceId, 7).Add(c => c.SentenceCount, 4).Add(c => c.OnCreated, id => created?.Invoke(id)));

    private static IElement Field(IRenderedComponent<TagForm> form, string name) => form.Find($"[data-field={name}]");

    private static string? ErrorOf(IRenderedComponent<TagForm> form, string name) =>
        Field(form, name).Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim() is { Length: > 0 } text ? text : null;

    private static string? ValueOf(IRenderedComponent<TagForm> form, string name) =>
        Field(form, name).Closest(".mud-input-control")!.QuerySelector("input")!.GetAttribute("value");

    private static void Type(IRenderedComponent<TagForm> form, string name, string value) => Field(form, name).Change(value);

    [Fact]
    public void TheDefaultsAreTheFirstTaxonomyOneVoteAndTheFirstProvider()
    {
        Assert.NotEmpty(_taxonomies);
        var form = Form();

        form.WaitForAssertion(() => Assert.Equal(_taxonomies[0], ValueOf(form, "taxonomy")));
        Assert.Equal("1", ValueOf(form, "tag-votes"));
        Assert.Equal("loop", ValueOf(form, "tag-provider"));
        Assert.Equal("model-x", ValueOf(form, "tag-model"));
        Assert.StartsWith("up to 4 sentences × 1 = 4 model calls", form.Find("[data-testid=tag-size]").TextContent.Trim(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tag-votes", "0", "votes must be between 1 and 100.")]
    [InlineData("tag-votes", "101", "votes must be between 1 and 100.")]
    [InlineData("tag-topK", "0", "topK must be between 1 and 10,000.")]
    [InlineData("tag-to", "4", "The trace has 4 sentences: positions run from 0 to 3.")]
    public void AValueTheApiRefusesIsNamedOnItsFieldAndNothingStarts(string field, string value, string message)
    {
        var form = Form();

        Type(form, field, value);
        form.Find("[data-testid=tag-submit]").Click();

        form.WaitForAssertion(() => Assert.Equal(message, ErrorOf(form, field)));
        Assert.Empty(_commands.Requests);
    }

    [Fact]
    public void AValidFormStartsTheTagJobItDescribes()
    {
        int? created = null;
        _commands.Create = _ => (52, null);
        var form = Form(id => created = id);
        form.WaitForAssertion(() => Assert.Equal(_taxonomies[0], ValueOf(form, "taxonomy")));

        Type(form, "tag-votes", "3");
        Type(form, "tag-topK", "2");
        Type(form, "tag-from", "1");
        form.Find("[data-testid=tag-submit]").Click();

        form.WaitForAssertion(() => Assert.Equal(52, created));
        var request = Assert.Single(_commands.Requests);
        Assert.Equal((nameof(JobKind.Tag), 7, "loop", "model-x", new PositionRange(1, null)), (request.Kind, request.TraceId, request.Provider, request.Model, request.Positions));
        Assert.Equal((_taxonomies[0], 3, 2), (request.Tag!.Taxonomy, request.Tag.Votes, request.Tag.TopK));
    }

    [Fact]
    public void LeftEmptyTopKAndPositionsAskForEverySentenceOfTheTrace()
    {
        _commands.Create = _ => (53, null);
        var form = Form();
        form.WaitForAssertion(() => Assert.Equal(_taxonomies[0], ValueOf(form, "taxonomy")));

        form.Find("[data-testid=tag-submit]").Click();

        form.WaitForAssertion(() => Assert.Single(_commands.Requests));
        var request = _commands.Requests[0];
        Assert.Null(request.Positions);
        Assert.Equal((_taxonomies[0], 1, (int?)null), (request.Tag!.Taxonomy, request.Tag.Votes, request.Tag.TopK));
    }

    [Fact]
    public void WhatOnlyTheServerKnowsLandsOnItsFieldUntilTheValueChanges()
    {
        _commands.Create = _ => (null, new Dictionary<string, string[]>
        {
            ["tag.topK"] = ["No sentence in range has a resampling effect: compute the trace's metrics first, or leave topK out."],
            ["traceId"] = ["There is no trace with id 7."],
        });
        var form = Form();
        Type(form, "tag-topK", "2");

        form.Find("[data-testid=tag-submit]").Click();

        form.WaitForAssertion(() => Assert.StartsWith("No sentence in range has a resampling effect", ErrorOf(form, "tag-topK"), StringComparison.Ordinal));
        Assert.Equal("The job was not started: There is no trace with id 7.", form.Find("[data-testid=tag-error]").TextContent.Trim());
        Type(form, "tag-topK", "3");
        form.WaitForAssertion(() => Assert.Null(ErrorOf(form, "tag-topK")));
    }
}
