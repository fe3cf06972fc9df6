using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TraceViewer.Collect;
using TraceViewer.Exports;
using TraceViewer.Outcomes;
using TraceViewer.Search;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Exports;

public sealed class ExportsApiTests(TestApp app) : IClassFixture<TestApp>
{
    private static readonly string[] Guarded = ["'=HYPERLINK(\"http://x\",\"y\")", "'+1+1", "'-2+3", "'@SUM(A1)", "a, \"b\"\nc", "plain"];

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Every row the traces page shows for a query, read page by page from the list API the page uses.</summary>
    private async Task<List<TraceRow>> PagedTracesAsync(string query)
    {
        var rows = new List<TraceRow>();
        for (var page = 1; ; page++)
        {
            var result = (await app.CreateClient().GetFromJsonAsync<PagedResult<TraceRow>>($"/api/traces?{query}&page={page}", JsonSerializerOptions.Web))!;
            rows.AddRange(result.Items);
            if (page >= result.PageCount)
            {
                return rows;
            }
        }
    }

    private static IReadOnlyList<CsvRecord> ParseCsv(string text) => CsvText.Parse(text, "export.csv");

    [Fact]
    public async Task TracesCsvHoldsEveryPageOfTheListInItsOrder()
    {
        var model = Unique("export");
        for (var i = 0; i < 30; i++)
        {
            await TraceSeeder.SeedAsync(app, new TraceSeed { Model = model, Title = $"T{i:00}" });
        }

        var query = $"model={model}&sort=title";
        var page = await PagedTracesAsync(query);
        using var response = await app.CreateClient().GetAsync($"/api/traces.csv?{query}&page=2");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType.CharSet);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal($"traces-{model}.csv", response.Content.Headers.ContentDisposition.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName);
        var records = ParseCsv(Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()));
        Assert.Equal("id", records[0].Fields[0]);
        Assert.Equal(30, page.Count);
        Assert.Equal(page.Select(r => r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), records.Skip(1).Select(r => r.Fields[0]));
        Assert.Equal(page.Select(r => r.Title), records.Skip(1).Select(r => r.Fields[1]));
    }

    [Fact]
    public async Task TracesJsonHoldsTheSameRowsAsTheList()
    {
        var model = Unique("export-json");
        var yes = await TraceSeeder.SeedAsync(app, new TraceSeed { Model = model, Title = "yes", BaseLabel = true });
        await TraceSeeder.SeedAsync(app, new TraceSeed { Model = model, Title = "no", BaseLabel = false });
        var query = $"model={model}&outcome={OutcomeRegistry.IsCorrect}&positive=true";

        using var response = await app.CreateClient().GetAsync($"/api/traces.json?{query}");
        var rows = JsonSerializer.Deserialize<List<TraceRow>>(await response.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;

        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.EndsWith(".json", response.Content.Headers.ContentDisposition.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName);
        Assert.Equal([yes.TraceId], rows.Select(r => r.Id));
        Assert.Equal((await PagedTracesAsync(query)).Select(r => r.Id), rows.Select(r => r.Id));
    }

    [Fact]
    public async Task HostileTextIsQuotedAndKeptFromBeingReadAsAFormula()
    {
        var model = Unique("hostile");
        var titles = new[] { "=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "a, \"b\"\nc", "plain" };
        foreach (var title in titles)
        {
            await TraceSeeder.SeedAsync(app, new TraceSeed { Model = model, Title = title });
        }

        var text = await app.CreateClient().GetStringAsync($"/api/traces.csv?model={model}&sort=title");
        var cells = ParseCsv(text).Skip(1).Select(r => r.Fields[1]).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(Guarded.Order(StringComparer.Ordinal), cells);
        Assert.Contains("\"a, \"\"b\"\"\nc\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchCsvHoldsEveryHitTheSearchFinds()
    {
        var marker = Guid.NewGuid().ToString("N");
        var sentences = Enumerable.Range(0, 60).Select(i => $"Step {i} {marker} =cmd").ToList();
        var seeded = await TraceSeeder.SeedAsync(app, new TraceSeed { Model = Unique("search"), Sentences = sentences, ResamplesPerSentence = 1, Successes = _ => 1 });

        var text = await app.CreateClient().GetStringAsync($"/api/search.csv?text={marker}&page=2");
        var records = ParseCsv(text);
        var json = await app.CreateClient().GetFromJsonAsync<List<SentenceHit>>($"/api/search.json?text={marker}", JsonSerializerOptions.Web);

        Assert.Equal(60, records.Count - 1);
        Assert.All(records.Skip(1), r => Assert.Equal(seeded.TraceId.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Fields[0]));
        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"Step {i} {marker} =cmd"), records.Skip(1).Select(r => r.Fields[4]).OrderBy(t => int.Parse(t.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(60, json!.Count);
    }

    [Fact]
    public async Task SearchWithoutCriteriaExportsNoRows()
    {
        var records = ParseCsv(await app.CreateClient().GetStringAsync("/api/search.csv"));

        Assert.Single(records);
    }

    [Theory]
    [InlineData("traces-a/b c", "csv", "traces-a-b-c.csv")]
    [InlineData("../..", "json", "export.json")]
    [InlineData("sentences-\"x\";y", "csv", "sentences--x--y.csv")]
    public void FileNamesKeepOnlySafeCharacters(string stem, string extension, string expected) =>
        Assert.Equal(expected, ExportCsv.FileName(stem, extension));

    [Theory]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@x", "'@x")]
    [InlineData("\tx", "'\tx")]
    [InlineData("a=1", "a=1")]
    [InlineData("", "")]
    public void TextCellsBeginningWithAFormulaSignGetAnApostrophe(string value, string expected) =>
        Assert.Equal(expected, ExportCsv.Text(value));

    [Fact]
    public void NumbersAreNotGuarded() => Assert.Equal("-0.25", ExportCsv.Number(-0.25));

    [Fact]
    public async Task SentencesCsvHasARowPerSentenceWithTheTracesRatesAndEffects()
    {
        var seeded = await TraceSeeder.SeedAsync(app, new TraceSeed
        {
            Model = Unique("sentences"), Sentences = ["-1 is the start.", "Then add.", "Done."], Counterfactual = i => 0.1 * (i + 1) - 0.25,
        });
        var trace = (await app.CreateClient().GetFromJsonAsync<TraceDocument>($"/api/traces/{seeded.TraceId}", JsonSerializerOptions.Web))!;

        using var response = await app.CreateClient().GetAsync($"/api/traces/{seeded.TraceId}/sentences.csv");
        var records = ParseCsv(await response.Content.ReadAsStringAsync());

        Assert.Equal($"trace-{seeded.TraceId}-sentences.csv", response.Content.Headers.ContentDisposition!.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName);
        Assert.Equal(ExportTables.SentenceHeader, records[0].Fields);
        var outcome = Assert.Single(trace.Outcomes);
        Assert.Equal(3, records.Count - 1);
        Assert.Equal("'-1 is the start.", records[1].Fields[2]);
        foreach (var (record, i) in records.Skip(1).Select((r, i) => (r, i)))
        {
            Assert.Equal(outcome.Key, record.Fields[3]);
            Assert.Equal(ExportCsv.Number(outcome.PrefixRates.Single(r => r.Index == i).Value), record.Fields[4]);
            Assert.Equal(ExportCsv.Number(outcome.PrefixRates.SingleOrDefault(r => r.Index == i + 1)?.Value), record.Fields[5]);
            Assert.Equal(ExportCsv.Number(outcome.Effects.Single(e => e.Index == i).CounterfactualEffect?.Value), record.Fields[6]);
            Assert.Contains("active_computation", record.Fields[18], StringComparison.Ordinal);
        }

        using var json = JsonDocument.Parse(await app.CreateClient().GetStringAsync($"/api/traces/{seeded.TraceId}/sentences.json"));
        var objects = json.RootElement.EnumerateArray().ToList();
        Assert.Equal("-1 is the start.", objects[0].GetProperty("text").GetString());
        Assert.Equal(ExportTables.SentenceHeader, objects[0].EnumerateObject().Select(p => p.Name));
        // Numbers are JSON numbers with the CSV's values; a value that is not defined is null.
        Assert.Equal(JsonValueKind.Number, objects[1].GetProperty("counterfactual_effect").ValueKind);
        Assert.Equal(records[2].Fields[6], ExportCsv.Number(objects[1].GetProperty("counterfactual_effect").GetDouble()));
        Assert.Equal(seeded.TraceId, objects[1].GetProperty("trace_id").GetInt32());
        Assert.Equal(1, objects[1].GetProperty("index").GetInt32());
        Assert.Equal(records[1].Fields[4], ExportCsv.Number(objects[0].GetProperty("rate_before").GetDouble()));
        Assert.Equal(JsonValueKind.Null, objects[2].GetProperty("rate_after").ValueKind);
        Assert.Equal("", records[3].Fields[5]);
        Assert.Equal(JsonValueKind.False, objects[0].GetProperty("fallback").ValueKind);
        Assert.Equal(JsonValueKind.Number, objects[0].GetProperty("importance").ValueKind);
        Assert.Contains("active_computation", objects[0].GetProperty("tags").EnumerateArray().Select(t => t.GetString()).First(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task SentencesOfAnUnknownTraceAreNotFound(string extension)
    {
        using var response = await app.CreateClient().GetAsync($"/api/traces/987654321/sentences.{extension}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
