using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Jobs;
using TraceViewer.Judging;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;

namespace TraceViewer.Tests.Jobs;

/// <summary>
/// "Stop once the majority is decided" for the five-criteria judge that labels alignment faking on new resamples: the
/// same labels as five calls, fewer calls, and the calls saved counted on the job.
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
            DatasetKey = "af/early-stop", Kind = "alignment-faking", OutcomeKey = OutcomeRegistry.AlignmentFaking,
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
}
