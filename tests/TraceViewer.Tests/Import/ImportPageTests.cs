using System.IO.Compression;
using System.Net;
using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Datasets;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Import;

/// <summary>The import page as prerendered, and the upload behind it over HTTP as the page's script sends it.</summary>
public sealed class ImportPageTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    private static string Problem => SharedPaths.Fixtures("thought-anchors", "deepseek-r1-distill-qwen-14b", "correct_base_solution", "problem_330");

    private static string ModelFolder => SharedPaths.Fixtures("thought-anchors", "deepseek-r1-distill-qwen-14b");

    [Fact]
    public async Task ThePageIsPrerenderedWithItsPickersItsLimitsAndAnImportButtonThatWaitsForTheCircuit()
    {
        var html = await _app.CreateClient().GetStringAsync("/import");
        var page = await new HtmlParser().ParseDocumentAsync(html);

        var form = page.QuerySelector("[data-testid=import-form]")!;
        Assert.NotNull(form.QuerySelector("input[type=file][webkitdirectory][name=folder]"));
        Assert.Equal(".zip,.jsonl,.json", form.QuerySelector("input[type=file][name=archive]")!.GetAttribute("accept"));
        Assert.True(form.QuerySelector("[data-testid=import-submit]")!.HasAttribute("disabled"));
        Assert.Contains("Up to 1 GiB and 100,000 files per upload", form.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("script[src*='blazor.web']"));
        Assert.Null(page.QuerySelector("script[src*='htmx']"));
    }

    [Fact]
    public async Task UploadingAZipOfTheFixturesImportsBothTracesAndLinksToThem()
    {
        var client = _app.CreateClient();
        using var zip = new MemoryStream();
        ZipFile.CreateFromDirectory(SharedPaths.Fixtures("thought-anchors"), zip, CompressionLevel.Fastest, includeBaseDirectory: true);

        var answer = await UploadClient.UploadAsync(client, ("archive", "thought-anchors.zip", zip.ToArray()));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal((2, 285), (answer.Count("tracesAdded"), answer.Count("sentences")));
        await using var db = _app.CreateDbContext();
        var traces = await db.Set<Trace>().OrderBy(t => t.Id).Select(t => new { t.Id, t.Title, t.DatasetId }).ToListAsync();
        var listed = answer.Result!.Value.GetProperty("traces").EnumerateArray()
            .Select(t => new { Id = t.GetProperty("id").GetInt32(), Title = t.GetProperty("title").GetString()!, DatasetId = t.GetProperty("datasetId").GetInt32() })
            .OrderBy(t => t.Id).ToList();
        Assert.Equal(traces, listed);
        var datasets = answer.Result.Value.GetProperty("datasets").EnumerateArray().Select(d => (d.GetProperty("name").GetString(), d.GetProperty("traces").GetInt32())).Order().ToList();
        Assert.Equal([("deepseek-r1-distill-qwen-14b / correct_base_solution", 1), ("qwq-32b / yes_base_solution", 1)], datasets);
    }

    [Fact]
    public async Task UploadingAFolderKeepsTheRelativePaths()
    {
        var client = _app.CreateClient();

        var answer = await UploadClient.UploadAsync(client, UploadClient.Folder(SharedPaths.Fixtures("thought-anchors", "qwq-32b"), "thought-anchors/qwq-32b"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        await using var db = _app.CreateDbContext();
        var trace = await db.Set<Trace>().SingleAsync();
        Assert.Equal("thought-anchors/qwq-32b/yes_base_solution/scenario_0", trace.SourcePath);
        Assert.Equal("qwq-32b", trace.Model);
    }

    [Fact]
    public async Task ABrokenUploadNamesTheFileAndWritesNothing()
    {
        var answer = await UploadClient.UploadAsync(_app.CreateClient(), ("folder", "run/model/yes_base_solution/scenario_1/chunks_labeled.json", "[{\"chunk\": "u8.ToArray()));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.Contains("run/model/yes_base_solution/scenario_1", answer.Error, StringComparison.Ordinal);
        Assert.All(await _app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Theory]
    [InlineData("results.json", "{\"model_id\": \"x\", \"output\": [1, 2")]
    [InlineData("notes/config.json", "{\"a\": 1,, \"b\": 2}")]
    public async Task ALoneBrokenJsonFileIsNamedWithItsJsonErrorNotTheTemporaryFolder(string name, string text)
    {
        var answer = await UploadClient.UploadAsync(_app.CreateClient(), ("archive", name, System.Text.Encoding.UTF8.GetBytes(text)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.StartsWith($"{name}, ", answer.Error, StringComparison.Ordinal);
        Assert.Contains("line 1: invalid or truncated JSON", answer.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("traceviewer-upload", answer.Error, StringComparison.Ordinal);
        Assert.All(await _app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task AnUploadWithNothingToImportNamesTheUpload()
    {
        var answer = await UploadClient.UploadAsync(_app.CreateClient(), ("folder", "notes/readme.txt", "nothing here"u8.ToArray()), ("folder", "notes/ok.json", "{\"a\": 1}"u8.ToArray()));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.StartsWith("the upload: unknown layout", answer.Error, StringComparison.Ordinal);
        Assert.Contains("notes/ok.json is JSON of no known import format", answer.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("traceviewer-upload", answer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProblemUploadedOnItsOwnIsNotUnknownAndItsModelFolderLaterMovesItInsteadOfDuplicatingIt()
    {
        var client = _app.CreateClient();

        var alone = await UploadClient.UploadAsync(client, UploadClient.Folder(Problem, "problem_330"));
        await using (var db = _app.CreateDbContext())
        {
            var dataset = await db.Set<Dataset>().SingleAsync();
            Assert.Equal("correct_base_solution, model not named", dataset.Name);
            Assert.Equal("thought-anchors-viewer/unknown/correct_base_solution", dataset.Key);
        }

        Assert.Contains(alone.Result!.Value.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("no folder above it names its model", StringComparison.Ordinal));
        var id = alone.Result.Value.GetProperty("traces")[0].GetProperty("id").GetInt32();

        var named = await UploadClient.UploadAsync(client, UploadClient.Folder(ModelFolder, "deepseek-r1-distill-qwen-14b"));

        Assert.Equal(HttpStatusCode.OK, named.Status);
        Assert.Equal((0, 1, 0), (named.Count("tracesAdded"), named.Count("tracesUpdated"), named.Count("tracesUnchanged")));
        await using (var db = _app.CreateDbContext())
        {
            var trace = await db.Set<Trace>().SingleAsync();
            Assert.Equal(id, trace.Id);
            Assert.Equal("deepseek-r1-distill-qwen-14b", trace.Model);
            Assert.Equal("deepseek-r1-distill-qwen-14b / correct_base_solution", (await db.Set<Dataset>().SingleAsync()).Name);
        }

        var again = await UploadClient.UploadAsync(client, UploadClient.Folder(ModelFolder, "deepseek-r1-distill-qwen-14b"));
        Assert.Equal((0, 0, 1), (again.Count("tracesAdded"), again.Count("tracesUpdated"), again.Count("tracesUnchanged")));
    }

    [Fact]
    public async Task AProblemUploadedOnItsOwnIsTheSameTraceAsTheOneAlreadyStoredUnderItsModel()
    {
        await _app.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        var before = await _app.CountRowsAsync();

        var answer = await UploadClient.UploadAsync(_app.CreateClient(), UploadClient.Folder(Problem, "problem_330"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal((0, 0, 1), (answer.Count("tracesAdded"), answer.Count("tracesUpdated"), answer.Count("tracesUnchanged")));
        Assert.Equal("deepseek-r1-distill-qwen-14b / correct_base_solution", answer.Result!.Value.GetProperty("datasets")[0].GetProperty("name").GetString());
        Assert.Equal(before, await _app.CountRowsAsync());
    }

    [Fact]
    public async Task AnUploadOverTheSizeLimitIsRefusedWithAMessageThatNamesTheLimit()
    {
        using var app = new TestApp().WithSetting("Import:MaxUploadBytes", "4096");
        var client = app.CreateClient();
        var token = await UploadClient.TokenAsync(client);

        using var json = UploadClient.Content(("archive", "big.jsonl", new byte[8192]));
        var asJson = await UploadClient.PostAsync(client, json, token);
        using var html = UploadClient.Content(("archive", "big.jsonl", new byte[8192]));
        var asPage = await UploadClient.PostAsync(client, html, token, json: false);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, asJson.Status);
        Assert.Contains("above the limit of 4 KiB (Import:MaxUploadBytes)", asJson.Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, asPage.Status);
        var page = await new HtmlParser().ParseDocumentAsync(asPage.Body);
        Assert.Contains("above the limit of 4 KiB (Import:MaxUploadBytes)", page.QuerySelector("[data-testid=import-error]")?.TextContent, StringComparison.Ordinal);
        Assert.All(await app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task AnUploadWithMoreFilesThanTheLimitIsRefusedByName()
    {
        using var app = new TestApp().WithSetting("Import:MaxUploadFiles", "3");

        var answer = await UploadClient.UploadAsync(app.CreateClient(), [.. Enumerable.Range(0, 30).Select(i => ("folder", $"run/f{i}.json", "[]"u8.ToArray()))]);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.Status);
        Assert.Contains("more files than the limit of 3 (Import:MaxUploadFiles)", answer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUploadWithoutTheTokenOrWithAnotherSessionsTokenIsRefused()
    {
        var client = _app.CreateClient();
        var token = await UploadClient.TokenAsync(client);
        byte[] zip;
        using (var stream = new MemoryStream())
        {
            ZipFile.CreateFromDirectory(SharedPaths.Fixtures("thought-anchors"), stream, CompressionLevel.Fastest, includeBaseDirectory: true);
            zip = stream.ToArray();
        }

        using var bare = UploadClient.Content(("archive", "a.zip", zip));
        var withoutToken = await UploadClient.PostAsync(client, bare, token: null);
        using var forged = UploadClient.Content(("archive", "a.zip", zip));
        var otherSession = await UploadClient.PostAsync(_app.CreateClient(), forged, token);

        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.Status);
        Assert.Contains("RequestVerificationToken header", withoutToken.Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, otherSession.Status);
        Assert.All(await _app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }
}
