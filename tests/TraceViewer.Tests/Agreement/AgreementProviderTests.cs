using System.Globalization;
using System.Net;
using System.Text.Json;
using TraceViewer.Agreement;
using TraceViewer.Judging;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;
using TraceViewer.Statistics.Agreement;
using TraceViewer.Tags;
using TraceViewer.Tests.Data;

namespace TraceViewer.Tests.Agreement;

/// <summary>The agreement queries on each provider: tags, verdicts and judge labels on traces and on a resample.</summary>
public abstract class AgreementProviderTests(PostgresServer? postgres) : ProviderAppTests(postgres)
{
    [Fact]
    public async Task TheApiComputesTagsAndTheJudgeFromTheDatabaseRows()
    {
        SeededAnnotator[] annotators = [new(AnnotatorKind.Person, "ann"), new(AnnotatorKind.Model, "m")];
        var seed = new AgreementSeed
        {
            Traces = 2, SentencesPerTrace = 6, Tags = ["plan", "doubt"], Annotators = annotators,
            TagsOf = (a, s) => s % 3 == 0 ? ["plan", "doubt"] : (s + a) % 2 == 0 ? ["plan"] : ["doubt"],
            SentenceText = s => new string('x', 300) + s,
        };
        var seeded = await AgreementSeeder.SeedAsync(App, seed);
        await AgreementSeeder.SeedVerdictsAsync(App, seeded, [("ann", 0, true), ("bo", 0, true), ("ann", 1, false), ("bo", 1, true)], "j", [(0, true), (1, false)]);
        long resampleId;
        await using (var db = App.CreateDbContext())
        {
            var resample = new Resample { TraceId = seeded.TraceIds[1], Position = 4, SampleIndex = 0, Origin = TraceViewer.Resampling.ResampleOrigin.Imported };
            db.Add(resample);
            await db.SaveChangesAsync();
            resampleId = resample.Id;
            var faking = await db.GetOrAddAsync(OutcomeRegistry.AlignmentFaking, CancellationToken.None);
            db.Add(new HumanVerdict { TraceId = seeded.TraceIds[1], ResampleId = resampleId, Annotator = "ann", Verdict = true });
            db.Add(new JudgeLabel { ResampleId = resampleId, OutcomeId = faking.Id, Classifier = "j", Label = false });
            await db.SaveChangesAsync();
        }

        var response = await App.CreateClient().GetAsync($"/api/agreement?dataset={seeded.DatasetId}&taxonomy={seeded.TaxonomyId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var finished = annotators.Select((a, i) => (a.Key, i)).OrderBy(x => x.Key, StringComparer.Ordinal)
            .SelectMany(x => seeded.Sentences.Select((s, n) => new FinishedItem(x.Key, s.Id.ToString(CultureInfo.InvariantCulture), seed.TagsOf(x.i, n))))
            .ToList();
        var expected = TagRatings.PerTag(seed.Tags, finished).Select(t => AgreementAnalysis.Compute(t.Table, AgreementComputation.Bootstrap)).ToList();
        var tags = json.RootElement.GetProperty("tags").GetProperty("tags").EnumerateArray().ToList();
        Assert.Equal(expected.Select(e => e.Pairwise[0].CohenKappa), tags.Select(t => (double?)t.GetProperty("pairs")[0].GetProperty("kappa").GetProperty("value").GetDouble()));
        var text = tags[0].GetProperty("disagreements")[0].GetProperty("text").GetString()!;
        Assert.Equal(240, text.Length);

        var judge = json.RootElement.GetProperty("judge");
        Assert.Equal("Judge:j", judge.GetProperty("judge").GetString());
        // Three targets: trace 0 (both yes, judge yes), trace 1 (tied, judge no), the resample (ann yes, judge no).
        Assert.Equal(3, judge.GetProperty("items").GetInt32());
        var majority = judge.GetProperty("majority");
        Assert.Equal((1, 1, 0, 1), (majority.GetProperty("truePositives").GetInt32(), majority.GetProperty("tied").GetInt32(),
            majority.GetProperty("falsePositives").GetInt32(), majority.GetProperty("falseNegatives").GetInt32()));
        var resampleLink = judge.GetProperty("withJudge").GetProperty("disagreements").EnumerateArray()
            .Select(d => d.GetProperty("href").GetString()).ToList();
        Assert.Contains($"/traces/{seeded.TraceIds[1]}/sentences/4", resampleLink);
    }
}

public sealed class SqliteAgreementProviderTests() : AgreementProviderTests(null);

[Collection(PostgresServerGroup.Name)]
public sealed class PostgresAgreementProviderTests(PostgresServer server) : AgreementProviderTests(server);
