using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TraceViewer.MetricSets;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

/// <summary>Whatever a database holds (written by an older version, another tool or a lenient import), reading it never fails.</summary>
public sealed class StoredValueReadingTests(TestApp app) : IClassFixture<TestApp>
{
    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public async Task NonFiniteMetricValuesAreServedAsNull(double stored)
    {
        var trace = await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = "stored/" + Guid.NewGuid().ToString("N"), Counterfactual = k => 0.1 * k });
        await using (var db = app.CreateDbContext())
        {
            // What a bundle's "Infinity" or 1e400 becomes when a database holds it.
            await db.Database.ExecuteSqlAsync(
                $"UPDATE SentenceMetric SET Value = {stored}, Low = {stored}, High = {stored} WHERE SentenceIndex = 1 AND MetricSetId IN (SELECT Id FROM MetricSet WHERE TraceId = {trace.TraceId})");
            await db.Database.ExecuteSqlAsync($"UPDATE \"Trace\" SET MaxImportance = {stored} WHERE Id = {trace.TraceId}");
            await db.Database.ExecuteSqlAsync($"UPDATE MetricSet SET Threshold = {stored}, Alpha = {stored} WHERE TraceId = {trace.TraceId}");
        }

        var client = app.CreateClient();
        var one = await client.GetAsync($"/api/traces/{trace.TraceId}");
        var list = await client.GetAsync($"/api/traces?dataset={trace.DatasetId}");
        var page = await client.GetAsync($"/traces/{trace.TraceId}");
        var sentence = await client.GetAsync($"/traces/{trace.TraceId}/sentences/1");
        var tracesPage = await client.GetAsync($"/traces?dataset={trace.DatasetId}");

        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        using var document = JsonDocument.Parse(await one.Content.ReadAsStringAsync());
        var outcome = document.RootElement.GetProperty("outcomes")[0];
        Assert.Equal(JsonValueKind.Null, outcome.GetProperty("provenance").GetProperty("threshold").ValueKind);
        // Not defined: no effect and no rate for sentence 1, while sentence 2 keeps its numbers.
        var effects = outcome.GetProperty("effects").EnumerateArray().ToDictionary(e => e.GetProperty("index").GetInt32());
        Assert.True(!effects.TryGetValue(1, out var first) || (IsNullOrAbsent(first, "resamplingEffect") && IsNullOrAbsent(first, "resamplingKl")), $"{first}");
        Assert.Equal(JsonValueKind.Number, effects[2].GetProperty("resamplingEffect").GetProperty("value").ValueKind);
        Assert.Equal([0, 2], outcome.GetProperty("prefixRates").EnumerateArray().Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using var rows = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Null, rows.RootElement.GetProperty("items")[0].GetProperty("maxImportance").ValueKind);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, sentence.StatusCode);
        Assert.Equal(HttpStatusCode.OK, tracesPage.StatusCode);
        // The prerendered sentence 2 keeps its direction; sentence 1 has none.
        var html = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await sentence.Content.ReadAsStringAsync());
        Assert.NotEqual("none", html.QuerySelector("#s-2")?.GetAttribute("data-direction") ?? "none");
        Assert.Equal("none", html.QuerySelector("#s-1")?.GetAttribute("data-direction"));
    }

    private static bool IsNullOrAbsent(JsonElement element, string name) =>
        !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null;

    [Fact]
    public async Task SentencesWithOffsetsOutsideTheTextStillRender()
    {
        var trace = await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = "stored/" + Guid.NewGuid().ToString("N") });
        await using (var db = app.CreateDbContext())
        {
            var ids = await db.Set<Sentence>().Where(s => s.TraceId == trace.TraceId).OrderBy(s => s.Index).Select(s => s.Id).ToListAsync();
            await db.Set<Sentence>().Where(s => s.Id == ids[0]).ExecuteUpdateAsync(s => s.SetProperty(x => x.Index, -1).SetProperty(x => x.Start, -50));
            await db.Set<Sentence>().Where(s => s.Id == ids[1]).ExecuteUpdateAsync(s => s.SetProperty(x => x.End, 1_000_000_000));
            await db.Set<Sentence>().Where(s => s.Id == ids[2]).ExecuteUpdateAsync(s => s.SetProperty(x => x.Start, 40).SetProperty(x => x.End, 3));
        }

        var client = app.CreateClient();

        foreach (var url in new[] { $"/traces/{trace.TraceId}", $"/traces/{trace.TraceId}/sentences/-1", $"/traces/{trace.TraceId}/sentences/1", $"/api/traces/{trace.TraceId}" })
        {
            var response = await client.GetAsync(url);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.True(url.Contains("-1", StringComparison.Ordinal) || response.StatusCode == HttpStatusCode.OK, url);
        }
    }
}
