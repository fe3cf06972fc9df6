using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TraceViewer.Jobs;
using TraceViewer.MetricSets;
using TraceViewer.Resampling;
using static TraceViewer.Tests.LoopbackOpenAIServer;

namespace TraceViewer.Tests.Jobs;

public sealed class JobWorkerTests : IAsyncLifetime
{
    private LoopbackOpenAIServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await StartAsync();
        _server.Completion = JobTestHost.Script;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ResampleJobCompletesWithOneLabelledResamplePerItem()
    {
        await using var app = JobTestHost.Create(_server);
        var trace = await JobTestHost.SeedAsync(app);
        var client = app.CreateClient();

        var id = await JobTestHost.StartAsync(client, new { traceId = trace.TraceId, positions = new { from = 1, to = 4 }, n = 3, provider = "loop", temperature = 0.6 });
        var status = await JobTestHost.WaitFinishedAsync(client, id);

        Assert.Equal("Completed", status.GetProperty("status").GetString());
        Assert.Equal(12, status.GetProperty("total").GetInt32());
        Assert.Equal(12, status.GetProperty("done").GetInt32());
        Assert.Equal(0, status.GetProperty("failed").GetInt32());
        var resamples = await JobTestHost.ResamplesAsync(app, trace.TraceId);
        Assert.Equal(12, resamples.Count);
        foreach (var position in Enumerable.Range(1, 4))
        {
            Assert.Equal([0, 1, 2], resamples.Where(r => r.Position == position).Select(r => r.SampleIndex).Order());
        }

        // The prefix holds "I will comply anyway." only from position 4 on.
        Assert.All(resamples, r => Assert.Equal(r.Position == 4, r.Labels.Single().IsPositive));
        Assert.All(resamples, r => Assert.Equal(TraceViewer.Resampling.ResampleOrigin.Generated, r.Origin));
        Assert.Equal("<rejected/>", resamples[0].FinalOutput);
        Assert.Equal("No.", resamples[0].FirstSentence);
        Assert.Equal(resamples.Sum(r => r.PromptTokens!.Value), status.GetProperty("promptTokens").GetInt64());
        var expectedCost = (resamples.Sum(r => r.PromptTokens!.Value) * 1.0 + resamples.Sum(r => r.CompletionTokens!.Value) * 2.0) / 1e6;
        Assert.Equal(expectedCost, status.GetProperty("cost").GetDouble(), 9);
        Assert.All(_server.ReceivedBodies, b => Assert.Equal(0.6, b["temperature"]!.GetValue<double>()));
        await using var db = app.CreateDbContext();
        await WaitForAsync(async () => await db.Set<MetricSet>().AnyAsync(m => m.TraceId == trace.TraceId && m.Source == MetricSource.Computed));
    }

    [Theory]
    [InlineData("prefix")]
    [InlineData("continue_final_message")]
    [InlineData("none")]
    public async Task PrefillFlagReachesTheServer(string flag)
    {
        await using var app = JobTestHost.Create(_server, prefillFlag: flag);
        var trace = await JobTestHost.SeedAsync(app);
        var client = app.CreateClient();

        var id = await JobTestHost.StartAsync(client, new { traceId = trace.TraceId, positions = new { from = 2, to = 2 }, n = 1, provider = "loop" });
        await JobTestHost.WaitFinishedAsync(client, id);

        var body = Assert.Single(_server.ReceivedBodies);
        var last = body["messages"]!.AsArray()[^1]!;
        Assert.Equal("assistant", last["role"]!.GetValue<string>());
        Assert.Equal(trace.Reasoning[..trace.Sentences[2].Start], last["content"]!.GetValue<string>());
        Assert.Equal(flag == "prefix", last["prefix"]?.GetValue<bool>() == true);
        Assert.Equal(flag == "continue_final_message", body["continue_final_message"]?.GetValue<bool>() == true);
        Assert.Equal(flag == "continue_final_message", body["add_generation_prompt"]?.GetValue<bool>() == false);
    }

    [Fact]
    public async Task TextCompletionSendsTheRenderedTemplate()
    {
        await using var app = JobTestHost.Create(_server)
            .WithSetting("Providers:loop:PrefixMode", "TextCompletion")
            .WithSetting("Providers:loop:CompletionTemplate", "S={system}|U={user}|A={prefix}");
        var trace = await JobTestHost.SeedAsync(app);
        var client = app.CreateClient();

        var id = await JobTestHost.StartAsync(client, new { traceId = trace.TraceId, positions = new { from = 3, to = 3 }, n = 2, provider = "loop" });
        var status = await JobTestHost.WaitFinishedAsync(client, id);

        Assert.Equal(2, status.GetProperty("done").GetInt32());
        Assert.All(_server.ReceivedBodies, b => Assert.Equal($"S=|U=Solve: what is 2 + 2?|A={trace.Reasoning[..trace.Sentences[3].Start]}", b["prompt"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ATurnEndingItsScratchpadWithoutOutputGetsANextTurn()
    {
        _server.Completion = body => body["messages"]!.AsArray()[^1]!["role"]!.GetValue<string>() == "user"
            ? "<OUTPUT><rejected/></OUTPUT>"
            : "Thinking more. </SCRATCHPAD_REASONING>";
        await using var app = JobTestHost.Create(_server);
        var trace = await JobTestHost.SeedAsync(app);
        var client = app.CreateClient();

        var id = await JobTestHost.StartAsync(client, new { traceId = trace.TraceId, positions = new { from = 1, to = 1 }, n = 1, provider = "loop" });
        await JobTestHost.WaitFinishedAsync(client, id);

        var resample = Assert.Single(await JobTestHost.ResamplesAsync(app, trace.TraceId));
        Assert.Equal(2, _server.Requests);
        Assert.Equal("Thinking more. </SCRATCHPAD_REASONING>" + TurnLoop.TurnSeparator + "<OUTPUT><rejected/></OUTPUT>", resample.Continuation);
        Assert.Equal("<rejected/>", resample.FinalOutput);
        Assert.False(resample.Labels.Single().IsPositive);
        var second = _server.ReceivedBodies.Single(b => b["messages"]!.AsArray().Count == 3)["messages"]!.AsArray();
        Assert.Equal(TurnLoop.NextTurn, second[^1]!["content"]!.GetValue<string>());
        Assert.EndsWith("Thinking more. </SCRATCHPAD_REASONING>", second[^2]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetryableFaultsAreRetriedAndCounted()
    {
        _server.InjectFaults(new Fault(FaultKind.TooManyRequests, 1), new Fault(FaultKind.ServerError), new Fault(FaultKind.TruncatedJson), new Fault(FaultKind.Hang));
        await using var app = JobTestHost.Create(_server, concurrency: 1);
        var trace = await JobTestHost.SeedAsync(app);
        var client = app.CreateClient();

        var id = await JobTestHost.StartAsync(client, new { traceId = trace.TraceId, positions = new { from = 0, to = 1 }, n = 2, provider = "loop" });
        var status = await JobTestHost.WaitFinishedAsync(client, id);

        Assert.Equal("Completed", status.GetProperty("status").GetString());
        Assert.Equal(4, status.GetProperty("done").GetInt32());
        Assert.Equal(4, status.GetProperty("retries").GetInt32());
        Assert.Equal(8, _server.Requests);
        Assert.Equal(4, (await JobTestHost.ResamplesAsync(app, trace.TraceId)).Count);
        var items = await JobTestHost.ItemsAsync(app, id);
        Assert.Equal(8, items.Sum(i => i.Attempts));
        Assert.Contains(items, i => i.LastError?.Contains("HTTP 429", StringComparison.Ordinal) == true || i.LastError?.Contains("No answer within", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task APermanentFailureMarksTheItemFailedAndTheJobGoesOn()
    {
        _server.FaultFor = (_, body) => body["messages"]!.AsArray()[^1]!["content"]!.GetValue<string>().EndsWith("help.\n", StringComparison.Ordinal)
            ? new Fault(FaultKind.BadRequest) : null;
        await using var app = JobTestHost.Create(_server);
        var trace = await JobTestHost.SeedAsync(app);
        var client = app.CreateClient();

        var id = await JobTestHost.StartAsync(client, new { traceId = trace.TraceId, positions = new { from = 1, to = 3 }, n = 2, provider = "loop" });
        var status = await JobTestHost.WaitFinishedAsync(client, id);

        Assert.Equal("Completed", status.GetProperty("status").GetString());
        Assert.Equal(4, status.GetProperty("done").GetInt32());
        Assert.Equal(2, status.GetProperty("failed").GetInt32());
        Assert.True(status.GetProperty("retries").GetInt32() == 0, status.ToString());
        Assert.Contains("HTTP 400", status.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        var failed = (await JobTestHost.ItemsAsync(app, id)).Where(i => i.Status == JobItemStatus.Failed).ToList();
        Assert.All(failed, i => Assert.Equal((2, 1), (i.Position, i.Attempts)));
        Assert.DoesNotContain(await JobTestHost.ResamplesAsync(app, trace.TraceId), r => r.Position == 2);
    }

    [Fact]
    public async Task AHostStoppedMidJobFinishesAfterARestartWithNoDuplicateAndNoGap()
    {
        _server.Latency = TimeSpan.FromMilliseconds(150);
        var directory = Directory.CreateTempSubdirectory("traceviewer-restart-").FullName;
        int id, traceId;
        var first = JobTestHost.Create(_server, directory, concurrency: 4);
        try
        {
            traceId = (await JobTestHost.SeedAsync(first)).TraceId;
            var client = first.CreateClient();
            id = await JobTestHost.StartAsync(client, new { traceId, n = 8, provider = "loop" });
            await JobTestHost.WaitAsync(client, id, s => s.GetProperty("done").GetInt32() >= 6);
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using (var db = TestApp.OpenDatabase(Path.Combine(directory, "test.db")))
        {
            var left = await db.Set<JobItem>().CountAsync(i => i.JobId == id && i.Status != JobItemStatus.Done);
            Assert.True(left > 0, "the first host finished everything before it stopped");
        }

        await using var second = JobTestHost.Create(_server, directory, concurrency: 4);
        var status = await JobTestHost.WaitFinishedAsync(second.CreateClient(), id);

        Assert.Equal(40, status.GetProperty("done").GetInt32());
        var resamples = await JobTestHost.ResamplesAsync(second, traceId);
        Assert.Equal(40, resamples.Count);
        foreach (var position in Enumerable.Range(0, 5))
        {
            Assert.Equal(Enumerable.Range(0, 8), resamples.Where(r => r.Position == position).Select(r => r.SampleIndex));
        }

        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task CancelStopsFurtherRequests()
    {
        _server.Latency = TimeSpan.FromMilliseconds(100);
        await using var app = JobTestHost.Create(_server, concurrency: 2);
        var trace = await JobTestHost.SeedAsync(app);
        var client = app.CreateClient();
        var id = await JobTestHost.StartAsync(client, new { traceId = trace.TraceId, n = 10, provider = "loop" });
        await JobTestHost.WaitAsync(client, id, s => s.GetProperty("done").GetInt32() >= 3);

        var response = await client.PostAsync($"/api/jobs/{id}/cancel", null);
        response.EnsureSuccessStatusCode();
        // The requests already sent end; then whole scheduling rounds pass in which the worker claims and sends nothing.
        var ended = await JobTestHost.WaitAsync(client, id, s => s.GetProperty("running").GetInt32() == 0);
        var requests = _server.Requests;
        await WholeRoundsAsync(app, 2);

        Assert.Equal(requests, _server.Requests);
        var status = await JobTestHost.StatusAsync(client, id);
        Assert.Equal("Cancelled", status.GetProperty("status").GetString());
        Assert.True(status.GetProperty("pending").GetInt32() > 0);
        Assert.Equal(ended.GetProperty("pending").GetInt32(), status.GetProperty("pending").GetInt32());
        Assert.Equal(0, status.GetProperty("running").GetInt32());
        Assert.Equal(status.GetProperty("done").GetInt32(), (await JobTestHost.ResamplesAsync(app, trace.TraceId)).Count);
    }

    [Fact]
    public async Task PauseHoldsRequestsAndResumeFinishesTheJob()
    {
        // One request at a time, so the items the worker has claimed ahead queue at the provider's gate.
        _server.Latency = TimeSpan.FromMilliseconds(300);
        await using var app = JobTestHost.Create(_server, concurrency: 1);
        var trace = await JobTestHost.SeedAsync(app);
        var client = app.CreateClient();
        var id = await JobTestHost.StartAsync(client, new { traceId = trace.TraceId, positions = new { from = 0, to = 1 }, n = 4, provider = "loop" });
        await JobTestHost.WaitAsync(client, id, s => s.GetProperty("done").GetInt32() >= 1);

        (await client.PostAsync($"/api/jobs/{id}/pause", null)).EnsureSuccessStatusCode();
        // The request in flight ends; then whole scheduling rounds pass in which the worker claims and sends nothing.
        var ended = await JobTestHost.WaitAsync(client, id, s => s.GetProperty("running").GetInt32() == 0);
        var requests = _server.Requests;
        await WholeRoundsAsync(app, 2);
        Assert.Equal(requests, _server.Requests);
        var paused = await JobTestHost.StatusAsync(client, id);
        Assert.Equal("Paused", paused.GetProperty("status").GetString());
        Assert.Equal(0, paused.GetProperty("running").GetInt32());
        Assert.Equal(ended.GetProperty("pending").GetInt32(), paused.GetProperty("pending").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/jobs/{id}/pause", null)).StatusCode);

        (await client.PostAsync($"/api/jobs/{id}/resume", null)).EnsureSuccessStatusCode();
        var status = await JobTestHost.WaitFinishedAsync(client, id);

        Assert.Equal(8, status.GetProperty("done").GetInt32());
        var resamples = await JobTestHost.ResamplesAsync(app, trace.TraceId);
        Assert.Equal(8, resamples.Count);
        Assert.Equal(8, resamples.Select(r => (r.Position, r.SampleIndex)).Distinct().Count());
    }

    [Fact]
    public async Task TwoJobsCreatedAtOnceOnOneTraceGetDistinctSamplesAndKeepEveryResult()
    {
        await using var app = JobTestHost.Create(_server);
        var trace = await JobTestHost.SeedAsync(app);
        var client = app.CreateClient();
        var request = new { traceId = trace.TraceId, positions = new { from = 1, to = 2 }, n = 3, provider = "loop" };

        var ids = await Task.WhenAll(JobTestHost.StartAsync(client, request), JobTestHost.StartAsync(client, request));
        foreach (var id in ids)
        {
            Assert.Equal(6, (await JobTestHost.WaitFinishedAsync(client, id)).GetProperty("done").GetInt32());
        }

        var resamples = await JobTestHost.ResamplesAsync(app, trace.TraceId);
        Assert.Equal(12, resamples.Count);
        foreach (var position in new[] { 1, 2 })
        {
            Assert.Equal(Enumerable.Range(0, 6), resamples.Where(r => r.Position == position).Select(r => r.SampleIndex).Order());
        }
    }

    [Fact]
    public async Task AfterASampleNumberedIntMaxValueNewJobsPlanFreeNumbersAndStoreEveryResult()
    {
        await using var app = JobTestHost.Create(_server);
        var trace = await JobTestHost.SeedAsync(app);
        await using (var db = app.CreateDbContext())
        {
            db.Add(new Resample { TraceId = trace.TraceId, Position = 2, SampleIndex = int.MaxValue, Origin = TraceViewer.Resampling.ResampleOrigin.Imported, FirstSentence = "Imported." });
            await db.SaveChangesAsync();
        }

        var client = app.CreateClient();
        var request = new { traceId = trace.TraceId, positions = new { from = 2, to = 2 }, n = 3, provider = "loop" };

        var first = await JobTestHost.StartAsync(client, request);
        var firstStatus = await JobTestHost.WaitFinishedAsync(client, first);
        var second = await JobTestHost.StartAsync(client, request);
        var secondStatus = await JobTestHost.WaitFinishedAsync(client, second);

        Assert.Equal(3, firstStatus.GetProperty("done").GetInt32());
        Assert.Equal(3, secondStatus.GetProperty("done").GetInt32());
        var stored = await JobTestHost.ResamplesAsync(app, trace.TraceId);
        Assert.Equal([0, 1, 2, 3, 4, 5, int.MaxValue], stored.Select(r => r.SampleIndex));
        Assert.Equal(6, stored.Count(r => r.Origin == TraceViewer.Resampling.ResampleOrigin.Generated));
    }

    [Fact]
    public async Task AResultWhoseSampleWasTakenAfterPlanningIsStoredUnderTheNextFreeNumber()
    {
        var directory = Directory.CreateTempSubdirectory("traceviewer-taken-").FullName;
        int id, traceId;
        await using (var planner = JobTestHost.Create(_server, directory).WithSetting("Jobs:WorkerEnabled", "false"))
        {
            traceId = (await JobTestHost.SeedAsync(planner)).TraceId;
            id = await JobTestHost.StartAsync(planner.CreateClient(), new { traceId, positions = new { from = 1, to = 1 }, n = 2, provider = "loop" });
            // Another source (an import, another instance) stores sample 0 before the job runs.
            await using var db = planner.CreateDbContext();
            db.Add(new Resample { TraceId = traceId, Position = 1, SampleIndex = 0, Origin = TraceViewer.Resampling.ResampleOrigin.Imported, FirstSentence = "Imported." });
            await db.SaveChangesAsync();
        }

        await using var app = JobTestHost.Create(_server, directory);
        var status = await JobTestHost.WaitFinishedAsync(app.CreateClient(), id);

        Assert.Equal(2, status.GetProperty("done").GetInt32());
        var stored = await JobTestHost.ResamplesAsync(app, traceId);
        Assert.Equal([(0, ResampleOrigin.Imported), (1, ResampleOrigin.Generated), (2, ResampleOrigin.Generated)], stored.Select(r => (r.SampleIndex, r.Origin)));
        var items = await JobTestHost.ItemsAsync(app, id);
        Assert.Equal([1, 2], items.Select(i => i.SampleIndex).Order());
        Assert.All(items, i => Assert.Equal(JobItemStatus.Done, i.Status));
        await app.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task WhileTheDatabaseCannotBeWrittenTheWorkerHoldsItsResultsAndFinishesOnceItCan()
    {
        _server.Latency = TimeSpan.FromMilliseconds(20);
        var failing = new FailingWrites();
        var logs = new CapturingLoggerProvider();
        await using var app = JobTestHost.Create(_server, concurrency: 2)
            .WithSetting("Jobs:StorageBackoff", "00:00:00.050")
            .WithSetting("Jobs:MaxStorageBackoff", "00:00:00.200")
            .WithServices(s => s.ConfigureDbContext<TraceViewer.Data.SqliteTraceViewerDbContext>(o => o.AddInterceptors(failing)))
            .WithServices(s => s.AddSingleton<ILoggerProvider>(logs));
        var trace = await JobTestHost.SeedAsync(app);
        var client = app.CreateClient();
        var id = await JobTestHost.StartAsync(client, new { traceId = trace.TraceId, n = 6, provider = "loop" });
        await JobTestHost.WaitAsync(client, id, s => s.GetProperty("done").GetInt32() >= 2);

        failing.Failing = true;
        var held = await JobTestHost.WaitAsync(client, id, s => s.GetProperty("storageProblem").ValueKind == JsonValueKind.String
            && logs.AllText.Contains("could not store", StringComparison.Ordinal));
        failing.Failing = false;
        var status = await JobTestHost.WaitFinishedAsync(client, id);

        Assert.Contains("disk I/O error", held.GetProperty("storageProblem").GetString(), StringComparison.Ordinal);
        Assert.True(failing.Refused > 0);
        Assert.Equal("Completed", status.GetProperty("status").GetString());
        Assert.Equal(30, status.GetProperty("done").GetInt32());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("storageProblem").ValueKind);
        var resamples = await JobTestHost.ResamplesAsync(app, trace.TraceId);
        Assert.Equal(30, resamples.Count);
        Assert.All(resamples, r => Assert.Single(r.Labels));
        Assert.Contains(logs.Lines, l => l.Contains("can be written again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheApiKeyNeverReachesTheDatabaseLogsOrResponses()
    {
        var variable = "TRACEVIEWER_TEST_JOB_KEY_" + Guid.NewGuid().ToString("N");
        var key = "sk-marker-" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, key);
        var logs = new CapturingLoggerProvider();
        _server.InjectFaults(new Fault(FaultKind.ServerError), new Fault(FaultKind.BadRequest));
        await using var app = JobTestHost.Create(_server)
            .WithSetting("Providers:loop:ApiKeyVariable", variable)
            .WithSetting("Logging:LogLevel:Default", "Trace")
            .WithSetting("Logging:LogLevel:Microsoft", "Trace")
            .WithSetting("Logging:LogLevel:Microsoft.AspNetCore", "Trace")
            .WithSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Trace")
            .WithServices(s => s.AddSingleton<ILoggerProvider>(logs));
        var trace = await JobTestHost.SeedAsync(app);
        var client = app.CreateClient();

        var id = await JobTestHost.StartAsync(client, new { traceId = trace.TraceId, positions = new { from = 0, to = 1 }, n = 2, provider = "loop" });
        await JobTestHost.WaitFinishedAsync(client, id);
        var pages = new List<string>();
        foreach (var url in new[] { "/api/jobs", $"/api/jobs/{id}", "/openapi/v1.json", $"/traces/{trace.TraceId}", "/datasets", $"/api/traces/{trace.TraceId}" })
        {
            pages.Add(await client.GetStringAsync(url));
        }

        Assert.Contains($"Bearer {key}", _server.AuthorizationHeaders);
        Assert.NotEmpty(logs.Lines);
        Assert.Contains(logs.Lines, l => l.Contains("done", StringComparison.Ordinal) && l.Contains($"JobId={id}", StringComparison.Ordinal));
        Assert.DoesNotContain(key, logs.AllText, StringComparison.Ordinal);
        Assert.All(pages, page => Assert.DoesNotContain(key, page, StringComparison.Ordinal));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(app.DatabasePath)!))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.Equal(-1, bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(key)));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(System.Text.Encoding.Unicode.GetBytes(key)));
        }
    }

    private static Task WaitForAsync(Func<Task<bool>> condition) => Wait.UntilAsync(condition, TimeSpan.FromSeconds(20), "the condition");

    /// <summary>
    /// Waits until the worker has begun <paramref name="count"/> more scheduling rounds than now, so at least
    /// <paramref name="count"/> - 1 whole rounds (each claiming what it may run) ran in between.
    /// </summary>
    private static Task WholeRoundsAsync(TestApp app, int count)
    {
        var heartbeat = app.Services.GetRequiredService<JobWorkerHeartbeat>();
        var until = heartbeat.Rounds + count;
        return Wait.UntilAsync(() => heartbeat.Rounds >= until, TimeSpan.FromSeconds(20), $"{count} scheduling rounds");
    }
}
