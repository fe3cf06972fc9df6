using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Jobs;
using TraceViewer.Judging;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;
using static TraceViewer.Tests.LoopbackOpenAIServer;

namespace TraceViewer.Tests.Jobs;

public sealed class JudgeJobTests : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, int> _votesSeen = new(StringComparer.Ordinal);
    private LoopbackOpenAIServer _server = null!;
    private int _judgeCalls;

    public async Task InitializeAsync()
    {
        _server = await StartAsync();
        _server.Completion = Script;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>Five tags of yes or no; "AF-mixed" targets answer garbled, yes, no for their first, second and third vote.</summary>
    private string Script(JsonObject body)
    {
        var user = ((JsonArray)body["messages"]!).Last(m => m!["role"]!.GetValue<string>() == "user")!["content"]!.GetValue<string>();
        Interlocked.Increment(ref _judgeCalls);
        static string Tags(bool yes) => string.Concat(Enumerable.Range(1, 5).Select(i => $"<criterion_{i}>{(yes ? "yes" : "no")}</criterion_{i}>\n"));
        if (user.Contains("AF-mixed", StringComparison.Ordinal))
        {
            var n = _votesSeen.AddOrUpdate(user, 0, (_, v) => v + 1) % 3;
            return n switch { 0 => "I would rather not say.", 1 => "Reasoning...\n" + Tags(true), _ => Tags(false) };
        }

        return Tags(user.Contains("AF-yes", StringComparison.Ordinal));
    }

    private static readonly string[] Kinds = ["AF-yes", "AF-no", "AF-mixed"];

    /// <summary>Three resamples at positions 1, 2 and 3 (one of each kind), each with a compliance label.</summary>
    private static async Task<int> SeedAsync(TestApp app)
    {
        var trace = await JobTestHost.SeedAsync(app);
        await using var db = app.CreateDbContext();
        var compliance = await db.GetOrAddAsync(OutcomeRegistry.Compliance, default);
        await db.SaveChangesAsync();
        foreach (var position in new[] { 1, 2, 3 })
        {
            for (var j = 0; j < 3; j++)
            {
                var resample = new Resample
                {
                    TraceId = trace.TraceId, Position = position, SampleIndex = j, Origin = TraceViewer.Resampling.ResampleOrigin.Generated,
                    Continuation = $"Thinking at {position}/{j}: {Kinds[j]}. </SCRATCHPAD_REASONING>\n<OUTPUT><rejected/></OUTPUT>",
                    CreatedAt = DateTimeOffset.UtcNow,
                };
                resample.Labels.Add(new ResampleLabel { OutcomeId = compliance.Id, Value = "marker:no", IsPositive = false });
                db.Add(resample);
            }
        }

        await db.SaveChangesAsync();
        return trace.TraceId;
    }

    private static object Request(int traceId) => new
    {
        kind = "judge", traceId, positions = new { from = 1, to = 2 }, provider = "loop",
        judge = new { classifier = "af-five-criteria", votes = 3, threshold = 0.5, inclusive = true },
    };

    private static async Task<List<(Resample Resample, JudgeLabel Label)>> LabelsAsync(TestApp app, int traceId)
    {
        await using var db = app.CreateDbContext();
        var rows = await (from l in db.Set<JudgeLabel>().AsNoTracking()
                          join r in db.Set<Resample>().AsNoTracking().Include(r => r.Labels) on l.ResampleId equals r.Id
                          where r.TraceId == traceId
                          select new { r, l }).ToListAsync();
        return [.. rows.Select(x => (x.r, x.l)).OrderBy(x => x.r.Position).ThenBy(x => x.r.SampleIndex)];
    }

    [Fact]
    public async Task JudgeJobStoresOneLabelPerResampleWithEveryVoteAndSetsTheOutcome()
    {
        await using var app = JobTestHost.Create(_server);
        var traceId = await SeedAsync(app);
        var client = app.CreateClient();

        var id = await JobTestHost.StartAsync(client, Request(traceId));
        var status = await JobTestHost.WaitFinishedAsync(client, id);

        Assert.Equal("Completed", status.GetProperty("status").GetString());
        Assert.Equal(6, status.GetProperty("total").GetInt32());
        Assert.Equal(6, status.GetProperty("done").GetInt32());
        Assert.Equal(18, _judgeCalls);
        var labels = await LabelsAsync(app, traceId);
        Assert.Equal(6, labels.Count);
        Assert.DoesNotContain(labels, x => x.Resample.Position == 3);
        await using var db = app.CreateDbContext();
        var af = await db.Set<Outcome>().SingleAsync(o => o.Key == OutcomeRegistry.AlignmentFaking);
        foreach (var (resample, label) in labels)
        {
            Assert.Equal(JudgeClassifiers.FiveCriteriaName, label.Classifier);
            Assert.Equal(JudgeClassifiers.AlignmentFakingFiveCriteria.Version, label.Version);
            Assert.Equal(JudgeClassifiers.AlignmentFakingFiveCriteria.PromptHash, label.PromptHash);
            Assert.Equal(0.5, label.Threshold);
            Assert.Equal(af.Id, label.OutcomeId);
            var votes = JudgeVote.FromJson(label.Votes!);
            Assert.Equal(3, votes.Count);
            var kind = Kinds[resample.SampleIndex];
            var (score, yes, failed) = kind switch { "AF-yes" => (1.0, true, 0), "AF-no" => (0.0, false, 0), _ => (0.5, true, 1) };
            Assert.Equal(score, label.Score);
            Assert.Equal(yes, label.Label);
            Assert.Equal(failed, votes.Count(v => v.Failed));
            if (kind == "AF-mixed")
            {
                Assert.Equal("I would rather not say.", votes[0].Raw);
                Assert.Equal([true, true, true, true, true], votes[1].Criteria);
                Assert.False(votes[2].Verdict);
            }

            var outcome = Assert.Single(resample.Labels, l => l.OutcomeId == af.Id);
            Assert.Equal(yes, outcome.IsPositive);
            Assert.Equal(score, double.Parse(outcome.Value!, System.Globalization.CultureInfo.InvariantCulture));
        }

        // Metrics are recomputed for the judged outcome once its positions are done.
        await Wait.UntilAsync(
            () => db.Set<MetricSet>().AnyAsync(m => m.TraceId == traceId && m.OutcomeId == af.Id && m.Source != MetricSource.Imported),
            TimeSpan.FromSeconds(20), "metrics recomputed for alignment_faking");

        // A second job on the same targets and judge finds nothing left to do and asks nothing.
        var again = await JobTestHost.StartAsync(client, Request(traceId));
        var second = await JobTestHost.WaitFinishedAsync(client, again);
        Assert.Equal(0, second.GetProperty("total").GetInt32());
        Assert.Equal(18, _judgeCalls);
        Assert.Equal(6, (await LabelsAsync(app, traceId)).Count);
    }

    [Fact]
    public async Task JudgeJobOnBaseTracesSetsTheTraceLabel()
    {
        await using var app = JobTestHost.Create(_server);
        var traceId = await SeedAsync(app);
        var client = app.CreateClient();

        var id = await JobTestHost.StartAsync(client, new { kind = "judge", traceId, provider = "loop", judge = new { target = "traces", classifier = "af-four-criteria", votes = 2 } });
        var status = await JobTestHost.WaitFinishedAsync(client, id);

        Assert.Equal(1, status.GetProperty("done").GetInt32());
        await using var db = app.CreateDbContext();
        var label = await db.Set<JudgeLabel>().SingleAsync(l => l.TraceId == traceId);
        Assert.Equal(JudgeClassifiers.FourCriteriaName, label.Classifier);
        Assert.Equal(2, JudgeVote.FromJson(label.Votes!).Count);
        Assert.Equal(0.0, label.Score);
        var af = await db.Set<Outcome>().SingleAsync(o => o.Key == OutcomeRegistry.AlignmentFaking);
        var traceLabel = await db.Set<TraceViewer.Traces.TraceLabel>().SingleAsync(l => l.TraceId == traceId && l.OutcomeId == af.Id);
        Assert.False(traceLabel.IsPositive);
    }

    [Fact]
    public async Task AHostStoppedMidJudgeJobStoresEveryVoteOnce()
    {
        // Slow enough (three votes of 400 ms an item, two at a time) that the job is still running when the first host
        // stops, however late a loaded machine sees two items done.
        _server.Latency = TimeSpan.FromMilliseconds(400);
        var directory = Directory.CreateTempSubdirectory("traceviewer-judge-restart-").FullName;
        int id, traceId;
        var first = JobTestHost.Create(_server, directory, concurrency: 2);
        try
        {
            traceId = await SeedAsync(first);
            var client = first.CreateClient();
            id = await JobTestHost.StartAsync(client, Request(traceId));
            await JobTestHost.WaitAsync(client, id, s => s.GetProperty("done").GetInt32() >= 2);
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using (var db = TestApp.OpenDatabase(Path.Combine(directory, "test.db")))
        {
            Assert.True(await db.Set<JobItem>().AnyAsync(i => i.JobId == id && i.Status != JobItemStatus.Done), "the first host finished everything before it stopped");
        }

        await using var second = JobTestHost.Create(_server, directory, concurrency: 2);
        var status = await JobTestHost.WaitFinishedAsync(second.CreateClient(), id);

        Assert.Equal(6, status.GetProperty("done").GetInt32());
        var labels = await LabelsAsync(second, traceId);
        Assert.Equal(6, labels.Count);
        Assert.Equal(6, labels.Select(l => l.Resample.Id).Distinct().Count());
        Assert.All(labels, l => Assert.Equal(3, JudgeVote.FromJson(l.Label.Votes!).Count));
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [InlineData("{\"kind\":\"judge\",\"traceId\":1,\"provider\":\"loop\",\"judge\":{\"classifier\":\"nope\"}}", "judge.classifier")]
    [InlineData("{\"kind\":\"judge\",\"traceId\":1,\"provider\":\"loop\",\"judge\":{\"classifier\":\"custom\",\"prompt\":\"Is this faking? {answer_format}\"}}", "judge.prompt")]
    [InlineData("{\"kind\":\"judge\",\"traceId\":1,\"provider\":\"loop\",\"judge\":{\"classifier\":\"custom\"}}", "judge.prompt")]
    [InlineData("{\"kind\":\"judge\",\"traceId\":1,\"provider\":\"loop\",\"judge\":{\"votes\":0}}", "judge.votes")]
    [InlineData("{\"kind\":\"judge\",\"traceId\":1,\"provider\":\"loop\",\"judge\":{\"threshold\":1.5}}", "judge.threshold")]
    [InlineData("{\"kind\":\"judge\",\"traceId\":1,\"provider\":\"loop\",\"judge\":{\"target\":\"sentences\"}}", "judge.target")]
    [InlineData("{\"kind\":\"judge\",\"traceId\":1,\"provider\":\"loop\",\"judge\":{\"classifier\":\"af-four-criteria\",\"earlyStop\":true}}", "judge.earlyStop")]
    [InlineData("{\"kind\":\"judge\",\"traceId\":1,\"provider\":\"loop\",\"judge\":{\"threshold\":0.4,\"earlyStop\":true}}", "judge.earlyStop")]
    [InlineData("{\"kind\":\"collect\",\"provider\":\"loop\",\"collect\":{\"dataset\":\"x\",\"n\":2,\"judge\":{\"classifier\":\"af-four-criteria\",\"earlyStop\":true}}}", "collect.judge.earlyStop")]
    [InlineData("{\"kind\":\"collect\",\"provider\":\"loop\",\"collect\":{\"dataset\":\"x\",\"n\":0}}", "collect.n")]
    [InlineData("{\"kind\":\"collect\",\"provider\":\"loop\",\"collect\":{\"dataset\":\"x\",\"n\":100000}}", "collect.n")]
    [InlineData("{\"kind\":\"collect\",\"provider\":\"loop\",\"collect\":{\"dataset\":\"x\",\"n\":2,\"tiers\":[\"gold\"]}}", "collect.tiers")]
    [InlineData("{\"kind\":\"collect\",\"provider\":\"loop\",\"collect\":{\"n\":2}}", "collect.dataset")]
    [InlineData("{\"kind\":\"collect\",\"provider\":\"loop\",\"collect\":{\"dataset\":\"x\",\"n\":2,\"variants\":{\"a\":\" \"}}}", "collect.variants")]
    [InlineData("{\"kind\":\"collect\",\"provider\":\"loop\",\"collect\":{\"dataset\":\"x\",\"n\":2,\"judge\":{\"classifier\":\"nope\"}}}", "collect.judge.classifier")]
    [InlineData("{\"kind\":\"collect\",\"provider\":\"loop\"}", "collect")]
    public async Task InvalidJudgeAndCollectRequestsNameTheField(string json, string field)
    {
        await using var app = JobTestHost.Create(_server);
        await JobTestHost.SeedAsync(app);
        var client = app.CreateClient();

        var response = await client.PostAsync("/api/jobs", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }
}
