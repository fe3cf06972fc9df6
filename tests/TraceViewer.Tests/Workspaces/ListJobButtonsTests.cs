using System.Net;
using System.Net.Http.Json;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Accounts;
using TraceViewer.Datasets;
using TraceViewer.Tests.Accounts;
using TraceViewer.Tests.Studies;
using TraceViewer.Workspaces;
using static TraceViewer.Tests.Workspaces.WorkspaceRolesTests;

namespace TraceViewer.Tests.Workspaces;

/// <summary>
/// "Resample these" and "Judge these" over the trace list and a study condition are shown exactly when the server accepts
/// the job they lead to: each test opens the page as one caller and posts the listed traces as a resample job and as a
/// judge job, and the buttons and the answers must agree.
/// </summary>
public sealed class ListJobButtonsTests : IDisposable
{
    private readonly TestApp _app = WithLoopProvider(new TestApp());

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task TheLocalOwnerGetsTheButtonsAndTheJobs()
    {
        await TraceSeeder.SeedAsync(_app, new TraceSeed { DatasetKey = "owner/x", DatasetName = "Owner problems", Title = "Owner trace", Sentences = ["One.", "Two."] });
        var study = await ButtonsWorld.SeedStudyAsync(_app, "Owner study");

        await AgreesWithTheServerAsync(_app.NewClient(), "/traces", expected: true);
        await AgreesWithTheServerAsync(_app.NewClient(), $"/datasets/{study}/study?variant=baseline&tier=free", expected: true);
    }

    [Fact]
    public async Task AResearcherInTheWorkspaceGetsTheButtonsAndTheJobs()
    {
        var world = await ButtonsWorld.BuildAsync(_app);
        var client = await SignInAsync(_app, ButtonsWorld.AlphaResearcher);

        await AgreesWithTheServerAsync(client, $"/traces?dataset={world.AlphaDataset}", expected: true);
        await AgreesWithTheServerAsync(client, $"/datasets/{world.AlphaStudy}/study?variant=baseline&tier=free", expected: true);
    }

    [Fact]
    public async Task AnAnnotatorInTheWorkspaceGetsNeitherThoughResearcherOverall()
    {
        var world = await ButtonsWorld.BuildAsync(_app);
        var client = await SignInAsync(_app, ButtonsWorld.AlphaAnnotator);

        await AgreesWithTheServerAsync(client, $"/traces?dataset={world.AlphaDataset}", expected: false);
        await AgreesWithTheServerAsync(client, $"/datasets/{world.AlphaStudy}/study?variant=baseline&tier=free", expected: false);
    }

    [Fact]
    public async Task AResearcherWhoReadsButIsNoMemberGetsNeither()
    {
        var world = await ButtonsWorld.BuildAsync(_app);
        var client = await SignInAsync(_app, ButtonsWorld.Outsider);

        await AgreesWithTheServerAsync(client, $"/traces?dataset={world.AlphaDataset}", expected: false);
        await AgreesWithTheServerAsync(client, $"/datasets/{world.AlphaStudy}/study?variant=baseline&tier=free", expected: false);
    }

    [Fact]
    public async Task AResearcherOfAnotherWorkspaceGetsTheButtonsOnlyOverItsOwnTraces()
    {
        var world = await ButtonsWorld.BuildAsync(_app);
        var beta = await SignInAsync(_app, ButtonsWorld.BetaResearcher);
        var alpha = await SignInAsync(_app, ButtonsWorld.AlphaResearcher);

        await AgreesWithTheServerAsync(beta, $"/traces?dataset={world.AlphaDataset}", expected: false);
        await AgreesWithTheServerAsync(beta, $"/datasets/{world.AlphaStudy}/study?variant=baseline&tier=free", expected: false);
        await AgreesWithTheServerAsync(beta, $"/traces?dataset={world.BetaDataset}", expected: true);
        // The whole list holds Alpha's and Beta's traces: a researcher of only one of them gets no job over both.
        await AgreesWithTheServerAsync(beta, "/traces", expected: false);
        await AgreesWithTheServerAsync(alpha, "/traces", expected: false);
        await AgreesWithTheServerAsync(alpha, $"/traces?dataset={world.BetaDataset}", expected: false);
    }

    [Fact]
    public async Task AnAdminGetsTheButtonsAndTheJobsEverywhere()
    {
        var world = await ButtonsWorld.BuildAsync(_app);
        var admin = await SignInAsync(_app, ButtonsWorld.Admin);

        await AgreesWithTheServerAsync(admin, "/traces", expected: true);
        await AgreesWithTheServerAsync(admin, $"/datasets/{world.AlphaStudy}/study?variant=baseline&tier=free", expected: true);
    }

    /// <summary>
    /// The list asks its workspace question once, whatever it holds: one read of the distinct workspaces of the filtered
    /// traces and one of the memberships beyond what every page reads to work out the visible datasets.
    /// </summary>
    [Fact]
    public async Task TheListReadsTheWorkspacesOfItsTracesAndTheMembershipsOnce()
    {
        var log = new CommandLog();
        using var app = WithLoopProvider(new TestApp()).WithServices(s =>
            s.ConfigureDbContext<TraceViewer.Data.SqliteTraceViewerDbContext>(o => o.AddInterceptors(log)));
        await ButtonsWorld.BuildAsync(app);
        var researcher = await SignInAsync(app, ButtonsWorld.AlphaResearcher);
        static bool Memberships(string c) => c.Contains("FROM \"WorkspaceMembers\"", StringComparison.Ordinal);
        static bool TracesWorkspaces(string c) => c.Contains("FROM \"Trace\"", StringComparison.Ordinal) && c.Contains("\"WorkspaceId\"", StringComparison.Ordinal);

        var before = log.Commands.Count;
        await PageAsync(researcher, "/datasets");
        var baseline = log.Commands.Skip(before).Count(Memberships);
        var workspacesBaseline = log.Commands.Skip(before).Count(TracesWorkspaces);
        before = log.Commands.Count;
        var page = await PageAsync(researcher, "/traces");
        var commands = log.Commands.Skip(before).ToList();

        Assert.True(page.QuerySelectorAll("a.trace-title").Length > 2);
        Assert.Equal(baseline + 1, commands.Count(Memberships));
        Assert.Equal(workspacesBaseline + 1, commands.Count(TracesWorkspaces));
    }

    /// <summary>
    /// Opens <paramref name="url"/> as <paramref name="client"/>, posts the traces it lists as a resample job and as a judge
    /// job, and checks that each button is shown exactly when its job is accepted, and that this is <paramref name="expected"/>.
    /// </summary>
    private static async Task AgreesWithTheServerAsync(HttpClient client, string url, bool expected)
    {
        var page = await PageAsync(client, url);
        var study = url.Contains("/study", StringComparison.Ordinal);
        var ids = page.QuerySelectorAll(study ? "tr.study-trace a" : "a.trace-title")
            .Select(a => int.Parse(a.GetAttribute("href")!.Split('/')[2], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.NotEmpty(ids);
        var resampleShown = page.QuerySelector(study ? "[data-testid=study-resample-all]" : "[data-testid=resample-these]") is not null;
        var judgeShown = page.QuerySelector(study ? "[data-testid=study-judge-all]" : "[data-testid=judge-these]") is not null;

        var resample = await client.PostAsJsonAsync("/api/jobs", new { kind = "resample", traceIds = ids, n = 1, provider = "loop", model = "m" });
        var judge = await client.PostAsJsonAsync("/api/jobs", new { kind = "judge", traceIds = ids, provider = "loop", judge = new { votes = 1, target = "traces" } });

        Assert.True((expected ? HttpStatusCode.Created : HttpStatusCode.Forbidden) == resample.StatusCode, await resample.Content.ReadAsStringAsync());
        Assert.Equal(expected ? HttpStatusCode.Created : HttpStatusCode.Forbidden, judge.StatusCode);
        Assert.Equal(resample.StatusCode == HttpStatusCode.Created, resampleShown);
        Assert.Equal(judge.StatusCode == HttpStatusCode.Created, judgeShown);
    }
}

/// <summary>
/// Two workspaces whose datasets every signed-in account reads: Alpha holds a dataset of two traces and a study of three;
/// Beta a dataset of two traces. Researchers overall, all: one researcher in Alpha (reader in Beta), one annotator in
/// Alpha, one researcher in Beta only, one in no workspace; and an admin.
/// </summary>
internal sealed record ButtonsWorld(int AlphaDataset, int AlphaStudy, int BetaDataset)
{
    public const string Admin = "admin@example.test";
    public const string AlphaResearcher = "alpha-researcher@example.test";
    public const string AlphaAnnotator = "alpha-annotator@example.test";
    public const string BetaResearcher = "beta-researcher@example.test";
    public const string Outsider = "outsider@example.test";

    public static async Task<ButtonsWorld> BuildAsync(TestApp app)
    {
        var alpha1 = await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = "buttons/alpha", DatasetName = "Alpha problems", Title = "Alpha one", Sentences = ["One.", "Two."] });
        await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = "buttons/alpha", DatasetName = "Alpha problems", Title = "Alpha two", SourcePath = "alpha-two", Sentences = ["Three.", "Four."] });
        var beta1 = await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = "buttons/beta", DatasetName = "Beta problems", Title = "Beta one", Sentences = ["One.", "Two."] });
        await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = "buttons/beta", DatasetName = "Beta problems", Title = "Beta two", SourcePath = "beta-two", Sentences = ["Three.", "Four."] });
        var study = await SeedStudyAsync(app, "Alpha study");
        await app.AddAccountAsync(Admin, Roles.Admin);
        var alphaResearcher = await app.AddAccountAsync(AlphaResearcher, Roles.Researcher);
        var alphaAnnotator = await app.AddAccountAsync(AlphaAnnotator, Roles.Researcher);
        var betaResearcher = await app.AddAccountAsync(BetaResearcher, Roles.Researcher);
        await app.AddAccountAsync(Outsider, Roles.Researcher);
        await using var scope = app.Services.CreateAsyncScope();
        var workspaces = scope.ServiceProvider.GetRequiredService<WorkspaceService>();
        var alpha = (await workspaces.CreateAsync("Alpha")).Id!.Value;
        var beta = (await workspaces.CreateAsync("Beta")).Id!.Value;
        Assert.Null(await workspaces.SetMemberAsync(alpha, alphaResearcher, Roles.Researcher));
        Assert.Null(await workspaces.SetMemberAsync(beta, alphaResearcher, Roles.Reader));
        Assert.Null(await workspaces.SetMemberAsync(alpha, alphaAnnotator, Roles.Annotator));
        Assert.Null(await workspaces.SetMemberAsync(beta, betaResearcher, Roles.Researcher));
        Assert.Null(await workspaces.PlaceAsync(alpha1.DatasetId, alpha, DatasetVisibility.SignedIn));
        Assert.Null(await workspaces.PlaceAsync(study, alpha, DatasetVisibility.SignedIn));
        Assert.Null(await workspaces.PlaceAsync(beta1.DatasetId, beta, DatasetVisibility.SignedIn));
        await app.Services.GetRequiredService<AccountsState>().RefreshAsync(force: true);
        return new ButtonsWorld(alpha1.DatasetId, study, beta1.DatasetId);
    }

    /// <summary>A study of two conditions whose traces have a sentence each, so a job over them is valid.</summary>
    public static async Task<int> SeedStudyAsync(TestApp app, string name)
    {
        var study = await StudySeeder.SeedAsync(app, name,
            SeededCondition.Of("baseline", "free", n: 3, compliant: 1, faking: 1), SeededCondition.Of("baseline", "paid", n: 2, compliant: 1, faking: 0));
        await using var db = app.CreateDbContext();
        foreach (var trace in await db.Set<TraceViewer.Traces.Trace>().Where(t => t.DatasetId == study).ToListAsync())
        {
            trace.Reasoning = trace.Response = "I will answer.";
            trace.SentenceCount = 1;
            db.Add(new TraceViewer.Traces.Sentence { TraceId = trace.Id, Index = 0, Text = "I will answer.", Separator = "", Start = 0, End = 14, Summary = "step 0" });
        }

        await db.SaveChangesAsync();
        return study;
    }
}
