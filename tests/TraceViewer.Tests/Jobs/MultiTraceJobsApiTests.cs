using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Jobs;
using TraceViewer.Resampling;

namespace TraceViewer.Tests.Jobs;

/// <summary>Resample and judge jobs over a list of traces (traceIds): one job, exact items per trace, every trace checked.</summary>
public sealed class MultiTraceJobsApiTests : IAsyncLifetime
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

    private async Task<(int First, int Second, int Other)> SeedThreeAsync()
    {
        var first = await JobTestHost.SeedAsync(_app);
        var second = await JobTestHost.SeedAsync(_app);
        var other = await JobTestHost.SeedAsync(_app);
        return (first.TraceId, second.TraceId, other.TraceId);
    }

    [Fact]
    public async Task OneResampleJobHoldsExactlyTheItemsOfEachListedTrace()
    {
        var (first, second, other) = await SeedThreeAsync();
        var client = _app.CreateClient();

        var id = await JobTestHost.StartAsync(client, new { traceIds = new[] { second, first }, positions = new { from = 1, to = 3 }, n = 2, provider = "loop" });

        var items = await JobTestHost.ItemsAsync(_app, id);
        var expected = new[] { first, second }.SelectMany(t => Enumerable.Range(1, 3).SelectMany(p => Enumerable.Range(0, 2).Select(s => (t, p, s))))
            .Order().ToList();
        Assert.Equal(expected, items.Select(i => (i.TraceId!.Value, i.Position, i.SampleIndex)).Order().ToList());
        Assert.DoesNotContain(items, i => i.TraceId == other);

        var status = await JobTestHost.WaitFinishedAsync(client, id);
        Assert.Equal("Completed", status.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("traceId").ValueKind);
        Assert.Equal(2, status.GetProperty("parameters").GetProperty("traces").GetInt32());
        Assert.Equal(6, (await JobTestHost.ResamplesAsync(_app, first)).Count);
        Assert.Equal(6, (await JobTestHost.ResamplesAsync(_app, second)).Count);
        Assert.Empty(await JobTestHost.ResamplesAsync(_app, other));
    }

    [Fact]
    public async Task AnUnknownTraceIsNamedAndNothingIsCreated()
    {
        var (first, _, _) = await SeedThreeAsync();

        var response = await _app.CreateClient().PostAsJsonAsync("/api/jobs", new { traceIds = new[] { first, 987_654 }, n = 1, provider = "loop" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").GetProperty("traceIds")[0].GetString();
        Assert.Equal("There is no trace with id 987654.", message);
        await using var db = _app.CreateDbContext();
        Assert.Equal(0, await db.Set<Job>().CountAsync());
        Assert.Equal(0, _server.Requests);
    }

    [Theory]
    [InlineData(0, "at least one")]
    [InlineData(JobRules.MaxTraces + 1, "at most 1,000")]
    public async Task TheListIsLimited(int count, string expected)
    {
        var response = await _app.CreateClient().PostAsJsonAsync("/api/jobs", new { traceIds = Enumerable.Range(1, count).ToArray(), n = 1, provider = "loop" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").GetProperty("traceIds")[0].GetString();
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("collect")]
    [InlineData("embed")]
    public async Task OnlyResampleAndJudgeJobsTakeAList(string kind)
    {
        var (first, _, _) = await SeedThreeAsync();

        var response = await _app.CreateClient().PostAsJsonAsync("/api/jobs", new { kind, traceIds = new[] { first }, provider = "loop" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty("traceIds", out _));
    }

    [Fact]
    public async Task TraceIdsWithTraceIdIsRefused()
    {
        var (first, second, _) = await SeedThreeAsync();

        var response = await _app.CreateClient().PostAsJsonAsync("/api/jobs", new { traceId = first, traceIds = new[] { second }, n = 1, provider = "loop" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty("traceIds", out _));
    }

    [Fact]
    public async Task AJudgeJobOverAListJudgesTheResamplesOfThoseTracesOnly()
    {
        var (first, second, other) = await SeedThreeAsync();
        var client = _app.CreateClient();
        var resample = await JobTestHost.StartAsync(client, new { traceIds = new[] { first, second, other }, positions = new { from = 0, to = 0 }, n = 1, provider = "loop" });
        await JobTestHost.WaitFinishedAsync(client, resample);

        var judge = await JobTestHost.StartAsync(client, new { kind = "judge", traceIds = new[] { first, other }, provider = "loop", judge = new { votes = 1 } });

        var items = await JobTestHost.ItemsAsync(_app, judge);
        Assert.Equal(new[] { (first, 0), (other, 0) }.Order(), items.Select(i => (i.TraceId!.Value, i.Position)).Order());
        await using var db = _app.CreateDbContext();
        Assert.Equal(1, await db.Set<Resample>().CountAsync(r => r.TraceId == second));
    }

    [Fact]
    public async Task AJudgeJobOverSeveralBaseTracesSaysHowManyAndLinksToThemNotToTheBaseTrace()
    {
        var (first, second, _) = await SeedThreeAsync();
        var client = _app.CreateClient();
        var id = await JobTestHost.StartAsync(client, new { kind = "judge", traceIds = new[] { first, second }, provider = "loop", judge = new { votes = 1, target = "traces" } });
        await JobTestHost.WaitFinishedAsync(client, id);

        var list = ComponentRenderer.Parse(await client.GetStringAsync("/jobs")).QuerySelector($"td[data-job-id='{id}']")!.ParentElement!;
        var summary = ComponentRenderer.Parse(await client.GetStringAsync($"/jobs/{id}"));
        Assert.Equal("af-five-criteria on the base responses of 2 traces", summary.QuerySelector("[data-field=what]")!.TextContent.Split(" · ")[0].Trim());
        foreach (var place in new[] { list, summary.QuerySelector("[data-testid=job-summary]")! })
        {
            Assert.DoesNotContain("the base trace", place.TextContent, StringComparison.Ordinal);
            Assert.StartsWith("2 traces of", place.QuerySelector("[data-field=target]")!.TextContent.Trim(), StringComparison.Ordinal);
            Assert.Equal($"/jobs/{id}#job-traces-list", place.QuerySelector("[data-field=target] a")!.GetAttribute("href"));
        }

        Assert.Equal("Traces (2)", summary.GetElementById("job-traces-list")!.TextContent.Trim());
        Assert.Equal(new[] { $"/traces/{first}", $"/traces/{second}" }.Order(StringComparer.Ordinal),
            summary.QuerySelectorAll("[data-testid=job-traces] .job-trace-title a").Select(a => a.GetAttribute("href")).Order(StringComparer.Ordinal));
        Assert.Equal("majority of the parsed votes: yes when more than half say yes, a tie is no; undetermined when more than half of the votes fail",
            summary.QuerySelector("[data-field=judge-rule]")!.TextContent.Trim());
    }
}

/// <summary>A collect request's prompt variants lose their #| note lines on the server, as the shipped example prompt does.</summary>
public sealed class CollectVariantsApiTests : IClassFixture<JobsAppFixture>
{
    private static readonly string[] FreeOnly = ["free"];

    private readonly TestApp _app;

    public CollectVariantsApiTests(JobsAppFixture fixture) => _app = fixture.App;

    [Fact]
    public async Task NoteLinesOfAVariantAreNotPartOfItsPrompt()
    {
        var client = _app.CreateClient();

        var id = await JobTestHost.StartAsync(client, new
        {
            kind = "collect", provider = "loop",
            collect = new { dataset = $"notes-{Guid.NewGuid():N}", n = 1, tiers = FreeOnly, variants = new Dictionary<string, string> { [" v "] = "#| where it comes from\n\nThe prompt.\n#| not a note here\n" } },
        });

        var variants = (await JobTestHost.StatusAsync(client, id)).GetProperty("parameters").GetProperty("collect").GetProperty("variants");
        Assert.Equal("The prompt.\n#| not a note here", variants.GetProperty("v").GetString());
    }

    [Fact]
    public async Task AVariantOfNoteLinesOnlyIsRefused()
    {
        var response = await _app.CreateClient().PostAsJsonAsync("/api/jobs", new
        {
            kind = "collect", provider = "loop",
            collect = new { dataset = "empty", n = 1, variants = new Dictionary<string, string> { ["v"] = "#| only a note\n" } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty("collect.variants", out _));
    }
}
