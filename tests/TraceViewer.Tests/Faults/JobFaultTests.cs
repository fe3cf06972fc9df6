using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TraceViewer.Tests.Faults;

/// <summary>
/// A resample job of 80 requests in a real app process: killed with SIGKILL at three points of its progress and
/// restarted each time, or running into a file-size limit (a full disk) that is lifted later. Each ends with an intact
/// database and exactly one stored resample per item: nothing lost, nothing doubled.
/// </summary>
[Collection(FaultGroup.Name)]
public sealed class JobFaultTests(FaultFixture fixture)
{
    private const int Positions = 5, PerPosition = 16, Total = Positions * PerPosition;

    [Fact]
    public async Task AJobKilledAtThreePointsFinishesWithEveryResampleStoredOnce()
    {
        fixture.Server.Latency = TimeSpan.Zero;
        var directory = fixture.CopyDatabase();
        var database = Path.Combine(directory, "tv.db");
        var settings = fixture.Settings(directory);
        int? id = null;
        var killedAt = new List<int>();

        try
        {
            var answered = 0;
            foreach (var point in new[] { 10, 30, 50 })
            {
                // The server answers exactly up to this point and holds the rest, so the app is killed with exactly
                // `point` items done however fast or slow the machine is, and with requests in flight.
                fixture.Server.LimitAnswers(point - answered);
                answered = point;
                await using var app = await AppProcess.Start(directory, settings).WaitUntilListeningAsync();
                id ??= await StartJobAsync(app.Client);
                await Wait.UntilAsync(async () => await DoneAsync(app.Client, id.Value) >= point, AppProcess.StartTimeout, $"{point} items done");
                await Wait.UntilAsync(() => fixture.Server.HeldAnswers > 0, AppProcess.StartTimeout, "the app's next request to wait at the server");
                app.Kill();
                killedAt.Add((int)await FaultFixture.ScalarAsync(database, $"SELECT COUNT(*) FROM JobItem WHERE JobId = {id} AND Status = 'Done'"));
                Assert.Equal("ok", await FaultFixture.IntegrityAsync(database));
                // The killed app's held requests end with its connections; none of them may take the next answers.
                await Wait.UntilAsync(() => fixture.Server.HeldAnswers == 0, AppProcess.StartTimeout, "the killed app's requests to end");
            }
        }
        finally
        {
            fixture.Server.UnlimitAnswers();
        }

        await using (var last = await AppProcess.Start(directory, settings).WaitUntilListeningAsync())
        {
            var status = await FinishedAsync(last.Client, id!.Value);
            Assert.Equal("Completed", status.GetProperty("status").GetString());
            Assert.Equal(Total, status.GetProperty("done").GetInt32());
            await last.StopAsync();
        }

        // Each kill came at its point, before the job finished: nothing stored past the answers given.
        Assert.Equal([10, 30, 50], killedAt);
        await AssertExactAsync(database, id.Value);
    }

    [Fact]
    public async Task AJobThatRunsIntoAFullDiskKeepsTheAppUpAndFinishesOnceThereIsRoom()
    {
        fixture.Server.Latency = TimeSpan.FromMilliseconds(5);
        var directory = fixture.CopyDatabase();
        var database = Path.Combine(directory, "tv.db");
        // Room for start-up and a few result batches in the write-ahead log, then every write fails with EFBIG.
        await using var app = await AppProcess.Start(directory, fixture.Settings(directory), Launch.FileSizeLimit, fileSizeLimitKiB: 192).WaitUntilListeningAsync();
        var id = await StartJobAsync(app.Client);

        JsonElement stuck = default;
        await Wait.UntilAsync(async () =>
        {
            stuck = await StatusAsync(app.Client, id);
            return stuck.GetProperty("storageProblem").ValueKind == JsonValueKind.String;
        }, AppProcess.StartTimeout, "the job to report that the database cannot be written");
        var pages = await app.Client.GetAsync($"/traces/{fixture.TraceId}");
        var stuckDone = (await StatusAsync(app.Client, id)).GetProperty("done").GetInt32();
        await app.LiftFileSizeLimitAsync();
        var status = await FinishedAsync(app.Client, id);
        await app.StopAsync();

        Assert.Contains("disk I/O error", stuck.GetProperty("storageProblem").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, pages.StatusCode);
        Assert.InRange(stuckDone, 0, Total - 1);
        Assert.Equal("Completed", status.GetProperty("status").GetString());
        Assert.Equal(Total, status.GetProperty("done").GetInt32());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("storageProblem").ValueKind);
        Assert.Contains(app.Lines, l => l.Contains("could not store", StringComparison.Ordinal) && l.Contains("holding them", StringComparison.Ordinal));
        Assert.Contains(app.Lines, l => l.Contains("the database can be written again", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Lines, l => l.Contains("Unhandled exception", StringComparison.Ordinal));
        await AssertExactAsync(database, id);
    }

    private async Task<int> StartJobAsync(HttpClient client)
    {
        var response = await client.PostAsJsonAsync("/api/jobs", new { traceId = fixture.TraceId, positions = new { from = 0, to = Positions - 1 }, n = PerPosition, provider = "loop" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private static async Task<JsonElement> StatusAsync(HttpClient client, int id) => await client.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");

    private static async Task<int> DoneAsync(HttpClient client, int id) => (await StatusAsync(client, id)).GetProperty("done").GetInt32();

    private static async Task<JsonElement> FinishedAsync(HttpClient client, int id)
    {
        JsonElement status = default;
        await Wait.UntilAsync(async () =>
        {
            status = await StatusAsync(client, id);
            return status.GetProperty("status").GetString() is "Completed" or "Failed";
        }, AppProcess.StartTimeout, $"job {id} to finish");
        return status;
    }

    private async Task AssertExactAsync(string database, int id)
    {
        Assert.Equal("ok", await FaultFixture.IntegrityAsync(database));
        var trace = fixture.TraceId;
        Assert.Equal(Total, await FaultFixture.ScalarAsync(database, $"SELECT COUNT(*) FROM Resample WHERE TraceId = {trace}"));
        Assert.Equal(Total, await FaultFixture.ScalarAsync(database, $"SELECT COUNT(DISTINCT Position || '/' || SampleIndex) FROM Resample WHERE TraceId = {trace}"));
        Assert.Equal(Total, await FaultFixture.ScalarAsync(database, $"SELECT COUNT(*) FROM ResampleLabel WHERE ResampleId IN (SELECT Id FROM Resample WHERE TraceId = {trace})"));
        Assert.Equal(Total, await FaultFixture.ScalarAsync(database, $"SELECT COUNT(*) FROM JobItem WHERE JobId = {id} AND Status = 'Done'"));
        // Every done item has its resample, under its own number.
        Assert.Equal(Total, await FaultFixture.ScalarAsync(database,
            $"SELECT COUNT(*) FROM JobItem i JOIN Resample r ON r.TraceId = i.TraceId AND r.Position = i.Position AND r.SampleIndex = i.SampleIndex WHERE i.JobId = {id}"));
        Assert.Equal(fixture.ResampleCountBefore + Total, await FaultFixture.ScalarAsync(database, $"SELECT ResampleCount FROM \"Trace\" WHERE Id = {trace}"));
    }
}
