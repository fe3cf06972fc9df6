using System.Globalization;
using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using TraceViewer.Agreement;
using TraceViewer.Statistics.Agreement;
using TraceViewer.Tags;

namespace TraceViewer.Tests.Agreement;

/// <summary>The agreement page and <c>GET /api/agreement</c> against the pure statistics computed from the same rows.</summary>
public sealed class AgreementPageTests(TestApp app) : IClassFixture<TestApp>
{
    private static readonly SeededAnnotator Ann = new(AnnotatorKind.Person, "ann");
    private static readonly SeededAnnotator Model = new(AnnotatorKind.Model, "tagger-1");
    private static readonly SeededAnnotator Import = new(AnnotatorKind.Import, "source.json");

    /// <summary>Three annotators who mostly agree: each sees most sentences and copies a hidden set of tags 80% of the time.</summary>
    private static AgreementSeed ThreeAnnotators()
    {
        var random = new Random(7);
        string[] tags = ["plan", "doubt", "fact"];
        var truth = Enumerable.Range(0, 30).Select(_ => tags.Where(_ => random.NextDouble() < 0.4).ToArray()).ToArray();
        var given = new IReadOnlyList<string>[3, 30];
        for (var a = 0; a < 3; a++)
        {
            for (var s = 0; s < 30; s++)
            {
                var seen = random.NextDouble() < 0.85;
                var set = tags.Where(t => truth[s].Contains(t) ? random.NextDouble() < 0.8 : random.NextDouble() < 0.15).ToList();
                // A seen sentence carries at least one tag: that is what "seen" means.
                given[a, s] = !seen ? [] : set.Count > 0 ? set : [tags[s % 3]];
            }
        }

        return new AgreementSeed { Traces = 3, SentencesPerTrace = 10, Tags = tags, Annotators = [Ann, Model, Import], TagsOf = (a, s) => given[a, s] };
    }

    /// <summary>The same rows straight from the seed, in the page's order: annotators by key, sentences by id.</summary>
    private static IReadOnlyList<TagRatingTable> PureTables(AgreementSeed seed, SeededAgreement seeded)
    {
        var finished = seed.Annotators.Select((a, i) => (a.Key, i)).OrderBy(x => x.Key, StringComparer.Ordinal)
            .SelectMany(x => seeded.Sentences.Select((s, n) => (s.Id, Tags: seed.TagsOf(x.i, n))).Where(s => s.Tags.Count > 0).OrderBy(s => s.Id)
                .Select(s => new FinishedItem(x.Key, s.Id.ToString(CultureInfo.InvariantCulture), s.Tags)))
            .ToList();
        return TagRatings.PerTag(seed.Tags, finished);
    }

    private async Task<(string Html, IDocument Document)> GetAsync(string url)
    {
        var response = await app.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        return (html, ComponentRenderer.Parse(html));
    }

    private static string Exact(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "undefined";

    [Fact]
    public async Task EveryTagsFiguresEqualThePureStatisticsOfTheSameRows()
    {
        var seed = ThreeAnnotators();
        var seeded = await AgreementSeeder.SeedAsync(app, seed);
        var pure = PureTables(seed, seeded).ToDictionary(t => t.Tag, t => AgreementAnalysis.Compute(t.Table, AgreementComputation.Bootstrap));

        var (_, document) = await GetAsync($"/agreement?dataset={seeded.DatasetId}&taxonomy={seeded.TaxonomyId}&tag=doubt");

        var rows = document.QuerySelectorAll("tr.tag-row");
        Assert.Equal(seed.Tags, rows.Select(r => r.GetAttribute("data-tag")));
        foreach (var row in rows)
        {
            var report = pure[row.GetAttribute("data-tag")!];
            Assert.Equal(Exact(report.Krippendorff.Alpha), row.QuerySelector("td.alpha .figure")!.GetAttribute("data-value"));
            Assert.Equal(Exact(report.Fleiss!.Kappa), row.QuerySelector("td.fleiss .figure")!.GetAttribute("data-value"));
            var interval = report.Fleiss.KappaInterval!.Range!.Value;
            Assert.Equal($"[{FigureText.Format(interval.Low)}, {FigureText.Format(interval.High)}]", row.QuerySelector("td.fleiss .figure-interval")!.TextContent.Trim());
        }

        var doubt = pure["doubt"];
        var detail = document.QuerySelector("[data-testid=variable-detail]")!;
        Assert.Equal("doubt", detail.GetAttribute("data-variable"));
        var pairs = detail.QuerySelectorAll("[data-testid=pair]");
        Assert.Equal(3, pairs.Length);
        foreach (var (pair, expected) in pairs.Zip(doubt.Pairwise))
        {
            Assert.Equal((expected.A, expected.B), (pair.GetAttribute("data-a"), pair.GetAttribute("data-b")));
            Assert.Equal(expected.N.ToString(CultureInfo.InvariantCulture), pair.QuerySelector(".pair-n")!.TextContent);
            Assert.Equal(Exact(expected.CohenKappa), pair.QuerySelector(".pair-kappa .figure")!.GetAttribute("data-value"));
            Assert.Equal(Exact(expected.ObservedAgreement), pair.QuerySelector(".pair-observed .figure")!.GetAttribute("data-value"));
            var cells = pair.QuerySelectorAll("table.confusion td.cell").Select(c => int.Parse(c.TextContent, CultureInfo.InvariantCulture));
            Assert.Equal(expected.Confusion.SelectMany(r => r), cells);
        }

        // The seed has disagreements on "doubt", each linked to its sentence.
        var links = detail.QuerySelectorAll("[data-testid=disagreements] a.disagreement-link");
        Assert.NotEmpty(links);
        var sentenceLinks = seeded.Sentences.Select(s => $"/traces/{s.TraceId}/sentences/{s.Index}").ToHashSet();
        Assert.All(links, l => Assert.Contains(l.GetAttribute("href")!, sentenceLinks));
    }

    [Fact]
    public async Task TheApiAnswersTheSameNumbers()
    {
        var seed = ThreeAnnotators();
        var seeded = await AgreementSeeder.SeedAsync(app, seed);
        var pure = PureTables(seed, seeded).ToDictionary(t => t.Tag, t => AgreementAnalysis.Compute(t.Table, AgreementComputation.Bootstrap));

        var response = await app.CreateClient().GetAsync($"/api/agreement?dataset={seeded.DatasetId}&taxonomy={seeded.TaxonomyId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var tags = json.RootElement.GetProperty("tags").GetProperty("tags").EnumerateArray().ToList();
        Assert.Equal(seed.Tags, tags.Select(t => t.GetProperty("name").GetString()));
        foreach (var tag in tags)
        {
            var report = pure[tag.GetProperty("name").GetString()!];
            Assert.Equal(report.Krippendorff.Alpha, tag.GetProperty("alpha").GetProperty("value").GetDouble());
            Assert.Equal(report.Krippendorff.AlphaInterval!.Range!.Value.Low, tag.GetProperty("alpha").GetProperty("low").GetDouble());
            Assert.Equal(report.Fleiss!.Kappa, tag.GetProperty("fleiss").GetProperty("value").GetDouble());
            var pairs = tag.GetProperty("pairs").EnumerateArray().ToList();
            Assert.Equal(report.Pairwise.Select(p => p.CohenKappa), pairs.Select(p => (double?)p.GetProperty("kappa").GetProperty("value").GetDouble()));
        }

        using var openApi = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"));
        var get = openApi.RootElement.GetProperty("paths").GetProperty("/api/agreement").GetProperty("get");
        Assert.Equal("GetAgreement", get.GetProperty("operationId").GetString());
        Assert.Equal(["dataset", "taxonomy", "annotator", "judge"], get.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task ChoosingTwoAnnotatorsComparesOnlyThemAndLeavesFleissOut()
    {
        var seed = ThreeAnnotators();
        var seeded = await AgreementSeeder.SeedAsync(app, seed);

        var (_, document) = await GetAsync($"/agreement?dataset={seeded.DatasetId}&taxonomy={seeded.TaxonomyId}&annotator={Uri.EscapeDataString(Ann.Key)}&annotator={Uri.EscapeDataString(Model.Key)}");

        var chips = document.QuerySelectorAll("a.annotator-chip");
        Assert.Equal(["true", "true", "false"], chips.OrderBy(c => c.GetAttribute("data-annotator") == Import.Key).Select(c => c.GetAttribute("aria-pressed")));
        Assert.Single(document.QuerySelectorAll("[data-testid=variable-detail] [data-testid=pair]"));
        Assert.All(document.QuerySelectorAll("tr.tag-row td.fleiss"), c => Assert.Equal("—", c.TextContent.Trim()));
    }

    [Fact]
    public async Task AValueWithAZeroDenominatorIsShownAsUndefinedWithTheReason()
    {
        // Both annotators put "plan" on every sentence they saw and nothing else: "plan" is present throughout.
        var seed = new AgreementSeed { Traces = 1, SentencesPerTrace = 6, Tags = ["plan", "doubt"], Annotators = [Ann, Model], TagsOf = (_, _) => ["plan"] };
        var seeded = await AgreementSeeder.SeedAsync(app, seed);

        var (_, document) = await GetAsync($"/agreement?dataset={seeded.DatasetId}&taxonomy={seeded.TaxonomyId}&tag=plan");

        var plan = document.QuerySelector("tr.tag-row[data-tag=plan]")!;
        Assert.Equal("undefined", plan.QuerySelector("td.alpha .figure")!.GetAttribute("data-value"));
        Assert.Contains("undefined", plan.QuerySelector("td.alpha")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("every rating is the same label", plan.QuerySelector("td.alpha .figure-why")!.TextContent, StringComparison.Ordinal);
        var kappa = document.QuerySelector("[data-testid=pair] .pair-kappa")!;
        Assert.Equal("undefined", kappa.QuerySelector(".figure")!.GetAttribute("data-value"));
        Assert.Contains("chance agreement is 1", kappa.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("0.000", kappa.TextContent, StringComparison.Ordinal);
        // Observed agreement is defined: they agree on all six.
        Assert.Equal("1", document.QuerySelector("[data-testid=pair] .pair-observed .figure")!.GetAttribute("data-value"));
    }

    [Fact]
    public async Task HostileTextIsEscaped()
    {
        const string Hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";
        var model = new SeededAnnotator(AnnotatorKind.Model, Hostile);
        var seed = new AgreementSeed
        {
            Traces = 1, SentencesPerTrace = 4, Tags = [Hostile, "plain"], Annotators = [Ann, model], SentenceText = _ => Hostile,
            TagsOf = (a, s) => a == 0 ? [Hostile] : s % 2 == 0 ? [Hostile] : ["plain"],
        };
        var seeded = await AgreementSeeder.SeedAsync(app, seed);

        var (html, document) = await GetAsync($"/agreement?dataset={seeded.DatasetId}&taxonomy={seeded.TaxonomyId}");

        Assert.DoesNotContain("<script>alert(1)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        Assert.Empty(document.QuerySelectorAll("img[src=x]"));
        Assert.Contains(Hostile, document.QuerySelector("[data-testid=disagreements] .disagreement-text")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(document.QuerySelectorAll(".annotator-name"), n => n.TextContent == "model " + Hostile);
    }

    [Fact]
    public async Task TheJudgeIsComparedWithPeoplesVerdictsAndTheirMajority()
    {
        var seeded = await AgreementSeeder.SeedAsync(app, new AgreementSeed { Traces = 8, SentencesPerTrace = 1 });
        bool[] ann = [true, true, false, false, true, false, true, false];
        bool[] bo = [true, false, false, false, true, false, true, true];
        bool[] cy = [true, true, false, true, false, false, true, false];
        bool[] judge = [true, true, true, false, false, false, true, false];
        var verdicts = new[] { ("ann", ann), ("bo", bo), ("cy", cy) }.SelectMany(p => p.Item2.Select((v, t) => (p.Item1, t, v)));
        await AgreementSeeder.SeedVerdictsAsync(app, seeded, verdicts, "judge-x", judge.Select((l, t) => (t, l)));

        var (_, document) = await GetAsync($"/agreement?dataset={seeded.DatasetId}");

        var ratings = new[] { ("Person:ann", ann), ("Person:bo", bo), ("Person:cy", cy), ("Judge:judge-x", judge) }
            .SelectMany(p => p.Item2.Select((v, t) => new Rating(p.Item1, $"trace:{seeded.TraceIds[t]}", v ? "yes" : "no")));
        var expected = JudgeAnalysis.Compute(RatingTable.Create(["yes", "no"], ratings), "Judge:judge-x", "yes", AgreementComputation.Bootstrap);
        var view = document.QuerySelector("[data-testid=judge-view]")!;
        Assert.Equal("Judge:judge-x", view.GetAttribute("data-judge"));
        var majority = expected.VersusMajority;
        Assert.Equal(Exact(majority.Precision), view.QuerySelector(".precision .figure")!.GetAttribute("data-value"));
        Assert.Equal(Exact(majority.Recall), view.QuerySelector(".recall .figure")!.GetAttribute("data-value"));
        // Majority yes on traces 0, 1, 4, 6; the judge says yes on 0, 1, 2, 6: 3 true positives, 1 false positive, 1 false negative.
        Assert.Equal((3, 1, 1, 3), (majority.TruePositives, majority.FalsePositives, majority.FalseNegatives, majority.TrueNegatives));
        Assert.Equal("3 of 4 judge yes", view.QuerySelector(".precision .counts")!.TextContent);
        Assert.Equal("3 both yes", view.QuerySelector("[data-count=tp]")!.TextContent);
        var pairs = view.QuerySelectorAll("[data-testid=pair]");
        var judgePairs = expected.WithJudge.Pairwise.Where(p => p.A == "Judge:judge-x" || p.B == "Judge:judge-x").ToList();
        Assert.Equal(3, pairs.Length);
        Assert.Equal(judgePairs.Select(p => Exact(p.CohenKappa)), pairs.Select(p => p.QuerySelector(".pair-kappa .figure")!.GetAttribute("data-value")));
        Assert.Equal(Exact(expected.WithJudge.Krippendorff.Alpha), view.QuerySelector(".alpha-with-judge .figure")!.GetAttribute("data-value"));
        Assert.Equal(Exact(expected.People.Krippendorff.Alpha), view.QuerySelector(".alpha-people .figure")!.GetAttribute("data-value"));
    }

    [Fact]
    public async Task WithoutVerdictsOrTagsThePageSaysSo()
    {
        var seeded = await AgreementSeeder.SeedAsync(app, new AgreementSeed { Annotators = [Ann], TagsOf = (_, s) => s < 3 ? ["plan"] : [] });

        var (_, document) = await GetAsync($"/agreement?dataset={seeded.DatasetId}&taxonomy={seeded.TaxonomyId}");

        Assert.Contains("no one to compare with", document.QuerySelector("[data-testid=tags-notice]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Nobody has given an alignment-faking verdict", document.QuerySelector("[data-testid=judge-notice]")!.TextContent, StringComparison.Ordinal);
    }
}
