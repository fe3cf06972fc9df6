using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TraceViewer.Tests;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Import;

/// <summary>A folder of about 50 MB: copies of the MATH viewer bundle under a model and solution-type folder.</summary>
public sealed class LargeUploadFolder : IDisposable
{
    public const int Problems = 18;

    public LargeUploadFolder()
    {
        var source = SharedPaths.Fixtures("thought-anchors", "deepseek-r1-distill-qwen-14b", "correct_base_solution", "problem_330");
        for (var i = 0; i < Problems; i++)
        {
            var target = Directory.CreateDirectory(Path.Combine(ModelFolder, "correct_base_solution", $"problem_{1000 + i}")).FullName;
            foreach (var file in Directory.GetFiles(source))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        Bytes = Directory.GetFiles(ModelFolder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Files = Directory.GetFiles(ModelFolder, "*", SearchOption.AllDirectories).Length;
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("traceviewer-large-upload-").FullName;

    /// <summary>The folder a reader chooses: its name is the model's.</summary>
    public string ModelFolder => Path.Combine(Root, "upload-model");

    public long Bytes { get; }

    public int Files { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>The app for the import tests, on its own database.</summary>
public sealed class ImportBrowserApp() : BrowserApp(_ => { });

/// <summary>
/// The import page in Chromium: a ~50 MB folder goes up with its progress shown and is imported (its throughput is
/// written to artifacts/import-upload.txt), an upload over the limit is refused naming it, a broken file is named.
/// </summary>
public sealed class ImportPageTests(ImportBrowserApp app, LargeUploadFolder folder, ITestOutputHelper output)
    : IClassFixture<ImportBrowserApp>, IClassFixture<LargeUploadFolder>
{
    /// <summary>Records, in the page, when the progress element changes stage (performance.now() in ms).</summary>
    private const string RecordStages =
        """
        () => {
          window.__stages = [];
          let last = null;
          new MutationObserver(() => {
            const stage = document.querySelector('[data-testid=import-progress]')?.dataset.stage ?? 'none';
            if (stage !== last) { last = stage; window.__stages.push({ stage, at: performance.now() }); }
          }).observe(document.body, { subtree: true, childList: true, attributes: true });
        }
        """;

    private async Task ChooseFolderAsync(IPage page)
    {
        await page.Locator("input[name=folder]").SetInputFilesAsync(folder.ModelFolder);
        await Assertions.Expect(page.Locator("[data-testid=import-chosen]"))
            .ToHaveTextAsync(string.Create(CultureInfo.InvariantCulture, $"Folder upload-model: {folder.Files} files, {folder.Bytes / 1e6:0} MB"));
    }

    [Fact]
    public async Task ALargeFolderUploadShowsItsProgressWhileSendingAndImportingAndLinksToWhatItImported()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync("/import");
        await page.WaitForCircuitAsync();
        await ChooseFolderAsync(page);
        // A network of 8 MB/s up, so sending takes seconds and its progress can be seen.
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Network.enable");
        await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
        {
            ["offline"] = false, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = 8_000_000,
        });
        await page.EvaluateAsync(RecordStages);

        await page.Locator("[data-testid=import-submit]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=import-submit]")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("[data-testid=import-submit]")).ToHaveTextAsync("Importing…");
        await Assertions.Expect(page.Locator("[data-testid=import-progress-text]")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"Sending [1-9]\d* MB of \d+ MB \([1-9]\d*%\)"), new() { Timeout = 20_000 });
        output.WriteLine(await page.ScreenshotAsync("import-sending-laptop"));
        await Assertions.Expect(page.Locator("[data-testid=import-progress]")).ToHaveAttributeAsync("data-stage", "processing", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("[data-testid=import-summary]")).ToBeVisibleAsync(new() { Timeout = 180_000 });
        // Added on a fresh database, unchanged when the other test imported the same folder first.
        var imported = await page.Locator("[data-testid=import-added], [data-testid=import-unchanged]").AllTextContentsAsync();
        Assert.Equal(LargeUploadFolder.Problems, imported.Sum(n => int.Parse(n, CultureInfo.InvariantCulture)));

        var dataset = page.Locator("[data-testid=import-datasets] a");
        await Assertions.Expect(dataset).ToHaveTextAsync("upload-model / correct_base_solution");
        Assert.StartsWith("/traces?dataset=", await dataset.GetAttributeAsync("href"), StringComparison.Ordinal);
        Assert.Equal(LargeUploadFolder.Problems, await page.Locator("[data-testid=import-traces] li").CountAsync());
        await Assertions.Expect(page.Locator("[data-testid=import-chosen]")).ToHaveTextAsync("Nothing chosen yet.");
        var stages = await page.EvaluateAsync<string[]>("() => window.__stages.map(s => s.stage)");
        Assert.Equal(["sending", "processing"], stages.Where(s => s != "none"));
        output.WriteLine(await page.ScreenshotAsync("import-done-laptop"));
        await page.Locator("[data-testid=import-traces] a").First.ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/traces/\\d+"));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task ALargeFolderGoesUpAtLoopbackSpeedAndItsTimesAreWrittenDown()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync("/import");
        await page.WaitForCircuitAsync();
        await ChooseFolderAsync(page);
        await page.EvaluateAsync(RecordStages);
        var started = await page.EvaluateAsync<double>("() => performance.now()");

        await page.Locator("[data-testid=import-submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=import-summary]")).ToBeVisibleAsync(new() { Timeout = 180_000 });

        var stages = (await page.EvaluateAsync<JsonElement>("() => window.__stages")).EnumerateArray()
            .Select(s => (Stage: s.GetProperty("stage").GetString()!, At: s.GetProperty("at").GetDouble())).ToList();
        var sending = stages.First(s => s.Stage == "sending").At;
        var processing = stages.First(s => s.Stage == "processing").At;
        var done = stages.Last(s => s.Stage == "none").At;
        var megabytes = folder.Bytes / 1e6;
        // Added on a fresh database, unchanged when the other test imported the same folder first.
        var added = int.Parse((await page.Locator("[data-testid=import-added]").TextContentAsync())!, CultureInfo.InvariantCulture);
        var unchanged = int.Parse((await page.Locator("[data-testid=import-unchanged]").TextContentAsync())!, CultureInfo.InvariantCulture);
        var report = string.Create(CultureInfo.InvariantCulture,
            $"""
            Import upload in Chromium over loopback (Debug build): {folder.Files} files, {megabytes:0.0} MB ({LargeUploadFolder.Problems} viewer bundles; {added} traces added, {unchanged} unchanged)
            click to sending shown: {sending - started:0} ms
            sending (multipart POST with XMLHttpRequest, streamed to disk): {processing - sending:0} ms = {megabytes / ((processing - sending) / 1000):0} MB/s
            importing on the server (parse and write {LargeUploadFolder.Problems} traces): {done - processing:0} ms
            click to summary: {done - started:0} ms
            """);
        await File.WriteAllTextAsync(Path.Combine(BrowserApp.ArtifactsDirectory, "import-upload.txt"), report);
        output.WriteLine(report);
        Assert.Equal(LargeUploadFolder.Problems, added + unchanged);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task AFolderOverTheUploadLimitIsRefusedBeforeItIsSentWithTheLimitNamed()
    {
        using var small = new TestApp().WithSetting("Import:MaxUploadBytes", (10 << 20).ToString(CultureInfo.InvariantCulture));
        small.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        small.StartServer();
        var address = new Uri(small.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        await using var browser = await BrowserApp.OpenPageAsync(app.Browser, address, Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync("/import");
        await page.WaitForCircuitAsync();
        await ChooseFolderAsync(page);

        await page.Locator("[data-testid=import-submit]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=import-error]"))
            .ToHaveTextAsync($"The chosen files are {folder.Bytes / 1e6:0} MB, above the limit of 10 MiB (Import:MaxUploadBytes). Nothing was imported.");
        await using var db = small.CreateDbContext();
        Assert.Equal(0, await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Set<TraceViewer.Traces.Trace>()));
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task ALoneBrokenJsonFileIsNamedWithItsError(string viewport)
    {
        var broken = Path.Combine(folder.Root, $"broken-{viewport}.json");
        await File.WriteAllTextAsync(broken, "{\"model_id\": \"x\", \"output\": [1, 2");
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync("/import");
        await page.WaitForCircuitAsync();
        await page.Locator("input[name=archive]").SetInputFilesAsync(broken);
        await Assertions.Expect(page.Locator("[data-testid=import-chosen]")).ToHaveTextAsync($"1 file, 33 bytes (broken-{viewport}.json)");

        await page.Locator("[data-testid=import-submit]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=import-error]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(
            $@"^broken-{viewport}\.json, field output\[0\], line 1: invalid or truncated JSON: "));
        Assert.DoesNotContain("traceviewer-upload", await page.Locator("[data-testid=import-error]").TextContentAsync(), StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("[data-testid=import-submit]")).ToBeEnabledAsync();
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"import-error-{viewport}"));
        // The refusal itself answers 422; that one failed request is expected.
        Assert.Equal(["HTTP 422"], browser.Errors.Select(e => e[..8]));
    }
}
