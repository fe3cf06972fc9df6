using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Judging;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;

namespace TraceViewer.Tests.Traces;

/// <summary><c>GET /api/traces/{id}/resamples/{resampleId}</c> on the real app and a real SQLite file.</summary>
public sealed class ResampleApiTests(TestApp app) : IClassFixture<TestApp>
{
    private async Task<JsonElement> GetAsync(string path)
    {
        using var json = JsonDocument.Parse(await app.CreateClient().GetStringAsync(path));
        return json.RootElement.Clone();
    }

    [Fact]
    public async Task AGeneratedResampleOpensInFullWithItsSource()
    {
        var seeded = await JudgedResampleSeeder.SeedAsync(app);

        var root = await GetAsync($"/api/traces/{seeded.Trace.TraceId}/resamples/{seeded.ResampleId}");

        Assert.Equal(seeded.ResampleId, root.GetProperty("id").GetInt64());
        Assert.Equal(seeded.Trace.TraceId, root.GetProperty("traceId").GetInt32());
        Assert.Equal(1, root.GetProperty("position").GetInt32());
        Assert.Equal(2, root.GetProperty("sampleIndex").GetInt32());
        Assert.Equal(seeded.FirstSentence, root.GetProperty("firstSentence").GetString());
        Assert.Equal(JudgedResampleSeeder.Continuation, root.GetProperty("continuation").GetString());
        Assert.Equal(JudgedResampleSeeder.FinalOutput, root.GetProperty("finalOutput").GetString());
        var source = root.GetProperty("source");
        Assert.Equal("generated", source.GetProperty("origin").GetString());
        Assert.Equal(77, source.GetProperty("jobId").GetInt64());
        Assert.Equal("loop", source.GetProperty("provider").GetString());
        Assert.Equal("judge-target-7b", source.GetProperty("model").GetString());
        Assert.Equal(120, source.GetProperty("promptTokens").GetInt32());
        Assert.Equal(40, source.GetProperty("completionTokens").GetInt32());
        var parameters = source.GetProperty("parameters");
        Assert.Equal("0.7", parameters.GetProperty("temperature").GetString());
        Assert.Equal("512", parameters.GetProperty("maxTokens").GetString());
        Assert.Equal("stop", parameters.GetProperty("finishReason").GetString());
        Assert.False(parameters.TryGetProperty("jobId", out _));
    }

    [Fact]
    public async Task EveryLabelCarriesItsClassifierAndEveryVoteWithRawReplyAndParsedCriteria()
    {
        var seeded = await JudgedResampleSeeder.SeedAsync(app);
        var classifier = JudgeClassifiers.AlignmentFakingFiveCriteria;

        var root = await GetAsync($"/api/traces/{seeded.Trace.TraceId}/resamples/{seeded.ResampleId}");

        var labels = root.GetProperty("labels").EnumerateArray().ToList();
        Assert.Equal([OutcomeRegistry.AlignmentFaking, OutcomeRegistry.Compliance], labels.Select(l => l.GetProperty("outcome").GetString()));
        var faking = labels[0];
        Assert.Equal("0.5", faking.GetProperty("value").GetString());
        Assert.True(faking.GetProperty("isPositive").GetBoolean());
        var judgement = Assert.Single(faking.GetProperty("judgements").EnumerateArray());
        Assert.Equal(seeded.JudgeLabelId, judgement.GetProperty("id").GetInt64());
        Assert.Equal(classifier.Name, judgement.GetProperty("classifier").GetString());
        Assert.Equal(classifier.Version, judgement.GetProperty("version").GetString());
        Assert.Equal(classifier.PromptHash, judgement.GetProperty("promptHash").GetString());
        Assert.Equal(0.5, judgement.GetProperty("score").GetDouble());
        Assert.Equal(0.5, judgement.GetProperty("threshold").GetDouble());
        Assert.True(judgement.GetProperty("label").GetBoolean());
        Assert.Equal(classifier.Criteria.Select(c => c.Key), judgement.GetProperty("criterionKeys").EnumerateArray().Select(k => k.GetString()));
        // The whole rule the votes were aggregated by: a score of 0.5 passes this label's "at least 0.5", so its tie is yes.
        Assert.True(judgement.GetProperty("thresholdInclusive").GetBoolean());
        Assert.Equal(0.5, judgement.GetProperty("maxFailedShare").GetDouble());
        Assert.Equal("yes when at least half of the parsed votes say yes, a tie is yes; undetermined when more than half of the votes fail",
            judgement.GetProperty("aggregation").GetString());

        var votes = judgement.GetProperty("votes").EnumerateArray().ToList();
        Assert.Equal([JudgedResampleSeeder.YesReply, JudgedResampleSeeder.ScriptReply, JudgedResampleSeeder.GarbledReply], votes.Select(v => v.GetProperty("raw").GetString()));
        Assert.Equal([true, true, true, true, true], votes[0].GetProperty("criteria").EnumerateArray().Select(c => c.GetBoolean()));
        Assert.True(votes[0].GetProperty("verdict").GetBoolean());
        Assert.Equal([true, false, true, true, true], votes[1].GetProperty("criteria").EnumerateArray().Select(c => c.GetBoolean()));
        Assert.False(votes[1].GetProperty("verdict").GetBoolean());
        Assert.Equal(JsonValueKind.Null, votes[2].GetProperty("criteria").ValueKind);
        Assert.Equal(JsonValueKind.Null, votes[2].GetProperty("verdict").ValueKind);
        Assert.False(string.IsNullOrEmpty(votes[2].GetProperty("failure").GetString()));

        var compliance = labels[1];
        Assert.Equal("marker:yes", compliance.GetProperty("value").GetString());
        Assert.Empty(compliance.GetProperty("judgements").EnumerateArray());
    }

    [Fact]
    public async Task AnImportedResampleSaysSoAndHasNoJudgements()
    {
        var seeded = await JudgedResampleSeeder.SeedAsync(app);
        await using var db = app.CreateDbContext();
        var imported = await db.Set<Resample>().AsNoTracking().SingleAsync(r => r.TraceId == seeded.Trace.TraceId && r.Position == 0 && r.SampleIndex == 1);

        var root = await GetAsync($"/api/traces/{seeded.Trace.TraceId}/resamples/{imported.Id}");

        Assert.Equal(0, root.GetProperty("position").GetInt32());
        Assert.Equal(1, root.GetProperty("sampleIndex").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("continuation").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("finalOutput").ValueKind);
        var source = root.GetProperty("source");
        Assert.Equal("imported", source.GetProperty("origin").GetString());
        Assert.Equal(JsonValueKind.Null, source.GetProperty("jobId").ValueKind);
        Assert.Empty(source.GetProperty("parameters").EnumerateObject());
        Assert.Empty(root.GetProperty("labels").EnumerateArray());
    }

    [Fact]
    public async Task StoredVotesThatAreNotAListAreKeptVerbatim()
    {
        var seeded = await JudgedResampleSeeder.SeedAsync(app);
        await using (var db = app.CreateDbContext())
        {
            var label = await db.Set<JudgeLabel>().SingleAsync(l => l.Id == seeded.JudgeLabelId);
            label.Votes = "{not json";
            await db.SaveChangesAsync();
        }

        var root = await GetAsync($"/api/traces/{seeded.Trace.TraceId}/resamples/{seeded.ResampleId}");

        var judgement = root.GetProperty("labels")[0].GetProperty("judgements")[0];
        Assert.Empty(judgement.GetProperty("votes").EnumerateArray());
        Assert.Equal("{not json", judgement.GetProperty("unreadableVotes").GetString());
    }

    [Fact]
    public async Task ALabelStoredWithoutItsRuleSaysWhichPartsAreUnknown()
    {
        var seeded = await JudgedResampleSeeder.SeedAsync(app);
        await using (var db = app.CreateDbContext())
        {
            var label = await db.Set<JudgeLabel>().SingleAsync(l => l.Id == seeded.JudgeLabelId);
            (label.ThresholdInclusive, label.MaxFailedShare) = (null, null);
            await db.SaveChangesAsync();
        }

        var root = await GetAsync($"/api/traces/{seeded.Trace.TraceId}/resamples/{seeded.ResampleId}");

        var judgement = root.GetProperty("labels")[0].GetProperty("judgements")[0];
        Assert.Equal(JsonValueKind.Null, judgement.GetProperty("thresholdInclusive").ValueKind);
        Assert.Equal("yes when the share of yes votes passes 0.5 (whether a share equal to it counts was not stored); share of failed votes allowed not stored",
            judgement.GetProperty("aggregation").GetString());
    }

    [Theory]
    [InlineData("unknown-resample")]
    [InlineData("other-trace")]
    [InlineData("unknown-trace")]
    public async Task UnknownIdsAreAProblemDetails404(string which)
    {
        var seeded = await JudgedResampleSeeder.SeedAsync(app);
        var other = await TraceSeeder.SeedAsync(app, new TraceSeed { ResamplesPerSentence = 1, Successes = i => i % 2 });
        var path = which switch
        {
            "unknown-resample" => $"/api/traces/{seeded.Trace.TraceId}/resamples/987654321",
            "other-trace" => $"/api/traces/{other.TraceId}/resamples/{seeded.ResampleId}",
            _ => $"/api/traces/424242/resamples/{seeded.ResampleId}",
        };

        var response = await app.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("Resample not found", json.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task OpenApiDocumentDescribesTheResampleEndpoint()
    {
        var root = await GetAsync("/openapi/v1.json");

        var get = root.GetProperty("paths").GetProperty("/api/traces/{id}/resamples/{resampleId}").GetProperty("get");
        Assert.Equal("GetResample", get.GetProperty("operationId").GetString());
        Assert.Contains("404", get.GetProperty("responses").EnumerateObject().Select(r => r.Name));
        Assert.True(root.GetProperty("components").GetProperty("schemas").TryGetProperty("JudgeVoteView", out _));
    }
}
