using System.IO.Compression;
using System.Net;
using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Import;

public sealed class ImportPageTests : IDisposable
{
    private readonly TestApp _app = new();

    [Fact]
    public async Task UploadingAZipOfTheFixturesImportsBothTraces()
    {
        var client = _app.CreateClient();
        var form = await FormAsync(client);
        using var zip = new MemoryStream();
        ZipFile.CreateFromDirectory(SharedPaths.Fixtures("thought-anchors"), zip, CompressionLevel.Fastest, includeBaseDirectory: true);
        using var content = Multipart(form, ("archive", "thought-anchors.zip", zip.ToArray()));

        var response = await client.PostAsync("/import", content);

        response.EnsureSuccessStatusCode();
        var page = await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
        Assert.Null(page.QuerySelector("[data-testid=import-error]"));
        Assert.Equal("2", page.QuerySelector("[data-testid=import-added]")?.TextContent);
        Assert.Equal("285", page.QuerySelector("[data-testid=import-sentences]")?.TextContent);
        using var db = _app.CreateDbContext();
        Assert.Equal(["problem_330", "scenario_0"], await db.Set<Trace>().OrderBy(t => t.ExternalKey).Select(t => t.ExternalKey).ToListAsync());
        Assert.Equal(2, await db.Set<TraceViewer.Datasets.Dataset>().CountAsync(d => d.Model == "deepseek-r1-distill-qwen-14b" || d.Model == "qwq-32b"));
    }

    [Fact]
    public async Task UploadingAFolderKeepsTheRelativePaths()
    {
        var client = _app.CreateClient();
        var form = await FormAsync(client);
        var source = SharedPaths.Fixtures("thought-anchors");
        var files = Directory.GetFiles(Path.Combine(source, "qwq-32b"), "*", SearchOption.AllDirectories)
            .Select(f => ("folder", "thought-anchors/" + Path.GetRelativePath(source, f).Replace('\\', '/'), File.ReadAllBytes(f)))
            .ToArray();
        using var content = Multipart(form, files);

        var response = await client.PostAsync("/import", content);

        response.EnsureSuccessStatusCode();
        using var db = _app.CreateDbContext();
        var trace = await db.Set<Trace>().SingleAsync();
        Assert.Equal("thought-anchors/qwq-32b/yes_base_solution/scenario_0", trace.SourcePath);
        Assert.Equal("qwq-32b", trace.Model);
    }

    [Fact]
    public async Task ABrokenUploadShowsTheErrorAndWritesNothing()
    {
        var client = _app.CreateClient();
        var form = await FormAsync(client);
        using var content = Multipart(form, ("folder", "run/model/yes_base_solution/scenario_1/chunks_labeled.json", "[{\"chunk\": "u8.ToArray()));

        var response = await client.PostAsync("/import", content);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains("run/model/yes_base_solution/scenario_1", page.QuerySelector("[data-testid=import-error]")?.TextContent, StringComparison.Ordinal);
        Assert.All(await _app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task AnUploadOverTheSizeLimitIsRefusedWithAMessageThatNamesTheLimit()
    {
        using var app = new TestApp().WithSetting("Import:MaxUploadBytes", "4096");
        var client = app.CreateClient();
        var form = await FormAsync(client);
        using var content = Multipart(form, ("archive", "big.jsonl", new byte[8192]));

        var response = await client.PostAsync("/import", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var page = await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
        var message = page.QuerySelector("[data-testid=import-error]")?.TextContent;
        Assert.Contains("above the limit of 4 KiB (Import:MaxUploadBytes)", message, StringComparison.Ordinal);
        Assert.All(await app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task AnUploadWithMoreFilesThanTheLimitIsRefusedByName()
    {
        using var app = new TestApp().WithSetting("Import:MaxUploadFiles", "3");
        var client = app.CreateClient();
        var form = await FormAsync(client);
        using var content = Multipart(form, [.. Enumerable.Range(0, 30).Select(i => ("folder", $"run/f{i}.json", "[]"u8.ToArray()))]);

        var response = await client.PostAsync("/import", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("(Import:MaxUploadFiles)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APostWithoutTheAntiforgeryTokenIsRefused()
    {
        var client = _app.CreateClient();
        using var content = new MultipartFormDataContent { { new StringContent("import"), "_handler" } };

        var response = await client.PostAsync("/import", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static async Task<Dictionary<string, string>> FormAsync(HttpClient client)
    {
        var page = await new HtmlParser().ParseDocumentAsync(await client.GetStringAsync("/import"));
        var form = page.QuerySelector("form[data-testid=import-form]")!;
        Assert.Equal("multipart/form-data", form.GetAttribute("enctype"));
        Assert.NotNull(form.QuerySelector("input[type=file][webkitdirectory]"));
        return form.QuerySelectorAll("input[type=hidden]").ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");
    }

    private static MultipartFormDataContent Multipart(Dictionary<string, string> fields, params (string Field, string FileName, byte[] Bytes)[] files)
    {
        var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            content.Add(new StringContent(value), name);
        }

        foreach (var (field, fileName, bytes) in files)
        {
            content.Add(new ByteArrayContent(bytes), field, fileName);
        }

        return content;
    }

    public void Dispose() => _app.Dispose();
}
