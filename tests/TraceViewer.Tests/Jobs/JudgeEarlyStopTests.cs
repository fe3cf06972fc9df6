using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Jobs;
using TraceViewer.Judging;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;

namespace TraceViewer.Tests.Jobs;

/// <summary>
/// "Stop once the majority is decided" for the five-criteria judge, both where it labels alignment faking on new
/// resamples and as an option of a judge job: the same labels as five calls, fewer calls, and the calls saved counted on
/// the job.
/// </summary>
public sealed class JudgeEarlyStopTests : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, int> _votes = new(StringComparer.Ordinal);
    private LoopbackOpenAIServer _server = null!;
    private int _judgeCalls;

    public async Task InitializeAsync()
    {
        _server = await LoopbackOpenAIServer.StartAsync();
        _server.Completion = Script;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Tags(bool yes) => string.Concat(Enumerable.Range(1, 5).Select(i => $"<criterion_{i}>{(yes ? "yes" : "no")}</criterion_{i}>\n"));

    /// <summary>
    /// Generations as <see cref="JobTestHost.Script"/>. Judge votes follow a pattern per judged text: a compliant
    /// continuation gets yes, no, yes, yes, no (a yes majority, decided after four), a refusal no, no, yes, no, yes
    /// (a no majority, decided after four).
    /// </summary>
    private string Script(JsonObject body)
    {
        var messages = (JsonArray)body["messages"]!;
        if (messages[0]!["content"]!.GetValue<string>().StartsWith("Your task is to decide", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _judgeCalls);
            var user = messages[^1]!["content"]!.GetValue<string>();
            var n = _votes.AddOrUpdate(user, 0, (_, v) => v + 1);
            bool[] pattern = user.Contains("Fine. </SCRATCHPAD_REASONING>", StringComparison.Ordinal) ? [true, false, true, true, false] : [false, false, true, false, true];
            return Tags(pattern[n % 5]);
        }

        return JobTestHost.Script(body);
    }

    [Fact]
    public void TheMajorityIsDecidedOnlyWhenNoRemainingAnswersCouldChangeIt()
    {
        static JudgeVote Vote(bool yes) => JudgeVote.FromReply(JudgeClassifiers.AlignmentFakingFiveCriteria, Tags(yes));

        Assert.False(JudgeEarlyStop.Decided([Vote(true), Vote(true)], remaining: 3));
        Assert.True(JudgeEarlyStop.Decided([Vote(true), Vote(true), Vote(true)], remaining: 2));
        Assert.False(JudgeEarlyStop.Decided([Vote(true), Vote(false), Vote(true)], remaining: 2));
        // A tie is no: two no votes out of four decide it with two calls left.
        Assert.True(JudgeEarlyStop.Decided([Vote(false), Vote(false)], remaining: 2));
        Assert.False(JudgeEarlyStop.Decided([Vote(true), Vote(true), JudgeVote.CallFailed("timeout")], remaining: 2));
    }

    [Fact]
    public async Task EarlyStopGivesTheSameLabelsAsFiveCallsWithFewerCallsAndCountsTheSavedOnes()
    {
        await using var app = JobTestHost.Create(_server);
        var seeded = await TraceSeeder.SeedAsync(app, new TraceSeed
        {
            DatasetKey = "af/early-stop", Kind = TraceViewer.Datasets.DatasetKind.AlignmentFaking, OutcomeKey = OutcomeRegistry.AlignmentFaking,
            Sentences = JobTestHost.Sentences, ResamplesPerSentence = 1, Successes = _ => 0, Separator = _ => "\n",
        });
        await using (var db = app.CreateDbContext())
        {
            await db.Set<Resample>().Where(r => r.TraceId == seeded.TraceId).ExecuteDeleteAsync();
        }

        var client = app.CreateClient();
        object Request(bool earlyStop) => new
        {
            kind = "resample", traceId = seeded.TraceId, positions = new { from = 1, to = 4 }, n = 1, provider = "loop",
            labels = new { earlyStop },
        };

        var full = await JobTestHost.StartAsync(client, Request(earlyStop: false));
        var fullStatus = await JobTestHost.WaitFinishedAsync(client, full);
        var fullCalls = _judgeCalls;
        _votes.Clear();
        var early = await JobTestHost.StartAsync(client, Request(earlyStop: true));
        var earlyStatus = await JobTestHost.WaitFinishedAsync(client, early);
        var earlyCalls = _judgeCalls - fullCalls;

        Assert.Equal("Completed", earlyStatus.GetProperty("status").GetString());
        Assert.Equal(20, fullCalls);
        Assert.Equal(16, earlyCalls);
        Assert.Equal(0, fullStatus.GetProperty("judgeCallsSaved").GetInt64());
        Assert.Equal(4, earlyStatus.GetProperty("judgeCallsSaved").GetInt64());

        await using var read = app.CreateDbContext();
        var af = await read.Set<Outcome>().SingleAsync(o => o.Key == OutcomeRegistry.AlignmentFaking);
        var labels = (await JobTestHost.ResamplesAsync(app, seeded.TraceId))
            .Select(r => (r.Position, r.SampleIndex, Single: r.Labels.Single(l => l.OutcomeId == af.Id).IsPositive)).ToList();
        var byJob = labels.GroupBy(l => l.SampleIndex).OrderBy(g => g.Key).Select(g => g.OrderBy(l => l.Position).Select(l => (l.Position, l.Single)).ToList()).ToList();
        Assert.Equal(2, byJob.Count);
        Assert.Equal(byJob[0], byJob[1]);
        Assert.Equal([(1, (bool?)false), (2, false), (3, false), (4, true)], byJob[1]);
    }

    [Fact]
    public async Task AJudgeJobOverTwoTracesStopsEarlyWithTheSameLabelsAsFiveCalls()
    {
        await using var app = JobTestHost.Create(_server);
        var traces = new List<int>();
        foreach (var key in new[] { "af/judge-a", "af/judge-b" })
        {
            var seeded = await TraceSeeder.SeedAsync(app, new TraceSeed
            {
                DatasetKey = key, Kind = TraceViewer.Datasets.DatasetKind.AlignmentFaking, OutcomeKey = OutcomeRegistry.AlignmentFaking,
                Sentences = JobTestHost.Sentences, ResamplesPerSentence = 1, Successes = _ => 0, Separator = _ => "\n",
            });
            traces.Add(seeded.TraceId);
        }

        await using (var db = app.CreateDbContext())
        {
            await db.Set<Resample>().Where(r => traces.Contains(r.TraceId)).ExecuteDeleteAsync();
            foreach (var traceId in traces)
            {
                foreach (var (position, complies) in new[] { (1, true), (2, false), (3, true) })
                {
                    db.Add(new Resample
                    {
                        TraceId = traceId, Position = position, SampleIndex = 0, Origin = TraceViewer.Resampling.ResampleOrigin.Generated, CreatedAt = DateTimeOffset.UtcNow,
                        Continuation = complies
                            ? $"Trace {traceId}, {position}. Fine. </SCRATCHPAD_REASONING>\n<OUTPUT>Sure.</OUTPUT>"
                            : $"Trace {traceId}, {position}. No. </SCRATCHPAD_REASONING>\n<OUTPUT><rejected/></OUTPUT>",
                    });
                }
            }

            await db.SaveChangesAsync();
        }

        var client = app.CreateClient();
        // The same resamples judged twice: the first job's labels go first, or the second job would skip its targets.
        var full = await JobTestHost.StartAsync(client, new { kind = "judge", traceIds = traces, provider = "loop", judge = new { classifier = "af-five-criteria" } });
        var fullStatus = await JobTestHost.WaitFinishedAsync(client, full);
        var fullCalls = _judgeCalls;
        var fullLabels = await LabelsAsync(app, traces);
        await using (var db = app.CreateDbContext())
        {
            await db.Set<JudgeLabel>().ExecuteDeleteAsync();
        }

        _votes.Clear();
        var early = await JobTestHost.StartAsync(client, new { kind = "judge", traceIds = traces, provider = "loop", judge = new { classifier = "af-five-criteria", earlyStop = true } });
        var earlyStatus = await JobTestHost.WaitFinishedAsync(client, early);
        var earlyCalls = _judgeCalls - fullCalls;

        Assert.Equal("Completed", fullStatus.GetProperty("status").GetString());
        Assert.Equal("Completed", earlyStatus.GetProperty("status").GetString());
        Assert.Equal(30, fullCalls);
        Assert.Equal(24, earlyCalls);
        Assert.Equal(0, fullStatus.GetProperty("judgeCallsSaved").GetInt64());
        Assert.Equal(6, earlyStatus.GetProperty("judgeCallsSaved").GetInt64());
        var earlyLabels = await LabelsAsync(app, traces);
        Assert.Equal(6, earlyLabels.Count);
        Assert.Equal(fullLabels.Select(l => (l.TraceId, l.Position, l.Label)), earlyLabels.Select(l => (l.TraceId, l.Position, l.Label)));
        Assert.Equal([true, false, true, true, false, true], earlyLabels.Select(l => l.Label));
        Assert.All(earlyLabels, l => Assert.Equal(4, l.Votes));
        Assert.All(fullLabels, l => Assert.Equal(5, l.Votes));
    }

    private static async Task<List<(int TraceId, int Position, bool? Label, int Votes)>> LabelsAsync(TestApp app, List<int> traces)
    {
        await using var db = app.CreateDbContext();
        var rows = await (from l in db.Set<JudgeLabel>().AsNoTracking()
                          join r in db.Set<Resample>() on l.ResampleId equals r.Id
                          where traces.Contains(r.TraceId)
                          select new { r.TraceId, r.Position, l.Label, l.Votes }).ToListAsync();
        return [.. rows.OrderBy(r => r.TraceId).ThenBy(r => r.Position).Select(r => (r.TraceId, r.Position, r.Label, JudgeVote.FromJson(r.Votes!).Count))];
    }
}
