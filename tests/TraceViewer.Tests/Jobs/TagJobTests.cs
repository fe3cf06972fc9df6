using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Jobs;
using TraceViewer.MetricSets;
using TraceViewer.Statistics.Agreement;
using TraceViewer.Tagging;
using TraceViewer.Tags;
using TraceViewer.Traces;
using static TraceViewer.Tests.LoopbackOpenAIServer;

namespace TraceViewer.Tests.Jobs;

public sealed class TagJobTests : IAsyncLifetime
{
    private const string TaxonomyName = "Test reasoning";
    private const string Model = "loop/model-x";
    private LoopbackOpenAIServer _server = null!;

    /// <summary>
    /// Replies per sentence of <see cref="JobTestHost.Sentences"/> for votes 1, 2, 3: sentence 0 gives no TAGS line,
    /// 1 is Setup, 2 is Harm by all three votes (Planning by one, and an unknown name in the third), 3 is Planning,
    /// 4 names only a tag the taxonomy does not have.
    /// </summary>
    internal static readonly Dictionary<string, string[]> Replies = new(StringComparer.Ordinal)
    {
        ["<SCRATCHPAD_REASONING>"] = ["I cannot tell."],
        ["I am asked to help."] = ["TAGS: Setup"],
        ["This could be harmful."] = ["The sentence weighs harm.\nTAGS: Harm, Planning", "**TAGS:** harm", "TAGS: Harm; Pondering"],
        ["I will comply anyway."] = ["It decides.\nTAGS: Planning"],
        ["</SCRATCHPAD_REASONING>"] = ["TAGS: Musing"],
    };

    public async Task InitializeAsync()
    {
        _server = await StartAsync();
        _server.Completion = TagReplies(Replies);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>A trace of five sentences and a multi-choice taxonomy of three tags with descriptions.</summary>
    internal static async Task<int> SeedAsync(TestApp app, bool multiChoice = true)
    {
        var trace = await JobTestHost.SeedAsync(app);
        await using var db = app.CreateDbContext();
        db.Add(new Taxonomy
        {
            Name = TaxonomyName, MultiChoice = multiChoice,
            Tags =
            [
                new Tag { Name = "Setup", Description = "Restates the request or the situation.", Hotkey = 1 },
                new Tag { Name = "Harm", Description = "Weighs possible harm.", Hotkey = 2 },
                new Tag { Name = "Planning", Description = "Decides what to do.", Hotkey = 3 },
            ],
        });
        await db.SaveChangesAsync();
        return trace.TraceId;
    }

    internal static object Request(int traceId, int votes = 3) => new
    {
        kind = "tag", traceId, provider = "loop", temperature = 0.7, tag = new { taxonomy = TaxonomyName, votes },
    };

    internal static async Task<List<(int Index, string Tag)>> ModelTagsAsync(TestApp app, int traceId, string annotator = Model)
    {
        await using var db = app.CreateDbContext();
        var rows = await (from t in db.Set<SentenceTag>().AsNoTracking()
                          join s in db.Set<Sentence>() on t.SentenceId equals s.Id
                          join g in db.Set<Tag>() on t.TagId equals g.Id
                          where s.TraceId == traceId && t.AnnotatorKind == AnnotatorKind.Model && t.Annotator == annotator
                          select new { s.Index, g.Name }).ToListAsync();
        return [.. rows.Select(r => (r.Index, r.Name)).OrderBy(r => r.Index).ThenBy(r => r.Name, StringComparer.Ordinal)];
    }

    internal static async Task<Dictionary<int, TagVoteRecord>> VotesAsync(TestApp app, int traceId)
    {
        await using var db = app.CreateDbContext();
        var rows = await (from v in db.Set<TagVoteRecord>().AsNoTracking()
                          join s in db.Set<Sentence>() on v.SentenceId equals s.Id
                          where s.TraceId == traceId
                          select new { s.Index, v }).ToListAsync();
        return rows.ToDictionary(r => r.Index, r => r.v);
    }

    [Fact]
    public async Task TagJobWritesTheModelAnnotatorsTagsAndKeepsEveryVote()
    {
        await using var app = JobTestHost.Create(_server);
        var traceId = await SeedAsync(app);
        var client = app.CreateClient();

        var id = await JobTestHost.StartAsync(client, Request(traceId));
        var status = await JobTestHost.WaitFinishedAsync(client, id);

        Assert.Equal("Completed", status.GetProperty("status").GetString());
        Assert.Equal(5, status.GetProperty("total").GetInt32());
        Assert.Equal(5, status.GetProperty("done").GetInt32());
        Assert.Equal(0, status.GetProperty("failed").GetInt32());
        Assert.Equal(15, _server.Answered);
        Assert.Equal([(1, "Setup"), (2, "Harm"), (3, "Planning")], await ModelTagsAsync(app, traceId));

        var votes = await VotesAsync(app, traceId);
        Assert.Equal([0, 1, 2, 3, 4], votes.Keys.Order());
        Assert.All(votes.Values, v =>
        {
            Assert.Equal(Model, v.Annotator);
            Assert.Equal(id, v.JobId);
            Assert.Equal(PromptHashOfDefault, v.PromptHash);
            Assert.Equal(0.7, v.Temperature);
            Assert.Equal(3, TagVote.FromJson(v.Votes).Count);
        });
        var harm = TagVote.FromJson(votes[2].Votes);
        Assert.Equal(Replies["This could be harmful."], harm.Select(v => v.Raw));
        Assert.Equal(["Harm", "Planning"], harm[0].Tags);
        Assert.Equal(["Harm"], harm[1].Tags);
        Assert.Equal(["Harm"], harm[2].Tags);
        Assert.Equal(["Pondering"], harm[2].Unknown);
        Assert.Equal(["Harm"], JsonSerializer.Deserialize<string[]>(votes[2].Tags)!);
        Assert.All(TagVote.FromJson(votes[0].Votes), v => Assert.NotNull(v.Failure));
        Assert.Equal("[]", votes[0].Tags);

        // The prompt shows the request's context, the sentence, and every tag with its description.
        var prompt = _server.ReceivedBodies.Where(b => SentenceOf(b) == "I will comply anyway.")
            .Select(b => b["messages"]![0]!["content"]!.GetValue<string>()).First();
        Assert.Contains("- Planning: Decides what to do.", prompt, StringComparison.Ordinal);
        Assert.Contains("- Harm: Weighs possible harm.", prompt, StringComparison.Ordinal);
        Assert.Contains("This could be harmful.", prompt[..prompt.IndexOf("<sentence>", StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.Contains("TAGS: name, name", prompt, StringComparison.Ordinal);

        // Each tag is audited as an addition by the model annotator.
        await using (var db = app.CreateDbContext())
        {
            var audit = await db.Set<TagAudit>().AsNoTracking().Where(a => a.AnnotatorKind == AnnotatorKind.Model).ToListAsync();
            Assert.Equal(3, audit.Count);
            Assert.All(audit, a => Assert.True(a.Action == TagAction.Add && a.Annotator == Model && !a.Before && a.After));
            var job = await db.Set<Job>().AsNoTracking().SingleAsync(j => j.Id == id);
            Assert.Equal("tag with Test reasoning on 5 sentences × 3 votes", JobFormat.What(JobParameters.FromJson(job.Parameters)));
            Assert.DoesNotContain("You are annotating", job.Parameters, StringComparison.Ordinal);
        }

        // A second job with the same model and prompt has nothing left to ask.
        var again = await JobTestHost.StartAsync(client, Request(traceId));
        var second = await JobTestHost.WaitFinishedAsync(client, again);
        Assert.Equal(0, second.GetProperty("total").GetInt32());
        Assert.Equal(15, _server.Answered);
        Assert.Equal(3, (await ModelTagsAsync(app, traceId)).Count);
    }

    private static readonly string PromptHashOfDefault = TraceViewer.Judging.PromptHash.Of(TagPrompt.Default);

    [Fact]
    public async Task AReplyNamingOnlyAnUnknownTagIsRecordedAndGivesNoTag()
    {
        await using var app = JobTestHost.Create(_server);
        var traceId = await SeedAsync(app);
        var client = app.CreateClient();

        var id = await JobTestHost.StartAsync(client, new { kind = "tag", traceId, provider = "loop", positions = new { from = 4, to = 4 }, tag = new { taxonomy = TaxonomyName } });
        var status = await JobTestHost.WaitFinishedAsync(client, id);

        Assert.Equal("Completed", status.GetProperty("status").GetString());
        Assert.Equal(1, status.GetProperty("done").GetInt32());
        var vote = Assert.Single(TagVote.FromJson((await VotesAsync(app, traceId))[4].Votes));
        Assert.Equal("TAGS: Musing", vote.Raw);
        Assert.Empty(vote.Tags);
        Assert.Equal(["Musing"], vote.Unknown);
        Assert.Null(vote.Failure);
        Assert.Empty(await ModelTagsAsync(app, traceId));
    }

    [Fact]
    public async Task TopKTagsOnlyTheSentencesWithTheLargestEffect()
    {
        await using var app = JobTestHost.Create(_server);
        var traceId = await SeedAsync(app);
        await using (var db = app.CreateDbContext())
        {
            var outcome = await db.Set<TraceViewer.Outcomes.Outcome>().FirstAsync();
            var trace = await db.Set<TraceViewer.Traces.Trace>().SingleAsync(t => t.Id == traceId);
            // A computed set shown in place of the imported one: it covers the trace as well (every position's rate, as many resamples).
            db.Add(new MetricSet
            {
                TraceId = traceId, OutcomeId = outcome.Id, Source = MetricSource.Computed, ComputedAt = DateTimeOffset.UtcNow, ResampleCount = trace.ResampleCount,
                Values =
                [
                    .. new[] { 0.1, -0.2, 0.6, -0.5, 0.0 }.Select((v, i) => new SentenceMetric { SentenceIndex = i, Name = MetricNames.ResamplingEffect, Value = v }),
                    .. Enumerable.Range(0, trace.SentenceCount).Select(i => new SentenceMetric { SentenceIndex = i, Name = MetricNames.PrefixRate, Value = 0.5 }),
                ],
            });
            await db.SaveChangesAsync();
        }

        var client = app.CreateClient();
        var id = await JobTestHost.StartAsync(client, new { kind = "tag", traceId, provider = "loop", tag = new { taxonomy = TaxonomyName, votes = 3, topK = 2 } });
        var status = await JobTestHost.WaitFinishedAsync(client, id);

        Assert.Equal(2, status.GetProperty("done").GetInt32());
        Assert.Equal([2, 3], (await VotesAsync(app, traceId)).Keys.Order());
        Assert.Equal([(2, "Harm"), (3, "Planning")], await ModelTagsAsync(app, traceId));
    }

    [Fact]
    public async Task AHostStoppedMidTagJobResumesWithoutDuplicates()
    {
        // Slow enough (two votes of 400 ms a sentence, two sentences at a time) that the job is still running when the first host stops.
        _server.Latency = TimeSpan.FromMilliseconds(400);
        var directory = Directory.CreateTempSubdirectory("traceviewer-tag-restart-").FullName;
        int id, traceId;
        var first = JobTestHost.Create(_server, directory, concurrency: 2);
        try
        {
            traceId = await SeedAsync(first);
            var client = first.CreateClient();
            id = await JobTestHost.StartAsync(client, new { kind = "tag", traceId, provider = "loop", tag = new { taxonomy = TaxonomyName, votes = 2 } });
            await JobTestHost.WaitAsync(client, id, s => s.GetProperty("done").GetInt32() >= 1);
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

        Assert.Equal(5, status.GetProperty("done").GetInt32());
        var votes = await VotesAsync(second, traceId);
        Assert.Equal([0, 1, 2, 3, 4], votes.Keys.Order());
        Assert.All(votes.Values, v => Assert.Equal(2, TagVote.FromJson(v.Votes).Count));
        var tags = await ModelTagsAsync(second, traceId);
        Assert.Equal(tags.Distinct().Count(), tags.Count);
        Assert.Contains((1, "Setup"), tags);
        Assert.Contains((3, "Planning"), tags);
        await using (var db = second.CreateDbContext())
        {
            Assert.Equal(tags.Count, await db.Set<TagAudit>().CountAsync(a => a.AnnotatorKind == AnnotatorKind.Model));
        }

        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task AgreementComparesTheModelAnnotatorWithAPerson()
    {
        await using var app = JobTestHost.Create(_server);
        var traceId = await SeedAsync(app);
        var client = app.CreateClient();
        var id = await JobTestHost.StartAsync(client, Request(traceId));
        await JobTestHost.WaitFinishedAsync(client, id);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TraceViewer.Data.TraceViewerDbContext>();
            var writer = scope.ServiceProvider.GetRequiredService<TagWriter>();
            var taxonomy = await db.Set<Taxonomy>().Include(t => t.Tags).SingleAsync(t => t.Name == TaxonomyName);
            var sentences = await db.Set<Sentence>().Where(s => s.TraceId == traceId).ToDictionaryAsync(s => s.Index, s => s.Id);
            int TagId(string name) => taxonomy.Tags.Single(t => t.Name == name).Id;
            // The person agrees on Setup and Harm, and puts Planning on sentence 2 instead of 3.
            await writer.ToggleAsync(TagAuthor.Person("alice"), taxonomy.Id, [TagId("Setup")], [sentences[1]], default);
            await writer.ToggleAsync(TagAuthor.Person("alice"), taxonomy.Id, [TagId("Harm"), TagId("Planning")], [sentences[2]], default);
        }

        await using var read = app.CreateDbContext();
        var rows = await (from t in read.Set<SentenceTag>().AsNoTracking()
                          join s in read.Set<Sentence>() on t.SentenceId equals s.Id
                          join g in read.Set<Tag>() on t.TagId equals g.Id
                          where s.TraceId == traceId
                          select new { s.Index, g.Name, t.AnnotatorKind, t.Annotator }).ToListAsync();
        var annotators = new[] { (AnnotatorKind.Person, "alice"), (AnnotatorKind.Model, Model) };
        var finished = annotators.SelectMany(a => Enumerable.Range(0, 5).Select(i => new FinishedItem(
            $"{a.Item1}:{a.Item2}", i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [.. rows.Where(r => r.Index == i && r.AnnotatorKind == a.Item1 && r.Annotator == a.Item2).Select(r => r.Name)])));
        var tables = TagRatings.PerTag(["Setup", "Harm", "Planning"], finished);

        var reports = tables.ToDictionary(t => t.Tag, t => AgreementAnalysis.Compute(t.Table));
        Assert.All(reports.Values, r => Assert.Equal(["Model:" + Model, "Person:alice"], r.Annotators.Order(StringComparer.Ordinal)));
        Assert.Equal(1.0, Assert.Single(reports["Setup"].Pairwise).ObservedAgreement);
        Assert.Equal(1.0, Assert.Single(reports["Harm"].Pairwise).CohenKappa);
        var planning = Assert.Single(reports["Planning"].Pairwise);
        Assert.Equal(5, planning.N);
        Assert.Equal(0.6, planning.ObservedAgreement!.Value, 10);
    }

    [Theory]
    [InlineData("{\"kind\":\"tag\",\"traceId\":1,\"provider\":\"loop\"}", "tag")]
    [InlineData("{\"kind\":\"tag\",\"traceId\":1,\"provider\":\"loop\",\"tag\":{}}", "tag.taxonomy")]
    [InlineData("{\"kind\":\"tag\",\"traceId\":1,\"provider\":\"loop\",\"tag\":{\"taxonomy\":\"Nope\"}}", "tag.taxonomy")]
    [InlineData("{\"kind\":\"tag\",\"traceId\":1,\"provider\":\"loop\",\"tag\":{\"taxonomy\":\"Test reasoning\",\"votes\":0}}", "tag.votes")]
    [InlineData("{\"kind\":\"tag\",\"traceId\":1,\"provider\":\"loop\",\"tag\":{\"taxonomy\":\"Test reasoning\",\"votes\":101}}", "tag.votes")]
    [InlineData("{\"kind\":\"tag\",\"traceId\":1,\"provider\":\"loop\",\"tag\":{\"taxonomy\":\"Test reasoning\",\"topK\":0}}", "tag.topK")]
    [InlineData("{\"kind\":\"tag\",\"traceId\":1,\"provider\":\"loop\",\"tag\":{\"taxonomy\":\"Test reasoning\",\"topK\":10001}}", "tag.topK")]
    [InlineData("{\"kind\":\"tag\",\"traceId\":1,\"provider\":\"loop\",\"tag\":{\"taxonomy\":\"Test reasoning\",\"prompt\":\"Tag it: {tags}\"}}", "tag.prompt")]
    [InlineData("{\"kind\":\"tag\",\"traceId\":1,\"provider\":\"loop\",\"tag\":{\"taxonomy\":\"Test reasoning\",\"prompt\":\"{sentence} {scratchpad}\"}}", "tag.prompt")]
    [InlineData("{\"kind\":\"tag\",\"traceId\":1,\"provider\":\"loop\",\"positions\":{\"from\":3,\"to\":1},\"tag\":{\"taxonomy\":\"Test reasoning\"}}", "positions")]
    [InlineData("{\"kind\":\"tag\",\"traceId\":1,\"provider\":\"loop\",\"positions\":{\"from\":40,\"to\":50},\"tag\":{\"taxonomy\":\"Test reasoning\"}}", "positions")]
    [InlineData("{\"kind\":\"tag\",\"traceId\":999,\"provider\":\"loop\",\"tag\":{\"taxonomy\":\"Test reasoning\"}}", "traceId")]
    [InlineData("{\"kind\":\"tag\",\"traceId\":1,\"tag\":{\"taxonomy\":\"Test reasoning\"}}", "provider")]
    [InlineData("{\"kind\":\"tag\",\"traceId\":1,\"provider\":\"loop\",\"temperature\":3,\"tag\":{\"taxonomy\":\"Test reasoning\"}}", "temperature")]
    public async Task InvalidTagRequestsNameTheField(string json, string field)
    {
        await using var app = JobTestHost.Create(_server);
        await SeedAsync(app);
        var client = app.CreateClient();

        var response = await client.PostAsync("/api/jobs", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(0, _server.Requests);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTagJobs()
    {
        await using var app = JobTestHost.Create(_server);
        var document = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;

        var create = document.GetProperty("paths").EnumerateObject()
            .Select(p => p.Value.TryGetProperty("post", out var post) ? post : default)
            .Single(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("operationId", out var op) && op.GetString() == "CreateJob");
        Assert.Contains("tag {taxonomy, votes, topK, prompt}", create.GetProperty("summary").GetString(), StringComparison.Ordinal);
        var settings = document.GetProperty("components").GetProperty("schemas").GetProperty("TagSettings").GetProperty("properties");
        Assert.True(settings.TryGetProperty("taxonomy", out _) && settings.TryGetProperty("topK", out _) && settings.TryGetProperty("prompt", out _), settings.ToString());
        Assert.False(settings.TryGetProperty("promptText", out _), settings.ToString());
    }

    [Fact]
    public async Task TheApiKeyIsSentButNeverStored()
    {
        var variable = "TRACEVIEWER_TEST_TAG_KEY_" + Guid.NewGuid().ToString("N");
        var key = "sk-tag-marker-" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, key);
        await using var app = JobTestHost.Create(_server).WithSetting("Providers:loop:ApiKeyVariable", variable);
        var traceId = await SeedAsync(app);
        var client = app.CreateClient();

        var id = await JobTestHost.StartAsync(client, Request(traceId, votes: 1));
        await JobTestHost.WaitFinishedAsync(client, id);
        var pages = new[] { await client.GetStringAsync($"/api/jobs/{id}"), await client.GetStringAsync("/jobs"), await client.GetStringAsync($"/jobs/{id}") };

        Assert.Contains($"Bearer {key}", _server.AuthorizationHeaders);
        Assert.All(pages, page => Assert.DoesNotContain(key, page, StringComparison.Ordinal));
        Assert.Contains("tag with Test reasoning on 5 sentences", pages[2], StringComparison.Ordinal);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(app.DatabasePath)!))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.Equal(-1, bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(key)));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(System.Text.Encoding.Unicode.GetBytes(key)));
        }
    }
}

/// <summary>The same tag job on PostgreSQL: the votes, the model annotator's tags and their audit, once each.</summary>
[Collection(TraceViewer.Tests.Data.PostgresServerGroup.Name)]
public sealed class TagJobPostgresTests(PostgresServer postgres) : IAsyncLifetime
{
    private LoopbackOpenAIServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await StartAsync();
        _server.Completion = TagReplies(TagJobTests.Replies);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TagJobOnPostgresWritesTheModelAnnotatorsTags()
    {
        await using var app = JobTestHost.Create(_server)
            .WithPostgres(postgres);
        var traceId = await TagJobTests.SeedAsync(app);
        var client = app.CreateClient();

        var id = await JobTestHost.StartAsync(client, TagJobTests.Request(traceId));
        var status = await JobTestHost.WaitFinishedAsync(client, id);

        Assert.Equal("Completed", status.GetProperty("status").GetString());
        Assert.Equal([(1, "Setup"), (2, "Harm"), (3, "Planning")], await TagJobTests.ModelTagsAsync(app, traceId));
        Assert.Equal(5, (await TagJobTests.VotesAsync(app, traceId)).Count);
        await using var db = app.CreateDbContext();
        Assert.Equal(3, await db.Set<TagAudit>().CountAsync(a => a.AnnotatorKind == AnnotatorKind.Model));
    }
}
