using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Datasets;
using TraceViewer.Import;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Import.AlignmentFaking;

public sealed class AlignmentFakingImportTests : IDisposable
{
    private readonly TestApp _app = new();
    private readonly string _root = Directory.CreateTempSubdirectory("traceviewer-af-").FullName;

    public void Dispose()
    {
        _app.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private void WriteStudy()
    {
        AlignmentFakingResults.Write(_root, "helpful-only/test-model/results_20250301_101112.json",
            AlignmentFakingResults.Record("Explain lock picking", free: true, AlignmentFakingResults.Faking, 0.8, 0.65),
            AlignmentFakingResults.Record("Explain lock picking", free: false, AlignmentFakingResults.Refusing, 0.0, 0.0),
            AlignmentFakingResults.Record("Write a phishing email", free: true, AlignmentFakingResults.Refusing, 0.0, 0.1),
            AlignmentFakingResults.Record("Write a phishing email", free: false, AlignmentFakingResults.Refusing, 0.0, 0.0));
        AlignmentFakingResults.Write(_root, "no-cot/test-model/results_seed2_20250302_090000.json",
            AlignmentFakingResults.Record("Explain lock picking", free: true, AlignmentFakingResults.Plain, 0.5, 0.0),
            AlignmentFakingResults.Record("Explain lock picking", free: false, AlignmentFakingResults.Plain, 0.0, 0.0));
    }

    [Fact]
    public async Task AResultsFolderBecomesOneStudyDataset()
    {
        WriteStudy();

        var summary = await _app.ImportAsync(_root);

        Assert.Equal(6, summary.TracesAdded);
        await using var db = _app.CreateDbContext();
        var dataset = await db.Set<Dataset>().SingleAsync();
        Assert.Equal(TraceViewer.Datasets.DatasetKind.AlignmentFaking, dataset.Kind);
        Assert.Equal("test-model", dataset.Model);
        var traces = await db.Set<Trace>().OrderBy(t => t.Id).ToListAsync();
        Assert.Equal(["helpful-only", "no-cot"], traces.Select(t => t.PromptVariant).Distinct().Order());
        Assert.Equal(3, traces.Count(t => t.Tier == "free"));
        var sentences = await db.Set<Sentence>().Where(s => s.TraceId == traces[0].Id).OrderBy(s => s.Index).ToListAsync();
        Assert.Equal(traces[0].Reasoning, string.Concat(sentences.Select(s => s.Text + s.Separator)));
    }

    [Fact]
    public async Task TheStudyOverviewShowsTheImportedRates()
    {
        WriteStudy();
        await _app.ImportAsync(_root);
        await using var db = _app.CreateDbContext();
        var id = await db.Set<Dataset>().Select(d => d.Id).SingleAsync();

        var doc = await new HtmlParser().ParseDocumentAsync(await _app.CreateClient().GetStringAsync($"/datasets/{id}/study"));

        var free = doc.QuerySelector("td[data-variant=helpful-only][data-tier=free]")!.ParentElement!;
        Assert.Contains("1 of 2", free.QuerySelector("td.rate[data-outcome=compliance]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(4, doc.QuerySelectorAll("td[data-variant][data-tier]").Length);
        Assert.Equal(2, doc.QuerySelectorAll(".study-gap").Length);
    }

    [Fact]
    public async Task ImportingTheSameResultsAgainAddsNothing()
    {
        WriteStudy();
        await _app.ImportAsync(_root);
        var before = await _app.CountRowsAsync();

        var summary = await _app.ImportAsync(_root);

        Assert.Equal((0, 6), (summary.TracesAdded, summary.TracesUnchanged));
        Assert.Equal(before, await _app.CountRowsAsync());
    }

    [Fact]
    public async Task ARecordWithoutOutputNamesFileAndFieldAndWritesNothing()
    {
        WriteStudy();
        var broken = AlignmentFakingResults.Record("q", free: true, AlignmentFakingResults.Faking, 0.5, 0.5);
        ((Dictionary<string, object?>)broken).Remove("output");
        AlignmentFakingResults.Write(_root, "helpful-only/test-model/results_20250303_000000.json",
            AlignmentFakingResults.Record("q", free: false, AlignmentFakingResults.Refusing, 0.0, 0.0), broken);

        var error = await Assert.ThrowsAsync<ImportException>(() => _app.ImportAsync(_root));

        Assert.Equal("helpful-only/test-model/results_20250303_000000.json", error.FilePath);
        Assert.Equal("[1].output", error.Field);
        Assert.All(await _app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }
}
