using System.CommandLine;
using System.Net;
using System.Net.Http.Json;
using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Accounts;
using TraceViewer.Datasets;
using TraceViewer.Import;
using TraceViewer.Queues;
using TraceViewer.Tags;
using TraceViewer.Tests.Accounts;
using TraceViewer.Tests.Import;
using TraceViewer.Traces;
using TraceViewer.Workspaces;

namespace TraceViewer.Tests.Workspaces;

/// <summary>
/// Imports, queues and job control are checked against the role in the workspace concerned: the researcher of
/// <see cref="RolesWorld"/> (researcher in Alpha, reader in Beta) imports into Alpha and Default and is refused in Beta,
/// makes and changes queues only on Alpha's dataset, and pauses, resumes and cancels only jobs on Alpha's traces.
/// </summary>
public sealed class WorkspaceImportTests : IDisposable
{
    private const string QwqKey = "thought-anchors-viewer/qwq-32b/yes_base_solution";

    private readonly TestApp _app = WorkspaceRolesTests.WithLoopProvider(new TestApp());

    public void Dispose() => _app.Dispose();

    private static (string, string, byte[])[] Qwq => UploadClient.Folder(SharedPaths.Fixtures("thought-anchors", "qwq-32b"), "thought-anchors/qwq-32b");

    private static (string, string, byte[])[] DeepSeek =>
        UploadClient.Folder(SharedPaths.Fixtures("thought-anchors", "deepseek-r1-distill-qwen-14b"), "thought-anchors/deepseek-r1-distill-qwen-14b");

    [Fact]
    public async Task AnUploadLandsInTheChosenWorkspaceOnlyWhereTheRoleThereAllowsIt() => await UploadsOnlyWhereTheRoleAllowsAsync(_app);

    [Fact]
    public async Task ReimportingADatasetIntoAnotherWorkspaceIsRefusedByName() => await ReimportElsewhereIsRefusedAsync(_app);

    [Fact]
    public async Task QueuesAreMadeChangedAndMarkedOnlyWhereTheRoleAllows() => await QueuesOnlyWhereTheRoleAllowsAsync(_app);

    [Fact]
    public async Task JobsArePausedResumedAndCancelledOnlyWhereTheRoleAllows() => await JobControlOnlyWhereTheRoleAllowsAsync(_app);

    private static (string, string, byte[])[] Problem330 =>
        UploadClient.Folder(SharedPaths.Fixtures("thought-anchors", "deepseek-r1-distill-qwen-14b", "correct_base_solution", "problem_330"), "problem_330");

    private const string DeepSeekDatasetName = "deepseek-r1-distill-qwen-14b / correct_base_solution";

    /// <summary>
    /// An item folder uploaded alone (no model named) is matched by content only within the workspace it is imported
    /// into: the same content stored under its model in Gamma (which the researcher reads but is no member of) is neither
    /// matched, changed nor named by an import into Alpha, which stores a new trace; an import into Gamma matches it as before.
    /// </summary>
    [Fact]
    public async Task AnUnnamedItemIsMatchedByContentOnlyInTheWorkspaceItIsImportedInto()
    {
        var (gamma, admin, adminToken, researcher, token) = await GammaWorldAsync();
        var stored = await UploadAsync(admin, adminToken, "Gamma", DeepSeek);
        Assert.Equal((HttpStatusCode.OK, 1), (stored.Status, stored.Count("tracesAdded")));
        var (gammaTrace, gammaDataset, gammaHash) = await SingleTraceAsync(gamma);
        // Readable by every signed-in account, so the researcher could see it: the workspace alone keeps it apart.
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            Assert.Null(await scope.ServiceProvider.GetRequiredService<WorkspaceService>().PlaceAsync(gammaDataset, gamma, DatasetVisibility.SignedIn));
        }

        var intoAlpha = await UploadAsync(researcher, token, "Alpha", Problem330);

        Assert.Equal(HttpStatusCode.OK, intoAlpha.Status);
        Assert.Equal((1, 0, 0), (intoAlpha.Count("tracesAdded"), intoAlpha.Count("tracesUpdated"), intoAlpha.Count("tracesUnchanged")));
        Assert.DoesNotContain(DeepSeekDatasetName, intoAlpha.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Gamma", intoAlpha.Body, StringComparison.Ordinal);
        Assert.Equal((gammaTrace, gammaDataset, gammaHash), await SingleTraceAsync(gamma));
        await using (var db = _app.CreateDbContext())
        {
            var inAlpha = await db.Set<Trace>().IgnoreQueryFilters().Where(t => t.Dataset!.WorkspaceId == _alpha && t.Dataset.Key.StartsWith("thought-anchors-viewer/"))
                .Select(t => t.Dataset!.Name).SingleAsync();
            Assert.Equal("correct_base_solution, model not named", inAlpha);
        }

        var intoGamma = await UploadAsync(admin, adminToken, "Gamma", Problem330);

        Assert.Equal(HttpStatusCode.OK, intoGamma.Status);
        Assert.Equal((0, 0, 1), (intoGamma.Count("tracesAdded"), intoGamma.Count("tracesUpdated"), intoGamma.Count("tracesUnchanged")));
        Assert.Equal(DeepSeekDatasetName, intoGamma.Result!.Value.GetProperty("datasets")[0].GetProperty("name").GetString());
        Assert.Equal((gammaTrace, gammaDataset, gammaHash), await SingleTraceAsync(gamma));
    }

    /// <summary>
    /// The other direction: an item stored alone in Alpha is not moved into the model's dataset by a later import of the
    /// model's folder into Gamma (it would take the trace from Alpha). The model's dataset now being Gamma's, its import into
    /// Alpha is refused without naming it, as any dataset stored elsewhere.
    /// </summary>
    [Fact]
    public async Task AModelFolderImportedIntoAnotherWorkspaceDoesNotMoveAnUnnamedItemOutOfItsWorkspace()
    {
        var (gamma, admin, adminToken, researcher, token) = await GammaWorldAsync();
        var alone = await UploadAsync(researcher, token, "Alpha", Problem330);
        Assert.Equal((HttpStatusCode.OK, 1), (alone.Status, alone.Count("tracesAdded")));
        var alphaTrace = alone.Result!.Value.GetProperty("traces")[0].GetProperty("id").GetInt32();

        var intoGamma = await UploadAsync(admin, adminToken, "Gamma", DeepSeek);

        Assert.Equal(HttpStatusCode.OK, intoGamma.Status);
        Assert.Equal((1, 0), (intoGamma.Count("tracesAdded"), intoGamma.Count("tracesUpdated")));
        Assert.DoesNotContain("model not named", intoGamma.Body, StringComparison.Ordinal);
        Assert.NotEqual(alphaTrace, (await SingleTraceAsync(gamma)).Id);
        await using (var db = _app.CreateDbContext())
        {
            Assert.Equal(_alpha, await db.Set<Trace>().IgnoreQueryFilters().Where(t => t.Id == alphaTrace).Select(t => t.Dataset!.WorkspaceId).SingleAsync());
        }

        var intoAlpha = await UploadAsync(researcher, token, "Alpha", DeepSeek);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, intoAlpha.Status);
        Assert.Contains("is taken by a dataset in another workspace", intoAlpha.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Gamma", intoAlpha.Error, StringComparison.Ordinal);
    }

    private int _alpha;

    /// <summary><see cref="RolesWorld"/> and a workspace Gamma the researcher is no member of; clients of the admin and the researcher.</summary>
    private async Task<(int Gamma, HttpClient Admin, string AdminToken, HttpClient Researcher, string Token)> GammaWorldAsync()
    {
        var world = await RolesWorld.BuildAsync(_app);
        _alpha = world.Alpha;
        int gamma;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            gamma = (await scope.ServiceProvider.GetRequiredService<WorkspaceService>().CreateAsync("Gamma")).Id!.Value;
        }

        var admin = await SignInAsync(_app, "admin@example.test");
        var researcher = await SignInAsync(_app, RolesWorld.Researcher);
        return (gamma, admin, await UploadClient.TokenAsync(admin), researcher, await UploadClient.TokenAsync(researcher));
    }

    /// <summary>The one trace of workspace <paramref name="workspace"/>: its id, dataset and content hash.</summary>
    private async Task<(int Id, int DatasetId, string? Hash)> SingleTraceAsync(int workspace)
    {
        await using var db = _app.CreateDbContext();
        var trace = await db.Set<Trace>().IgnoreQueryFilters().Where(t => t.Dataset!.WorkspaceId == workspace).SingleAsync();
        return (trace.Id, trace.DatasetId, trace.ContentHash);
    }

    [Fact]
    public async Task TheImportPageOffersTheWorkspacesWhereTheAccountMayImport()
    {
        var world = await RolesWorld.BuildAsync(_app);
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var writes = scope.ServiceProvider.GetRequiredService<WorkspaceWrites>();
            var researcher = await (await AccountAccess.ForAsync(_app, RolesWorld.Researcher)).UserAsync();
            var tagger = await (await AccountAccess.ForAsync(_app, RolesWorld.Tagger)).UserAsync();
            var admin = await (await AccountAccess.ForAsync(_app, "admin@example.test")).UserAsync();

            Assert.Equal(["Default", "Alpha"], (await writes.WorkspacesWhereAsync(researcher, AccessPolicies.Research)).Select(w => w.Name));
            Assert.Empty(await writes.WorkspacesWhereAsync(tagger, AccessPolicies.Research));
            Assert.Equal(["Default", "Alpha", "Beta"], (await writes.WorkspacesWhereAsync(admin, AccessPolicies.Research)).Select(w => w.Name));
            Assert.Equal([world.Alpha], (await writes.WorkspacesWhereAsync(tagger, AccessPolicies.Annotate)).Select(w => w.Id).Where(id => id != Workspace.DefaultId));
        }

        var page = await PageAsync(await SignInAsync(_app, RolesWorld.Researcher), "/import");
        var form = page.QuerySelector("[data-testid=import-form]")!;
        Assert.NotNull(form.QuerySelector("[data-testid=import-workspace]"));
        Assert.Contains(form.QuerySelectorAll("input"), i => i.GetAttribute("value") == "Default");
        var refused = await PageAsync(await SignInAsync(_app, RolesWorld.Tagger), "/import");
        Assert.Null(refused.QuerySelector("[data-testid=import-form]"));
        Assert.NotNull(refused.QuerySelector("[data-testid=import-not-allowed]"));
    }

    [Fact]
    public async Task TheImportCommandTakesAWorkspaceByName()
    {
        var world = await RolesWorld.BuildAsync(_app);
        var folder = SharedPaths.Fixtures("thought-anchors", "qwq-32b");

        var unknown = await RunAsync("import", folder, "--workspace", "Gamma");
        var intoAlpha = await RunAsync("import", folder, "--workspace", "Alpha");
        var intoDefault = await RunAsync("import", folder, "--workspace", "Default");
        var again = await RunAsync("import", folder);

        Assert.Equal(1, unknown.Exit);
        Assert.Contains("there is no workspace named \"Gamma\"", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(0, intoAlpha.Exit);
        Assert.Equal(1, intoDefault.Exit);
        Assert.Contains($"is in workspace \"Alpha\", not \"Default\"", intoDefault.Error, StringComparison.Ordinal);
        // Without --workspace a stored dataset is written where it is; new ones would go to Default.
        Assert.Equal(0, again.Exit);
        Assert.Contains("1 unchanged", again.Output, StringComparison.Ordinal);
        await using var db = _app.CreateDbContext();
        Assert.Equal(world.Alpha, await db.Set<Dataset>().Where(d => d.Key == QwqKey).Select(d => d.WorkspaceId).SingleAsync());
    }

    internal static async Task UploadsOnlyWhereTheRoleAllowsAsync(TestApp app)
    {
        var world = await RolesWorld.BuildAsync(app);
        var researcher = await SignInAsync(app, RolesWorld.Researcher);
        var token = await UploadClient.TokenAsync(researcher);
        var tagger = await SignInAsync(app, RolesWorld.Tagger);
        var before = await TraceCountAsync(app);

        var intoBeta = await UploadAsync(researcher, token, "Beta", Qwq);
        var intoNowhere = await UploadAsync(researcher, token, "Gamma", Qwq);
        var byAnnotator = await UploadAsync(tagger, token, "Alpha", Qwq);

        Assert.Equal(HttpStatusCode.Forbidden, intoBeta.Status);
        Assert.Equal("This needs the researcher role in workspace \"Beta\"; your role there is reader. Nothing was imported.", intoBeta.Error);
        Assert.Equal(HttpStatusCode.BadRequest, intoNowhere.Status);
        Assert.Equal("There is no workspace named \"Gamma\". Nothing was imported.", intoNowhere.Error);
        // The account-wide role stays the ceiling: an annotator imports nowhere (the endpoint's policy, before any workspace).
        Assert.NotEqual(HttpStatusCode.OK, byAnnotator.Status);
        Assert.Equal(before, await TraceCountAsync(app));

        var intoAlpha = await UploadAsync(researcher, token, "Alpha", Qwq);
        var byId = await UploadAsync(researcher, token, world.Alpha.ToString(System.Globalization.CultureInfo.InvariantCulture), Qwq);
        var withoutField = await UploadClient.PostAsync(researcher, UploadClient.Content(DeepSeek), token);

        Assert.Equal(HttpStatusCode.OK, intoAlpha.Status);
        Assert.Equal(1, intoAlpha.Count("tracesAdded"));
        Assert.Equal((HttpStatusCode.OK, 1), (byId.Status, byId.Count("tracesUnchanged")));
        Assert.Equal(HttpStatusCode.OK, withoutField.Status);
        await using var db = app.CreateDbContext();
        var placed = await db.Set<Dataset>().Where(d => d.Key.StartsWith("thought-anchors-viewer/")).ToDictionaryAsync(d => d.Key, d => d.WorkspaceId);
        Assert.Equal(world.Alpha, placed[QwqKey]);
        Assert.Equal(Workspace.DefaultId, Assert.Single(placed, p => p.Key != QwqKey).Value);
    }

    internal static async Task ReimportElsewhereIsRefusedAsync(TestApp app)
    {
        var world = await RolesWorld.BuildAsync(app);
        var admin = await SignInAsync(app, "admin@example.test");
        var adminToken = await UploadClient.TokenAsync(admin);
        var researcher = await SignInAsync(app, RolesWorld.Researcher);
        var token = await UploadClient.TokenAsync(researcher);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.NotNull((await scope.ServiceProvider.GetRequiredService<WorkspaceService>().CreateAsync("Gamma")).Id);
        }

        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(admin, adminToken, "Alpha", Qwq)).Status);
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(admin, adminToken, "Gamma", DeepSeek)).Status);
        var before = await TraceCountAsync(app);

        // The admin writes everywhere, and is still told where the dataset is rather than having it moved.
        var moved = await UploadAsync(admin, adminToken, "Beta", Qwq);
        // The researcher reads Alpha's dataset: it is named with its workspace.
        var intoDefault = await UploadAsync(researcher, token, "Default", Qwq);
        // The researcher is not a member of Gamma and does not read its private dataset: only the key is named.
        var hidden = await UploadAsync(researcher, token, "Alpha", DeepSeek);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, moved.Status);
        Assert.Contains($"dataset \"qwq-32b / yes_base_solution\" ({QwqKey}) is in workspace \"Alpha\", not \"Beta\"", moved.Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, intoDefault.Status);
        Assert.Contains("is in workspace \"Alpha\", not \"Default\"; import it into \"Alpha\"", intoDefault.Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, hidden.Status);
        Assert.Contains("is taken by a dataset in another workspace, so it cannot be imported into \"Alpha\"", hidden.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Gamma", hidden.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("deepseek-r1-distill-qwen-14b / ", hidden.Error, StringComparison.Ordinal);
        Assert.Equal(before, await TraceCountAsync(app));
        await using var db = app.CreateDbContext();
        Assert.Equal(world.Alpha, await db.Set<Dataset>().Where(d => d.Key == QwqKey).Select(d => d.WorkspaceId).SingleAsync());
    }

    internal static async Task QueuesOnlyWhereTheRoleAllowsAsync(TestApp app)
    {
        var world = await RolesWorld.BuildAsync(app);
        int alphaDataset, taxonomy;
        await using (var db = app.CreateDbContext())
        {
            alphaDataset = await db.Set<Trace>().Where(t => t.Id == world.AlphaTrace).Select(t => t.DatasetId).SingleAsync();
            taxonomy = await db.Set<Taxonomy>().Where(t => t.Name == BuiltInTaxonomies.Reasoning).Select(t => t.Id).SingleAsync();
        }

        var researcher = await AccountAccess.ForAsync(app, RolesWorld.Researcher);
        var tagger = await AccountAccess.ForAsync(app, RolesWorld.Tagger);
        var admin = await AccountAccess.ForAsync(app, "admin@example.test");
        QueueRequest Request(int dataset, string annotator) => new() { Name = $"queue {dataset}", DatasetId = dataset, TaxonomyId = taxonomy, Annotators = [annotator], Overlap = 1 };

        var choices = await StoreAsync(app, researcher, s => s.ChoicesAsync(CancellationToken.None));
        var refused = await Assert.ThrowsAsync<QueueRequestException>(() => StoreAsync(app, researcher, s => s.CreateAsync(Request(world.BetaDataset, tagger.UserId), CancellationToken.None)));
        var alphaQueue = await StoreAsync(app, researcher, s => s.CreateAsync(Request(alphaDataset, tagger.UserId), CancellationToken.None));
        var betaQueue = await StoreAsync(app, admin, s => s.CreateAsync(Request(world.BetaDataset, tagger.UserId), CancellationToken.None));

        Assert.Equal([alphaDataset], choices.Datasets.Select(d => d.Id).Where(id => id == alphaDataset || id == world.BetaDataset));
        Assert.Equal("This needs the researcher role in workspace \"Beta\"; your role there is reader.", refused.Errors[nameof(QueueRequest.DatasetId)]);
        // The annotator marks its items where it is an annotator, not where it is a reader.
        Assert.True(await StoreAsync(app, tagger, s => s.MarkAsync(alphaQueue, 0, AssignmentState.Done, CancellationToken.None)));
        Assert.False(await StoreAsync(app, tagger, s => s.MarkAsync(betaQueue, 0, AssignmentState.Done, CancellationToken.None)));

        Assert.True(await StoreAsync(app, researcher, s => s.MayChangeAsync(alphaQueue, CancellationToken.None)));
        Assert.NotNull(await StoreAsync(app, researcher, s => s.RedealAsync(alphaQueue, new QueueEdit { Annotators = [tagger.UserId], Overlap = 1 }, CancellationToken.None)));

        // Made a reader in Alpha, the queue's maker can no longer change it; the change form is not offered.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.Null(await scope.ServiceProvider.GetRequiredService<WorkspaceService>().SetMemberAsync(world.Alpha, researcher.UserId, Roles.Reader));
        }

        Assert.False(await StoreAsync(app, researcher, s => s.MayChangeAsync(alphaQueue, CancellationToken.None)));
        var redeal = await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
            StoreAsync(app, researcher, s => s.RedealAsync(alphaQueue, new QueueEdit { Annotators = [tagger.UserId], Overlap = 1 }, CancellationToken.None)));
        Assert.Equal("This needs the researcher role in workspace \"Alpha\"; your role there is reader.", redeal.Message);
        Assert.DoesNotContain((await StoreAsync(app, researcher, s => s.ChoicesAsync(CancellationToken.None))).Datasets, d => d.Id == alphaDataset);
    }

    internal static async Task JobControlOnlyWhereTheRoleAllowsAsync(TestApp app)
    {
        var world = await RolesWorld.BuildAsync(app);
        var admin = await SignInAsync(app, "admin@example.test");
        var researcher = await SignInAsync(app, RolesWorld.Researcher);
        async Task<int> StartAsync(object request)
        {
            var response = await admin.PostAsync("/api/jobs", JsonContent.Create(request));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt32();
        }

        var alphaJob = await StartAsync(new { kind = "resample", traceId = world.AlphaTrace, n = 1, provider = "loop", model = "m" });
        var betaJob = await StartAsync(new { kind = "resample", traceId = world.BetaTrace, n = 1, provider = "loop", model = "m" });
        var bothJob = await StartAsync(new { kind = "resample", traceIds = new[] { world.AlphaTrace, world.BetaTrace }, n = 1, provider = "loop", model = "m" });

        var pauseAlpha = await researcher.PostAsync($"/api/jobs/{alphaJob}/pause", null);
        var resumeAlpha = await researcher.PostAsync($"/api/jobs/{alphaJob}/resume", null);
        var pauseBeta = await researcher.PostAsync($"/api/jobs/{betaJob}/pause", null);
        var cancelBeta = await researcher.PostAsync($"/api/jobs/{betaJob}/cancel", null);
        var cancelBoth = await researcher.PostAsync($"/api/jobs/{bothJob}/cancel", null);
        var cancelAlpha = await researcher.PostAsync($"/api/jobs/{alphaJob}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, pauseAlpha.StatusCode);
        Assert.Equal(HttpStatusCode.OK, resumeAlpha.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, pauseBeta.StatusCode);
        Assert.Equal("This needs the researcher role in workspace \"Beta\"; your role there is reader.",
            (await pauseBeta.Content.ReadFromJsonAsync<Microsoft.AspNetCore.Mvc.ProblemDetails>())!.Detail);
        Assert.Equal(HttpStatusCode.Forbidden, cancelBeta.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, cancelBoth.StatusCode);
        Assert.Equal(HttpStatusCode.OK, cancelAlpha.StatusCode);
        await using (var db = app.CreateDbContext())
        {
            var statuses = await db.Set<TraceViewer.Jobs.Job>().OrderBy(j => j.Id).Select(j => j.Status).ToListAsync();
            Assert.Equal([TraceViewer.Jobs.JobStatus.Cancelled, TraceViewer.Jobs.JobStatus.Queued, TraceViewer.Jobs.JobStatus.Queued], statuses);
        }

        // The jobs page offers the buttons on the jobs the researcher may change only.
        var page = await PageAsync(researcher, "/jobs");
        Assert.Null(page.QuerySelector($"[aria-label='Job {betaJob} actions']"));
        Assert.Null(page.QuerySelector($"[aria-label='Job {bothJob} actions']"));
        var adminPage = await PageAsync(admin, "/jobs");
        Assert.NotNull(adminPage.QuerySelector($"[aria-label='Job {betaJob} actions']"));
    }

    private static async Task<T> StoreAsync<T>(TestApp app, IAccess access, Func<QueueStore, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var store = new QueueStore(scope.ServiceProvider.GetRequiredService<TraceViewer.Data.TraceViewerDbContext>(), access,
            app.Services.GetRequiredService<AccountsState>(), app.Clock);
        return await work(store);
    }

    private static async Task<UploadAnswer> UploadAsync(HttpClient client, string token, string workspace, (string, string, byte[])[] files)
    {
        using var content = new MultipartFormDataContent { { new StringContent(workspace), ImportEndpoints.WorkspaceField } };
        foreach (var (field, name, bytes) in files)
        {
            content.Add(new ByteArrayContent(bytes), field, name);
        }

        return await UploadClient.PostAsync(client, content, token);
    }

    private static async Task<int> TraceCountAsync(TestApp app)
    {
        await using var db = app.CreateDbContext();
        return await db.Set<Trace>().IgnoreQueryFilters().CountAsync();
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand { ImportCommands.Import(_app.Services) };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private static Task<HttpClient> SignInAsync(TestApp app, string email) => WorkspaceRolesTests.SignInAsync(app, email);

    private static Task<AngleSharp.Html.Dom.IHtmlDocument> PageAsync(HttpClient client, string url) => WorkspaceRolesTests.PageAsync(client, url);
}
