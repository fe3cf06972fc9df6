using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Jobs;
using TraceViewer.Metrics;

namespace TraceViewer.Tests.Jobs;

/// <summary>The jobs pages and the trace page's panel over HTTP, with the worker off so job states stay where a test puts them.</summary>
public sealed class JobPagesTests : IDisposable
{
    private const string KeyVariable = "TRACEVIEWER_TEST_PAGES_KEY";
    private const string KeyMarker = "sk-pages-marker-6f1c2a";
    private const string HostileError = "HTTP 500: <script>window.__pwned = 1</script>";

    private readonly TestApp _app;

    public JobPagesTests()
    {
        Environment.SetEnvironmentVariable(KeyVariable, KeyMarker);
        _app = new TestApp()
            .WithSetting("Jobs:WorkerEnabled", "false")
            .WithSetting("Providers:loop:BaseUrl", "http://127.0.0.1:9/v1")
            .WithSetting("Providers:loop:Models:0", "model-x")
            .WithSetting("Providers:loop:ApiKeyVariable", KeyVariable);
    }

    public void Dispose() => _app.Dispose();

    private Task<SeededTrace> SeedTraceAsync() =>
        TraceSeeder.SeedAsync(_app, new TraceSeed { DatasetKey = $"jobs/{Guid.NewGuid():N}", Sentences = ["One.", "Two.", "Three.", "Four."], ResamplesPerSentence = 2, Successes = _ => 1 });

    /// <summary>A job with items at positions 0..counts.Length-1, each position's items in the given statuses.</summary>
    private async Task<int> AddJobAsync(int traceId, JobStatus status, params JobItemStatus[][] positions)
    {
        await using var db = _app.CreateDbContext();
        var job = new Job
        {
            Kind = JobKind.Resample, Status = status, TraceId = traceId, Provider = "loop", Model = "model-x",
            Parameters = new JobParameters { From = 0, To = positions.Length - 1, N = positions.Max(p => p.Length) }.ToJson(),
            TotalItems = positions.Sum(p => p.Length), CreatedAt = _app.Clock.GetUtcNow(),
        };
        db.Add(job);
        await db.SaveChangesAsync();
        db.AddRange(positions.SelectMany((items, position) => items.Select((s, sample) => new JobItem
        {
            JobId = job.Id, TraceId = traceId, Position = position, SampleIndex = sample, Status = s,
            Attempts = s == JobItemStatus.Failed ? 5 : 1, LastError = s == JobItemStatus.Failed ? HostileError : null,
        })));
        await db.SaveChangesAsync();
        return job.Id;
    }

    private static async Task<IDocument> ParseAsync(HttpResponseMessage response) =>
        ComponentRenderer.Parse(await response.Content.ReadAsStringAsync());

    /// <summary>The token the layout renders for htmx, with the cookie it belongs to now held by the client.</summary>
    private static async Task<string> TokenAsync(HttpClient client, string page)
    {
        var document = await ParseAsync(await client.GetAsync(page));
        var token = document.QuerySelector("meta[name=antiforgery-token]")?.GetAttribute("content");
        Assert.False(string.IsNullOrEmpty(token));
        return token;
    }

    private static HttpRequestMessage Htmx(string url, string? token, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.Add("HX-Request", "true");
        if (token is not null)
        {
            request.Headers.Add("RequestVerificationToken", token);
        }

        return request;
    }

    private async Task<JobStatus> StatusAsync(int id)
    {
        await using var db = _app.CreateDbContext();
        return await db.Set<Job>().Where(j => j.Id == id).Select(j => j.Status).SingleAsync();
    }

    [Fact]
    public async Task AJobActionWithoutTheAntiforgeryTokenIsRefused()
    {
        var trace = await SeedTraceAsync();
        var id = await AddJobAsync(trace.TraceId, JobStatus.Running, [JobItemStatus.Pending]);
        var client = _app.CreateClient();
        await TokenAsync(client, $"/traces/{trace.TraceId}");

        var response = await client.SendAsync(Htmx($"/traces/{trace.TraceId}/jobs/{id}/cancel", token: null));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(JobStatus.Running, await StatusAsync(id));
    }

    [Fact]
    public async Task AJobActionWithAForgedTokenIsRefused()
    {
        var trace = await SeedTraceAsync();
        var id = await AddJobAsync(trace.TraceId, JobStatus.Running, [JobItemStatus.Pending]);
        var client = _app.CreateClient();
        var token = await TokenAsync(client, $"/traces/{trace.TraceId}");

        var response = await _app.CreateClient().SendAsync(Htmx($"/traces/{trace.TraceId}/jobs/{id}/pause", token));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(JobStatus.Running, await StatusAsync(id));
    }

    [Fact]
    public async Task PauseResumeAndCancelFromTheStaticPanelChangeTheJobAndAnswerWithThePanel()
    {
        var trace = await SeedTraceAsync();
        var id = await AddJobAsync(trace.TraceId, JobStatus.Running, [JobItemStatus.Done, JobItemStatus.Pending]);
        var client = _app.CreateClient();
        var token = await TokenAsync(client, $"/traces/{trace.TraceId}");
        var actions = $"/traces/{trace.TraceId}/jobs/{id}";

        var paused = await client.SendAsync(Htmx($"{actions}/pause", token));
        var pausedStatus = await StatusAsync(id);
        var resumed = await client.SendAsync(Htmx($"{actions}/resume", token));
        var resumedStatus = await StatusAsync(id);
        var cancelled = await client.SendAsync(Htmx($"{actions}/cancel", token));

        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal(JobStatus.Paused, pausedStatus);
        Assert.Equal(["resume", "cancel"], (await ParseAsync(paused)).QuerySelectorAll("[data-action]").Select(b => b.GetAttribute("data-action")));
        Assert.Equal(JobStatus.Queued, resumedStatus);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Equal(JobStatus.Cancelled, await StatusAsync(id));
        var panel = (await ParseAsync(cancelled)).QuerySelector("#trace-jobs")!;
        Assert.Equal("Cancelled", panel.QuerySelector(".trace-job")!.GetAttribute("data-status"));
        Assert.Empty(panel.QuerySelectorAll("[data-action]"));
    }

    [Fact]
    public async Task TheJobsPageIsPrerenderedNewestFirstWithTheirCountsAndActions()
    {
        var trace = await SeedTraceAsync();
        var first = await AddJobAsync(trace.TraceId, JobStatus.Completed, [JobItemStatus.Done, JobItemStatus.Done], [JobItemStatus.Done, JobItemStatus.Failed]);
        var second = await AddJobAsync(trace.TraceId, JobStatus.Running, [JobItemStatus.Done, JobItemStatus.Running], [JobItemStatus.Pending, JobItemStatus.Pending]);

        var response = await _app.CreateClient().GetAsync("/jobs");
        var html = await response.Content.ReadAsStringAsync();
        var document = ComponentRenderer.Parse(html);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rows = document.QuerySelectorAll("[data-testid=job-table] tbody tr");
        Assert.Equal([second.ToString(System.Globalization.CultureInfo.InvariantCulture), first.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            rows.Select(r => r.QuerySelector("td[data-job-id]")!.GetAttribute("data-job-id")));
        Assert.Equal(["Running", "Completed"], rows.Select(r => r.QuerySelector("[data-field=status]")!.TextContent.Trim()));
        Assert.Equal(["1", "3"], rows.Select(r => r.QuerySelector("[data-testid=job-progress]")!.GetAttribute("data-done")));
        Assert.Equal(["0", "1"], rows.Select(r => r.QuerySelector("td[data-field=errors]")!.TextContent));
        Assert.All(rows, r => Assert.Equal($"/traces/{trace.TraceId}", r.QuerySelector("[data-field=target] a")!.GetAttribute("href")));
        Assert.Equal(["pause", "cancel"], rows[0].QuerySelectorAll("button[data-action]").Select(b => b.GetAttribute("data-action")));
        Assert.Empty(rows[1].QuerySelectorAll("button[data-action]"));
        // Interactive: the circuit's script, no htmx, and the list is carried into the circuit rather than read again.
        Assert.NotNull(document.QuerySelector("script[src*='blazor.web']"));
        Assert.Null(document.QuerySelector("[hx-get], [hx-post], script[src*='htmx']"));
        Assert.Contains("<!--Blazor-Server-Component-State:", html, StringComparison.Ordinal);
        Assert.NotNull(document.QuerySelector("nav a[href='/jobs']"));
    }

    [Fact]
    public async Task TheJobPageIsPrerenderedWithCountsPerPositionAndProviderErrorsAsText()
    {
        var trace = await SeedTraceAsync();
        var id = await AddJobAsync(trace.TraceId, JobStatus.Running, [JobItemStatus.Done, JobItemStatus.Failed], [JobItemStatus.Pending, JobItemStatus.Running]);

        var response = await _app.CreateClient().GetAsync($"/jobs/{id}");
        var html = await response.Content.ReadAsStringAsync();
        var document = ComponentRenderer.Parse(html);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["1", "0"], document.QuerySelectorAll("[data-testid=job-positions] tbody tr [data-field=done]").Select(c => c.TextContent));
        Assert.Equal(["1", "0"], document.QuerySelectorAll("[data-testid=job-positions] tbody tr [data-field=failed]").Select(c => c.TextContent));
        Assert.Equal(["0", "1"], document.QuerySelectorAll("[data-testid=job-positions] tbody tr [data-field=running]").Select(c => c.TextContent));
        Assert.Equal(HostileError, Assert.Single(document.QuerySelectorAll("[data-testid=job-errors] pre.error-text")).TextContent);
        Assert.DoesNotContain("<script>window.__pwned", html, StringComparison.Ordinal);
        Assert.Equal(["pause", "cancel"], document.QuerySelectorAll("button[data-action]").Select(b => b.GetAttribute("data-action")));
        Assert.Equal("Running", document.QuerySelector("[data-testid=job-summary]")!.GetAttribute("data-status"));
        Assert.DoesNotContain(KeyMarker, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownJobIsNotFound()
    {
        var client = _app.CreateClient();

        var response = await client.GetAsync("/jobs/4242");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is no job with id 4242.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/jobs/4242/summary")).StatusCode);
    }

    [Fact]
    public async Task TheJobsPanelOffersTheResampleFormWithTheConfiguredProviders()
    {
        var trace = await SeedTraceAsync();

        var html = await RenderPanelAsync(trace.TraceId, sentenceCount: 4);
        var document = ComponentRenderer.Parse(html);

        var form = document.QuerySelector("form[data-testid=resample-form]")!;
        Assert.Equal($"/traces/{trace.TraceId}/jobs", form.GetAttribute("hx-post"));
        Assert.Equal(["loop"], form.QuerySelectorAll("select[name=provider] option").Select(o => o.GetAttribute("value")));
        Assert.Equal("model-x", form.QuerySelector("input[name=model]")!.GetAttribute("value"));
        Assert.Equal("3", form.QuerySelector("input[name=to]")!.GetAttribute("value"));
        Assert.NotNull(document.QuerySelector("#trace-jobs"));
        Assert.DoesNotContain(KeyMarker, html, StringComparison.Ordinal);
        Assert.DoesNotContain(KeyVariable, html, StringComparison.Ordinal);
    }

    /// <summary>The trace's jobs panel rendered on its own with the app's services, as a page would include it.</summary>
    private async Task<string> RenderPanelAsync(int traceId, int sentenceCount)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var logs = scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>();
        await using var renderer = new Microsoft.AspNetCore.Components.Web.HtmlRenderer(scope.ServiceProvider, logs);
        return await renderer.Dispatcher.InvokeAsync(async () => (await renderer.RenderComponentAsync<TraceJobsPanel>(
            Microsoft.AspNetCore.Components.ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(TraceJobsPanel.TraceId)] = traceId,
                [nameof(TraceJobsPanel.SentenceCount)] = sentenceCount,
            }))).ToHtmlString());
    }

    private static FormUrlEncodedContent ResampleForm(string n = "3") => new(new Dictionary<string, string>
    {
        ["from"] = "1", ["to"] = "2", ["n"] = n, ["provider"] = "loop", ["model"] = "model-x", ["temperature"] = "0.6", ["topP"] = "0.9", ["maxTokens"] = "",
    });

    [Fact]
    public async Task TheResampleFormStartsAJobAndAnswersWithThePanel()
    {
        var trace = await SeedTraceAsync();
        var client = _app.CreateClient();
        var token = await TokenAsync(client, "/jobs");

        var response = await client.SendAsync(Htmx($"/traces/{trace.TraceId}/jobs", token, ResampleForm()));
        var document = await ParseAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var db = _app.CreateDbContext();
        var job = await db.Set<Job>().SingleAsync(j => j.TraceId == trace.TraceId);
        var items = await db.Set<JobItem>().Where(i => i.JobId == job.Id).Select(i => new { i.Position, i.SampleIndex }).ToListAsync();
        Assert.Equal(6, items.Count);
        Assert.Equal([1, 2], items.Select(i => i.Position).Distinct().Order());
        Assert.Equal(0.6, JobParameters.FromJson(job.Parameters).Sampling.Temperature);
        var panel = document.QuerySelector("#trace-jobs")!;
        Assert.Equal(job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), panel.QuerySelector(".trace-job")!.GetAttribute("data-job-id"));
        Assert.True(panel.HasAttribute("hx-trigger"));
        Assert.NotNull(panel.QuerySelector("[data-testid=job-created]"));
    }

    [Fact]
    public async Task TheResampleFormAlsoWorksAsAPlainFormPost()
    {
        var trace = await SeedTraceAsync();
        var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var field = await TokenAsync(client, "/jobs");
        var fields = new Dictionary<string, string> { ["__RequestVerificationToken"] = field, ["n"] = "2", ["provider"] = "loop" };

        var response = await client.PostAsync($"/traces/{trace.TraceId}/jobs", new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/traces/{trace.TraceId}", response.Headers.Location?.OriginalString);
        await using var db = _app.CreateDbContext();
        var job = await db.Set<Job>().SingleAsync(j => j.TraceId == trace.TraceId);
        Assert.Equal(4 * 2, job.TotalItems);
        Assert.Equal("model-x", job.Model);
    }

    [Fact]
    public async Task TheResampleFormWithoutTheTokenStartsNothing()
    {
        var trace = await SeedTraceAsync();
        var client = _app.CreateClient();
        await TokenAsync(client, "/jobs");

        var response = await client.SendAsync(Htmx($"/traces/{trace.TraceId}/jobs", token: null, ResampleForm()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await using var db = _app.CreateDbContext();
        Assert.False(await db.Set<Job>().AnyAsync());
    }

    [Fact]
    public async Task AnInvalidResampleFormNamesTheFieldAndStartsNothing()
    {
        var trace = await SeedTraceAsync();
        var client = _app.CreateClient();
        var token = await TokenAsync(client, "/jobs");

        var response = await client.SendAsync(Htmx($"/traces/{trace.TraceId}/jobs", token, ResampleForm(n: "0")));
        var document = await ParseAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["n"], document.QuerySelectorAll("[data-testid=resample-errors] li").Select(l => l.GetAttribute("data-field")));
        await using var db = _app.CreateDbContext();
        Assert.False(await db.Set<Job>().AnyAsync());
    }

    [Fact]
    public async Task ThePanelCancelsOnlyJobsOfItsTrace()
    {
        var trace = await SeedTraceAsync();
        var other = await SeedTraceAsync();
        var id = await AddJobAsync(trace.TraceId, JobStatus.Running, [JobItemStatus.Pending]);
        var client = _app.CreateClient();
        var token = await TokenAsync(client, "/jobs");

        var wrongTrace = await client.SendAsync(Htmx($"/traces/{other.TraceId}/jobs/{id}/cancel", token));
        var statusAfterWrong = await StatusAsync(id);
        var response = await client.SendAsync(Htmx($"/traces/{trace.TraceId}/jobs/{id}/cancel", token));
        var document = await ParseAsync(response);

        Assert.Equal(HttpStatusCode.NotFound, wrongTrace.StatusCode);
        Assert.Equal(JobStatus.Running, statusAfterWrong);
        Assert.Equal(JobStatus.Cancelled, await StatusAsync(id));
        Assert.Equal("Cancelled", document.QuerySelector(".trace-job [data-field=status]")!.TextContent);
        Assert.Empty(document.QuerySelectorAll("[data-action]"));
    }

    [Fact]
    public async Task ThePanelRaisesAnEventWhenTheTracesMetricsChangedSinceItWasDrawn()
    {
        var trace = await SeedTraceAsync();
        await AddJobAsync(trace.TraceId, JobStatus.Running, [JobItemStatus.Pending]);
        var client = _app.CreateClient();
        var stamp = int.Parse((await ParseAsync(await client.GetAsync($"/traces/{trace.TraceId}/jobs"))).QuerySelector("#trace-jobs")!.GetAttribute("data-metrics-stamp")!,
            System.Globalization.CultureInfo.InvariantCulture);

        var unchanged = await client.GetAsync($"/traces/{trace.TraceId}/jobs?stamp={stamp}");
        await using (var db = _app.CreateDbContext())
        {
            db.Add(new MetricSet { TraceId = trace.TraceId, OutcomeId = trace.OutcomeId, Source = MetricSource.Computed, ComputedAt = _app.Clock.GetUtcNow() });
            await db.SaveChangesAsync();
        }

        var changed = await client.GetAsync($"/traces/{trace.TraceId}/jobs?stamp={stamp}");

        Assert.False(unchanged.Headers.Contains("HX-Trigger"));
        Assert.Equal(["trace-metrics-changed"], changed.Headers.GetValues("HX-Trigger"));
        Assert.NotEqual(stamp.ToString(System.Globalization.CultureInfo.InvariantCulture), (await ParseAsync(changed)).QuerySelector("#trace-jobs")!.GetAttribute("data-metrics-stamp"));
    }

    [Fact]
    public async Task ThePanelStopsPollingOnceItsJobsAreFinishedAndSettled()
    {
        var trace = await SeedTraceAsync();
        var id = await AddJobAsync(trace.TraceId, JobStatus.Running, [JobItemStatus.Done]);
        var client = _app.CreateClient();

        var active = await ParseAsync(await client.GetAsync($"/traces/{trace.TraceId}/jobs"));
        await using (var db = _app.CreateDbContext())
        {
            await db.Set<Job>().Where(j => j.Id == id).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Completed).SetProperty(j => j.FinishedAt, _app.Clock.GetUtcNow()));
        }

        var justFinished = await ParseAsync(await client.GetAsync($"/traces/{trace.TraceId}/jobs"));
        _app.Clock.Advance(JobPageQueries.SettleTime + TimeSpan.FromSeconds(1));
        var settled = await ParseAsync(await client.GetAsync($"/traces/{trace.TraceId}/jobs"));

        Assert.True(active.QuerySelector("#trace-jobs")!.HasAttribute("hx-trigger"));
        Assert.True(justFinished.QuerySelector("#trace-jobs")!.HasAttribute("hx-trigger"));
        Assert.False(settled.QuerySelector("#trace-jobs")!.HasAttribute("hx-trigger"));
    }

    [Fact]
    public async Task TheChartEndpointGivesTheTracesCurrentCurve()
    {
        var trace = await SeedTraceAsync();

        var json = JsonDocument.Parse(await _app.CreateClient().GetStringAsync($"/traces/{trace.TraceId}/chart")).RootElement;

        Assert.Equal(trace.TraceId, json.GetProperty("traceId").GetInt32());
        var points = json.GetProperty("outcomes")[0].GetProperty("points").EnumerateArray().ToList();
        var rates = trace.Metrics.Where(m => m.Name == MetricNames.PrefixRate).OrderBy(m => m.SentenceIndex).ToList();
        Assert.Equal(rates.Select(r => r.SentenceIndex - 1), points.Select(p => p.GetProperty("x").GetInt32()));
        Assert.Equal(rates.Select(r => r.Value), points.Select(p => p.GetProperty("y").GetDouble()));
        Assert.EndsWith("imported from chunks_labeled.json", json.GetProperty("caption").GetString(), StringComparison.Ordinal);
    }
}
