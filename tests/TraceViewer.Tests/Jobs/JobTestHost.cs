using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Jobs;
using TraceViewer.Resampling;

namespace TraceViewer.Tests.Jobs;

/// <summary>An app with a loopback provider and fast retries, plus helpers to start and wait for jobs over the API.</summary>
internal static class JobTestHost
{
    public static readonly IReadOnlyList<string> Sentences =
        ["<SCRATCHPAD_REASONING>", "I am asked to help.", "This could be harmful.", "I will comply anyway.", "</SCRATCHPAD_REASONING>"];

    /// <summary>Complies when the prefill already holds "I will comply", refuses otherwise, so labels depend on the position.</summary>
    public static string Script(System.Text.Json.Nodes.JsonObject body)
    {
        var text = body["messages"] is System.Text.Json.Nodes.JsonArray messages ? messages[^1]!["content"]!.GetValue<string>() : body["prompt"]!.GetValue<string>();
        return text.Contains("I will comply", StringComparison.Ordinal)
            ? "Fine. </SCRATCHPAD_REASONING>\n<OUTPUT><request_fully_accepted/> Here it is.</OUTPUT>"
            : "No. I refuse. </SCRATCHPAD_REASONING>\n<OUTPUT><rejected/></OUTPUT>";
    }

    public static TestApp Create(LoopbackOpenAIServer server, string? directory = null, string prefillFlag = "prefix", int concurrency = 8) =>
        (directory is null ? new TestApp() : new TestApp(directory))
            .WithSystemClock()
            .WithSetting("Providers:loop:BaseUrl", server.BaseUrl)
            .WithSetting("Providers:loop:Models:0", "model-x")
            .WithSetting("Providers:loop:PrefillFlag", prefillFlag)
            .WithSetting("Providers:loop:MaxConcurrentRequests", concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithSetting("Providers:loop:InputPricePerMillion", "1")
            .WithSetting("Providers:loop:OutputPricePerMillion", "2")
            .WithSetting("Jobs:BaseBackoff", "00:00:00.010")
            .WithSetting("Jobs:MaxBackoff", "00:00:00.050")
            .WithSetting("Jobs:RequestTimeout", "00:00:02")
            .WithSetting("Jobs:PollInterval", "00:00:00.050");

    /// <summary>A scratchpad trace with no resamples yet.</summary>
    public static async Task<SeededTrace> SeedAsync(TestApp app)
    {
        var seeded = await TraceSeeder.SeedAsync(app, new TraceSeed
        {
            DatasetKey = "af/test", Kind = TraceViewer.Datasets.DatasetKind.AlignmentFaking, OutcomeKey = TraceViewer.Outcomes.OutcomeRegistry.Compliance,
            Sentences = Sentences, ResamplesPerSentence = 1, Successes = _ => 0, Separator = _ => "\n",
        });
        await using var db = app.CreateDbContext();
        await db.Set<Resample>().Where(r => r.TraceId == seeded.TraceId).ExecuteDeleteAsync();
        return seeded;
    }

    public static async Task<int> StartAsync(HttpClient client, object request)
    {
        var response = await client.PostAsJsonAsync("/api/jobs", request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt32();
    }

    public static async Task<JsonElement> StatusAsync(HttpClient client, int id) =>
        JsonDocument.Parse(await client.GetStringAsync($"/api/jobs/{id}")).RootElement;

    public static async Task<JsonElement> WaitAsync(HttpClient client, int id, Func<JsonElement, bool> until, int seconds = 30)
    {
        JsonElement status = default;
        await Wait.UntilAsync(async () => until(status = await StatusAsync(client, id)), TimeSpan.FromSeconds(seconds), $"job {id} to reach the expected state");
        return status;
    }

    public static Task<JsonElement> WaitFinishedAsync(HttpClient client, int id, int seconds = 30) =>
        WaitAsync(client, id, s => s.GetProperty("status").GetString() is "Completed" or "Failed", seconds);

    public static async Task<List<Resample>> ResamplesAsync(TestApp app, int traceId)
    {
        await using var db = app.CreateDbContext();
        return await db.Set<Resample>().AsNoTracking().Include(r => r.Labels).Where(r => r.TraceId == traceId)
            .OrderBy(r => r.Position).ThenBy(r => r.SampleIndex).ToListAsync();
    }

    public static async Task<List<JobItem>> ItemsAsync(TestApp app, int jobId)
    {
        await using var db = app.CreateDbContext();
        return await db.Set<JobItem>().AsNoTracking().Where(i => i.JobId == jobId).ToListAsync();
    }
}
