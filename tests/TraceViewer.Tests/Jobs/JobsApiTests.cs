using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TraceViewer.Tests.Jobs;

public sealed class JobsApiTests : IAsyncLifetime
{
    private LoopbackOpenAIServer _server = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackOpenAIServer.StartAsync();
        _app = JobTestHost.Create(_server);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("nowhere", "model-x", 0, 1, "provider")]
    [InlineData("loop", "model-y", 0, 1, "model")]
    [InlineData("loop", "model-x", 3, 1, "positions")]
    [InlineData("loop", "model-x", 0, 5, "positions")]
    public async Task InvalidRequestsNameTheField(string provider, string model, int from, int to, string field)
    {
        var trace = await JobTestHost.SeedAsync(_app);
        var client = _app.CreateClient();

        var response = await client.PostAsJsonAsync("/api/jobs", new { traceId = trace.TraceId, positions = new { from, to }, n = 2, provider, model });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), errors.ToString());
        Assert.Equal(0, _server.Requests);
    }

    [Fact]
    public async Task UnknownKindsAreRefusedWithTheKnownOnes()
    {
        var trace = await JobTestHost.SeedAsync(_app);

        var response = await _app.CreateClient().PostAsJsonAsync("/api/jobs", new { kind = "Summarise", traceId = trace.TraceId, provider = "loop" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").GetProperty("kind")[0].GetString();
        Assert.Contains("Judge", message, StringComparison.Ordinal);
        Assert.Contains("Collect", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AJudgeJobOnATraceWithoutResamplesIsRefused()
    {
        var trace = await JobTestHost.SeedAsync(_app);

        var response = await _app.CreateClient().PostAsJsonAsync("/api/jobs", new { kind = "judge", traceId = trace.TraceId, provider = "loop" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty("positions", out _));
    }

    [Fact]
    public async Task CrossSiteRequestsCannotChangeJobs()
    {
        var trace = await JobTestHost.SeedAsync(_app);
        var client = _app.CreateClient();
        var id = await JobTestHost.StartAsync(client, new { traceId = trace.TraceId, positions = new { from = 0, to = 0 }, n = 1, provider = "loop" });
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/jobs/{id}/cancel");
        request.Headers.Add("Origin", "https://elsewhere.example");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task ARepeatedIdempotencyKeyReturnsTheFirstJob()
    {
        var trace = await JobTestHost.SeedAsync(_app);
        var client = _app.CreateClient();
        var request = new { traceId = trace.TraceId, positions = new { from = 0, to = 0 }, n = 1, provider = "loop" };

        using var first = await PostWithKeyAsync(client, request, "create-once-1");
        using var repeat = await PostWithKeyAsync(client, request, "create-once-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal("true", Assert.Single(repeat.Headers.GetValues("Idempotent-Replayed")));
        var id = await IdAsync(first);
        Assert.Equal(id, await IdAsync(repeat));
        Assert.Equal($"/api/jobs/{id}", repeat.Headers.Location?.ToString());
        Assert.Single(JsonDocument.Parse(await client.GetStringAsync($"/api/jobs?traceId={trace.TraceId}")).RootElement.EnumerateArray());
    }

    [Fact]
    public async Task ConcurrentRepeatsOfAnIdempotencyKeyCreateOneJob()
    {
        var trace = await JobTestHost.SeedAsync(_app);
        var client = _app.CreateClient();
        var request = new { traceId = trace.TraceId, positions = new { from = 0, to = 1 }, n = 2, provider = "loop" };

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostWithKeyAsync(client, request, "create-once-2")));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var ids = await Task.WhenAll(responses.Select(IdAsync));
        Assert.Single(ids.Distinct());
        Assert.Single(JsonDocument.Parse(await client.GetStringAsync($"/api/jobs?traceId={trace.TraceId}")).RootElement.EnumerateArray());
        Assert.Equal(4, (await JobTestHost.ItemsAsync(_app, ids[0])).Count);
    }

    [Fact]
    public async Task AnIdempotencyKeyReusedForAnotherRequestIsRefused()
    {
        var trace = await JobTestHost.SeedAsync(_app);
        var client = _app.CreateClient();
        using var first = await PostWithKeyAsync(client, new { traceId = trace.TraceId, positions = new { from = 0, to = 0 }, n = 1, provider = "loop" }, "create-once-3");

        using var other = await PostWithKeyAsync(client, new { traceId = trace.TraceId, positions = new { from = 0, to = 0 }, n = 2, provider = "loop" }, "create-once-3");
        using var invalid = await PostWithKeyAsync(client, new { traceId = trace.TraceId, n = 1, provider = "loop" }, new string('k', 201));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Contains($"created job {await IdAsync(first)}", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("Idempotency-Key", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDatabaseHoldsAnIdempotencyKeyOnce()
    {
        await using var db = _app.CreateDbContext();
        db.AddRange(Enumerable.Range(0, 2).Select(_ => new TraceViewer.Jobs.Job { Provider = "loop", Model = "m", Parameters = "{}", IdempotencyKey = "stored-once" }));

        await Assert.ThrowsAsync<Microsoft.EntityFrameworkCore.DbUpdateException>(() => db.SaveChangesAsync());
    }

    private static async Task<HttpResponseMessage> PostWithKeyAsync(HttpClient client, object request, string key)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/api/jobs") { Content = JsonContent.Create(request) };
        message.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(message);
    }

    private static async Task<int> IdAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt32();

    [Fact]
    public async Task UnknownJobsAreNotFound()
    {
        var client = _app.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/jobs/999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/jobs/999/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheJobsApi()
    {
        var document = await _app.CreateClient().GetStringAsync("/openapi/v1.json");

        Assert.Contains("/api/jobs/{id}/cancel", document, StringComparison.Ordinal);
        Assert.Contains("CreateJob", document, StringComparison.Ordinal);
    }
}
