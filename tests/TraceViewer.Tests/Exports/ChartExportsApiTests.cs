using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Plotly.Blazor.Traces;
using TraceViewer.Agreement;
using TraceViewer.Collect;
using TraceViewer.Components;
using TraceViewer.Exports;
using TraceViewer.Kinds;
using TraceViewer.Studies;
using TraceViewer.Tags;
using TraceViewer.Tests.Agreement;
using TraceViewer.Tests.Kinds;
using TraceViewer.Tests.Studies;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Exports;

/// <summary>"CSV of these numbers" for each chart against the chart's own figure, and the study and agreement exports.</summary>
public sealed class ChartExportsApiTests(TestApp app) : IClassFixture<TestApp>
{
    private static double Num(string cell) => double.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string FileName(HttpResponseMessage response) =>
        response.Content.Headers.ContentDisposition!.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName!;

    private async Task<(HttpResponseMessage Response, List<Dictionary<string, string>> Rows)> CsvAsync(string url)
    {
        var response = await app.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        var records = CsvText.Parse(await response.Content.ReadAsStringAsync(), "export.csv");
        var header = records[0].Fields;
        return (response, records.Skip(1).Select(r => header.Select((h, i) => (h, v: r.Fields[i])).ToDictionary(x => x.h, x => x.v)).ToList());
    }

    /// <summary>The figure the trace page prerenders for its curve (data-figure), as drawn before and after the circuit connects.</summary>
    private async Task<JsonElement> CurveFigureAsync(string url)
    {
        var html = await app.CreateClient().GetStringAsync(url);
        var box = ComponentRenderer.Parse(html).QuerySelector(".tv-chart[data-plot=curve-plot]")!;
        return JsonDocument.Parse(box.GetAttribute("data-figure")!).RootElement.Clone();
    }

    private static List<double> Numbers(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetDouble())];

    [Theory]
    [InlineData("counterfactual")]
    [InlineData("resampling")]
    public async Task CurveCsvHoldsTheNumbersTheCurveDraws(string effect)
    {
        var seeded = await TraceSeeder.SeedAsync(app, new TraceSeed
        {
            Model = $"curve-{Guid.NewGuid():N}", Sentences = ["First.", "Second.", "Third.", "Fourth."], Counterfactual = i => i % 2 == 0 ? 0.3 : -0.3,
        });
        var figure = await CurveFigureAsync($"/traces/{seeded.TraceId}?effect={effect}");

        var (response, rows) = await CsvAsync($"/api/traces/{seeded.TraceId}/curve.csv?effect={effect}&k=2");

        Assert.Equal($"trace-{seeded.TraceId}-curve-{effect}.csv", FileName(response));
        var data = figure.GetProperty("data").EnumerateArray().ToList();
        var line = data.Single(t => t.GetProperty("mode").GetString() == "lines+markers");
        var low = data.Single(t => t.GetProperty("name").GetString() == "low");
        var high = data.Single(t => t.GetProperty("name").GetString() == "high");
        Assert.Equal(4, rows.Count);
        Assert.Equal(Numbers(line.GetProperty("x")), rows.Select(r => Num(r["prefix_end"])));
        Assert.Equal(Numbers(line.GetProperty("y")), rows.Select(r => Num(r["rate"])));
        Assert.Equal(Numbers(low.GetProperty("y")), rows.Select(r => Num(r["low"])));
        Assert.Equal(Numbers(high.GetProperty("y")), rows.Select(r => Num(r["high"])));
        Assert.All(rows, r => Assert.Equal("10", r["n"]));
        Assert.Equal(["", .. Enumerable.Range(0, 3).Select(i => (Math.Min(10, 2 + (3 * (i + 1)))).ToString(CultureInfo.InvariantCulture))], rows.Skip(1).Select(r => r["successes"]).Prepend(""));
        Assert.All(rows, r => Assert.Equal(effect, r["effect"]));

        // The points are coloured by the direction in the CSV.
        var colours = line.GetProperty("marker").GetProperty("color").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Equal("", rows[0]["direction"]);
        foreach (var (row, colour) in rows.Zip(colours).Skip(1))
        {
            var expected = row["needs_more_samples"] == "true" ? null : row["direction"] switch
            {
                "promotes" => ProductColors.Promotes.Hex,
                "suppresses" => ProductColors.Suppresses.Hex,
                _ => null,
            };
            if (expected is not null)
            {
                Assert.Equal(expected, colour);
            }
        }

        if (effect == "counterfactual")
        {
            Assert.Equal(["promotes", "suppresses", "promotes"], rows.Skip(1).Select(r => r["direction"]));
        }
    }

    [Fact]
    public async Task CurveOfAnUnknownTraceIsNotFound()
    {
        using var response = await app.CreateClient().GetAsync("/api/traces/987654321/curve.csv");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<StudyView> StudyAsync(int datasetId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<StudyQueries>().LoadAsync(datasetId, CancellationToken.None))!;
    }

    [Fact]
    public async Task StudyChartCsvHoldsTheNumbersOfEveryBar()
    {
        var id = await StudySeeder.SeedAsync(app, "Chart study",
            SeededCondition.Of("baseline", "free", 20, 14, 5), SeededCondition.Of("baseline", "paid", 18, 6, 1, undetermined: 2),
            SeededCondition.Of("=no cot", "free", 10, 9, 3));
        var study = await StudyAsync(id);
        var (data, _) = StudyChartData.Build(study, null, dark: false);

        var (response, rows) = await CsvAsync($"/api/datasets/{id}/study-chart.csv?variant=baseline&tier=free");

        Assert.Equal($"study-{id}-chart.csv", FileName(response));
        var expected = data.Cast<Bar>().SelectMany(bar => bar.Y!.Select((y, i) => (bar, y, i)).Where(p => p.y is not null)
            .Select(p => (Rate: (double)p.y!, Low: (double)p.y! - (double)p.bar.ErrorY!.ArrayMinus![p.i]!, High: (double)p.y! + (double)p.bar.ErrorY.Array![p.i]!)))
            .ToList();
        Assert.Equal(6, rows.Count);
        Assert.Equal(expected.Select(e => e.Rate), rows.Select(r => Num(r["rate"])));
        foreach (var (e, r) in expected.Zip(rows))
        {
            Assert.Equal(e.Low, Num(r["low"]), 12);
            Assert.Equal(e.High, Num(r["high"]), 12);
        }

        Assert.Equal(["Compliance", "Compliance", "Compliance", "Alignment faking", "Alignment faking", "Alignment faking"], rows.Select(r => r["outcome"]));
        Assert.Equal(["'=no cot", "baseline", "baseline", "'=no cot", "baseline", "baseline"], rows.Select(r => r["variant"]));
        var paid = rows[2];
        Assert.Equal(("paid", "6", "18", "2", "20"), (paid["tier"], paid["positives"], paid["determined"], paid["undetermined"], paid["traces"]));
        Assert.Equal(6 / 18.0, Num(paid["rate"]));
    }

    [Fact]
    public async Task StudyTableExportsHoldEveryConditionOutcomeAndGap()
    {
        var id = await StudySeeder.SeedAsync(app, "Table study",
            SeededCondition.Of("baseline", "free", 20, 14, 5), SeededCondition.Of("baseline", "paid", 18, 6, 1, undetermined: 2),
            SeededCondition.Of("-cut", "free", 10, 9, 3));
        var study = await StudyAsync(id);

        var (response, rows) = await CsvAsync($"/api/datasets/{id}/study.csv");
        using var json = await app.CreateClient().GetAsync($"/api/datasets/{id}/study.json");

        Assert.Equal($"study-{id}.csv", FileName(response));
        Assert.Equal($"study-{id}.json", FileName(json));
        Assert.Equal(study.Conditions.Count * 2, rows.Count);
        foreach (var condition in study.Conditions)
        {
            var variant = condition.Variant.StartsWith('-') ? "'" + condition.Variant : condition.Variant;
            foreach (var (outcome, rate) in new[] { ("Compliance", condition.Compliance), ("Alignment faking", condition.AlignmentFaking) })
            {
                var row = rows.Single(r => r["variant"] == variant && r["tier"] == condition.Tier && r["outcome"] == outcome);
                Assert.Equal(rate.Rate, Num(row["rate"]));
                Assert.Equal(rate.Low, Num(row["low"]));
                Assert.Equal(rate.High, Num(row["high"]));
                Assert.Equal((rate.Positives, rate.Determined, rate.Undetermined, condition.Traces),
                    (int.Parse(row["positives"], CultureInfo.InvariantCulture), int.Parse(row["determined"], CultureInfo.InvariantCulture),
                     int.Parse(row["undetermined"], CultureInfo.InvariantCulture), int.Parse(row["traces"], CultureInfo.InvariantCulture)));
            }
        }

        var gap = study.Gaps.Single(g => g.Variant == "baseline");
        var baseline = rows.Where(r => r["variant"] == "baseline" && r["outcome"] == "Compliance").ToList();
        Assert.Equal(2, baseline.Count);
        Assert.All(baseline, r => Assert.Equal((gap.Difference, gap.Low, gap.High), (Num(r["free_minus_paid"]), Num(r["free_minus_paid_low"]), Num(r["free_minus_paid_high"]))));
        Assert.Equal(14 / 20.0 - 6 / 18.0, gap.Difference!.Value, 12);
        Assert.All(rows.Where(r => r["outcome"] != "Compliance"), r => Assert.Equal("", r["free_minus_paid"]));

        using var document = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        var conditions = document.RootElement.GetProperty("conditions").EnumerateArray().ToList();
        Assert.Equal(study.Conditions.Select(c => c.Compliance.Rate), conditions.Select(c => (double?)c.GetProperty("compliance").GetProperty("rate").GetDouble()));
        Assert.Contains(conditions, c => c.GetProperty("variant").GetString() == "-cut");
    }

    [Fact]
    public async Task StudyExportsOfAnUnknownDatasetAreNotFound()
    {
        foreach (var url in new[] { "/api/datasets/987654321/study.csv", "/api/datasets/987654321/study.json", "/api/datasets/987654321/study-chart.csv" })
        {
            using var response = await app.CreateClient().GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task KindsChartCsvHoldsTheNumbersOfEveryBar()
    {
        var study = await KindsSeeder.SeedAsync(app, $"kinds/chart-{Guid.NewGuid():N}", traces: 5, sentences: 7, seed: 4);
        var query = $"dataset={study.DatasetKey}&effect=resampling";
        var view = (await app.CreateClient().GetFromJsonAsync<KindsView>("/api/kinds?" + query, JsonSerializerOptions.Web))!;
        var (data, bars) = KindsChartData.Build(view, null, dark: false);
        var bar = (Bar)Assert.Single(data);

        var (response, rows) = await CsvAsync("/api/kinds-chart.csv?" + query);

        Assert.Equal($"kinds-chart-{view.Selection.Outcome}-resampling.csv", FileName(response));
        Assert.NotEmpty(rows);
        Assert.Equal(bars.Select(b => b.Tag), rows.Select(r => r["tag"]));
        Assert.Equal(bar.X!.Select(x => (double)x!), rows.Select(r => Num(r["mean_signed"])));
        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
        {
            Assert.Equal((double)bar.X![i]! - (double)bar.ErrorX!.ArrayMinus![i]!, Num(row["mean_signed_low"]), 12);
            Assert.Equal((double)bar.X![i]! + (double)bar.ErrorX.Array![i]!, Num(row["mean_signed_high"]), 12);
            Assert.Equal(bars[i].Tagged.Sentences.ToString(CultureInfo.InvariantCulture), row["sentences"]);
            Assert.Equal(bars[i].Tagged.Traces.ToString(CultureInfo.InvariantCulture), row["traces"]);
        }
    }

    [Fact]
    public async Task AgreementExportsHoldEveryTagsAndPairsFigures()
    {
        var ann = new SeededAnnotator(AnnotatorKind.Person, "ann");
        var model = new SeededAnnotator(AnnotatorKind.Model, "=tagger");
        var random = new Random(11);
        string[] tags = ["plan", "doubt", "fact"];
        var given = Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 20).Select(s => (IReadOnlyList<string>)[tags[(s + random.Next(0, 2)) % 3]]).ToArray()).ToArray();
        var seeded = await AgreementSeeder.SeedAsync(app, new AgreementSeed
        {
            Traces = 2, SentencesPerTrace = 10, Tags = tags, Annotators = [ann, model], TagsOf = (a, s) => given[a][s],
        });
        var query = $"dataset={seeded.DatasetId}&taxonomy={seeded.TaxonomyId}&tag=doubt";
        var view = (await app.CreateClient().GetFromJsonAsync<AgreementView>("/api/agreement?" + query, JsonSerializerOptions.Web))!;

        var (response, rows) = await CsvAsync("/api/agreement.csv?" + query);
        using var json = await app.CreateClient().GetAsync("/api/agreement.json?" + query);

        var taxonomy = view.Tags!;
        Assert.Equal(FileName(response), ExportCsv.FileName($"agreement-{taxonomy.Name}-dataset-{seeded.DatasetId}", "csv"));
        Assert.EndsWith(".json", FileName(json));
        var variables = rows.Where(r => r["row"] == "variable").ToList();
        Assert.Equal(tags, variables.Select(r => r["variable"]));
        foreach (var tag in taxonomy.Tags)
        {
            var row = variables.Single(r => r["variable"] == tag.Name);
            Assert.Equal(tag.Items.ToString(CultureInfo.InvariantCulture), row["items"]);
            Assert.Equal(ExportCsv.Number(tag.Alpha.Value), row["alpha"]);
            Assert.Equal(ExportCsv.Number(tag.Alpha.Low), row["alpha_low"]);
            Assert.Equal(ExportCsv.Number(tag.Alpha.High), row["alpha_high"]);
            Assert.Equal("", row["fleiss_kappa"]);
            var pair = Assert.Single(tag.Pairs);
            var pairRow = Assert.Single(rows, r => r["row"] == "pair" && r["variable"] == tag.Name);
            Assert.Equal(ExportCsv.Text(view.Names[pair.A]), pairRow["annotator_a"]);
            Assert.Equal(ExportCsv.Text(view.Names[pair.B]), pairRow["annotator_b"]);
            Assert.Equal(pair.N.ToString(CultureInfo.InvariantCulture), pairRow["items"]);
            Assert.Equal((ExportCsv.Number(pair.Kappa.Value), ExportCsv.Number(pair.Kappa.Low), ExportCsv.Number(pair.Kappa.High)), (pairRow["kappa"], pairRow["kappa_low"], pairRow["kappa_high"]));
            Assert.Equal(ExportCsv.Number(pair.Observed.Value), pairRow["observed"]);
        }

        Assert.NotNull(taxonomy.Tags[0].Alpha.Value);
        using var document = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        Assert.Equal(taxonomy.Tags[0].Alpha.Value, document.RootElement.GetProperty("tags").GetProperty("tags")[0].GetProperty("alpha").GetProperty("value").GetDouble());
    }
}
