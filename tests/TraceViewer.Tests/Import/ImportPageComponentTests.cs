using System.Text.Json;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TraceViewer.Import;

namespace TraceViewer.Tests.Import;

/// <summary>
/// The import page's states in bunit, with its script answered by the test: nothing chosen, chosen, sending,
/// importing on the server, imported with links, refused with the server's message, refused before sending.
/// </summary>
public sealed class ImportPageComponentTests : MudComponentTests, IClassFixture<TestApp>
{
    private const string Module = "./Import/ImportPage.razor.js";

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private readonly ImportProgressBoard _board = new();
    private readonly BunitJSModuleInterop _module;

    /// <param name="app">The app's database, for the workspaces the page offers (without accounts: every workspace).</param>
    public ImportPageComponentTests(TestApp app)
    {
        Services.AddSingleton(_board);
        Services.AddSingleton(Options.Create(new ImportOptions { MaxUploadBytes = 100_000_000, MaxUploadFiles = 50 }));
        Services.AddSingleton<AntiforgeryStateProvider>(new FixedToken());
        Services.AddSingleton(new TraceViewer.Components.QueryScope<TraceViewer.Traces.WorkspaceWrites>(app.Services.GetRequiredService<IServiceScopeFactory>()));
        _module = JSInterop.SetupModule(Module);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    private sealed class FixedToken : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken GetAntiforgeryToken() => new("token-1", "__RequestVerificationToken");
    }

    private static string Text(IRenderedComponent<ImportPage> page, string testId) => page.Find($"[data-testid={testId}]").TextContent.Trim();

    private static bool SubmitDisabled(IRenderedComponent<ImportPage> page) => page.Find("[data-testid=import-submit]").HasAttribute("disabled");

    /// <summary>The page once it has read the workspaces the user may import into (its form shows then).</summary>
    private IRenderedComponent<ImportPage> RenderPage()
    {
        var page = Render<ImportPage>();
        page.WaitForElement("[data-testid=import-form]");
        return page;
    }

    private IRenderedComponent<ImportPage> Chosen(int files = 3, double bytes = 50e6, string? folder = "deepseek-r1-distill-qwen-14b")
    {
        var page = RenderPage();
        page.InvokeAsync(() => page.Instance.Chosen(new ImportPage.ChosenFiles(files, bytes, folder, ["a.json"])));
        return page;
    }

    [Fact]
    public void UntilSomethingIsChosenTheImportButtonIsDisabled()
    {
        var page = RenderPage();

        Assert.Equal("Nothing chosen yet.", Text(page, "import-chosen"));
        Assert.True(SubmitDisabled(page));
        Assert.Equal("token-1", page.Find("input[name=__RequestVerificationToken]").GetAttribute("value"));
    }

    [Fact]
    public void ChosenFilesAreDescribedAndCanBeImported()
    {
        var page = Chosen();

        page.WaitForAssertion(() => Assert.Equal("Folder deepseek-r1-distill-qwen-14b: 3 files, 50 MB", Text(page, "import-chosen")));
        Assert.False(SubmitDisabled(page));
    }

    [Fact]
    public void WhileSendingAndImportingTheButtonIsBusyAndProgressIsShown()
    {
        var upload = _module.Setup<ImportPage.UploadAnswer>("upload", _ => true);
        var page = Chosen();
        page.WaitForAssertion(() => Assert.False(SubmitDisabled(page)));

        page.Find("[data-testid=import-submit]").Click();

        page.WaitForAssertion(() => Assert.Equal("sending", page.Find("[data-testid=import-progress]").GetAttribute("data-stage")));
        Assert.True(SubmitDisabled(page));
        Assert.Equal("Importing…", Text(page, "import-submit"));
        Assert.All(page.FindAll("input[type=file]"), input => Assert.True(input.HasAttribute("disabled")));
        var call = Assert.Single(upload.Invocations);
        Assert.StartsWith("/import/upload?progress=", (string)call.Arguments[1]!, StringComparison.Ordinal);
        Assert.Equal("token-1", call.Arguments[2]);

        page.InvokeAsync(() => page.Instance.Sent(25e6, 50e6));
        page.WaitForAssertion(() => Assert.StartsWith("Sending 25 MB of 50 MB (50%)", Text(page, "import-progress-text"), StringComparison.Ordinal));
        page.InvokeAsync(() => page.Instance.Delivered());
        page.WaitForAssertion(() => Assert.Equal("Sent. Importing on the server…", Text(page, "import-progress-text")));
        var id = Guid.Parse(((string)call.Arguments[1]!).Split('=')[1]);
        _board.Report(id, new ImportStage("reading", 3, 10));
        page.WaitForAssertion(() => Assert.Equal("Reading files: 3 of 10", Text(page, "import-progress-text")));
        _board.Report(id, new ImportStage("writing", 1, 2));
        page.WaitForAssertion(() => Assert.Equal("Writing traces: 1 of 2", Text(page, "import-progress-text")));

        var result = new ImportResultView(1, 0, 1, 139, 0, 2.5, ["problem_330: a warning <b>as text</b>"],
            [new ImportResultDataset(4, "thought-anchors-viewer/m/correct_base_solution", "m / correct_base_solution", 2)],
            [new ImportedTraceRow(11, "Problem 330", 4, ImportChange.Added, "m/correct_base_solution/problem_330"), new ImportedTraceRow(12, "Problem 331", 4, ImportChange.Unchanged)], 2);
        _module.Setup<ImportPage.ChosenFiles>("clear", _ => true).SetResult(new ImportPage.ChosenFiles(0, 0, null, []));
        upload.SetResult(new ImportPage.UploadAnswer(200, JsonSerializer.Serialize(result, Web)));

        page.WaitForAssertion(() => Assert.Equal("1", Text(page, "import-added")));
        Assert.Empty(page.FindAll("[data-testid=import-progress]"));
        Assert.Equal("/traces?dataset=4", page.Find("[data-testid=import-datasets] a").GetAttribute("href"));
        Assert.Equal(["/traces/11", "/traces/12"], page.FindAll("[data-testid=import-traces] a").Select(a => a.GetAttribute("href")));
        Assert.Equal(["added", "unchanged"], page.FindAll("[data-testid=import-traces] li").Select(li => li.GetAttribute("data-change")));
        Assert.Equal("· m/correct_base_solution/problem_330", page.Find("[data-testid=import-traces] .import-source").TextContent.Trim());
        Assert.Equal("problem_330: a warning <b>as text</b>", Text(page, "import-warnings"));
        Assert.Equal("Nothing chosen yet.", Text(page, "import-chosen"));
        Assert.True(SubmitDisabled(page));
    }

    [Theory]
    [InlineData(422, """{"title":"Nothing was imported","status":422,"detail":"results.json, line 1: invalid or truncated JSON: expected a value"}""", "results.json, line 1: invalid or truncated JSON: expected a value")]
    [InlineData(413, """{"title":"Upload refused","status":413,"detail":"The upload is larger than the limit of 1 GiB (Import:MaxUploadBytes). Nothing was imported."}""", "The upload is larger than the limit of 1 GiB (Import:MaxUploadBytes). Nothing was imported.")]
    [InlineData(502, "<html>Bad gateway</html>", "The server answered HTTP 502; nothing was imported.")]
    [InlineData(0, "", "The connection closed before the server answered. Nothing may have been imported; if the upload is large, the server's limit is 100,000,000 bytes (Import:MaxUploadBytes).")]
    public void ARefusedUploadShowsWhatTheServerSaidAndTheButtonComesBack(int status, string body, string shown)
    {
        _module.Setup<ImportPage.UploadAnswer>("upload", _ => true).SetResult(new ImportPage.UploadAnswer(status, body));
        var page = Chosen();
        page.WaitForAssertion(() => Assert.False(SubmitDisabled(page)));

        page.Find("[data-testid=import-submit]").Click();

        page.WaitForAssertion(() => Assert.Equal(shown, Text(page, "import-error")));
        Assert.Equal(status switch { 0 => "The upload was cut off", 413 => "Upload refused", _ => "Nothing was imported" }, page.Find(".import-error-title").TextContent);
        Assert.False(SubmitDisabled(page));
        Assert.Empty(page.FindAll("[data-testid=import-summary]"));
    }

    [Theory]
    [InlineData(3, 150e6, "The chosen files are 150 MB, above the limit of 100,000,000 bytes (Import:MaxUploadBytes). Nothing was imported.")]
    [InlineData(60, 1e6, "60 files are more than the limit of 50 (Import:MaxUploadFiles). Nothing was imported.")]
    public void ChosenFilesOverALimitAreRefusedBeforeSendingWithTheLimitNamed(int files, double bytes, string shown)
    {
        var upload = _module.Setup<ImportPage.UploadAnswer>("upload", _ => true);
        var page = Chosen(files, bytes);
        page.WaitForAssertion(() => Assert.False(SubmitDisabled(page)));

        page.Find("[data-testid=import-submit]").Click();

        page.WaitForAssertion(() => Assert.Equal(shown, Text(page, "import-error")));
        Assert.Empty(upload.Invocations);
    }
}
