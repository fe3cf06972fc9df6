using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using TraceViewer.Accounts;
using TraceViewer.Datasets;
using TraceViewer.Tags;
using TraceViewer.Tests.Accounts;
using TraceViewer.Workspaces;

namespace TraceViewer.Tests.Workspaces;

/// <summary>
/// Writes are checked against the writer's role in the dataset's workspace: an annotator in Alpha who is a reader in Beta
/// tags Alpha's trace and is refused on Beta's; a researcher in Alpha who is a reader in Beta starts jobs only on Alpha's.
/// </summary>
public sealed class WorkspaceRolesTests : IDisposable
{
    private readonly TestApp _app = WithLoopProvider(new TestApp());

    public void Dispose() => _app.Dispose();

    internal static TestApp WithLoopProvider(TestApp app) =>
        app.WithSetting("Providers:loop:BaseUrl", "http://127.0.0.1:9/v1").WithSetting("Providers:loop:Models:0", "m").WithSetting("Jobs:WorkerEnabled", "false");

    [Fact]
    public async Task AnAnnotatorTagsInItsWorkspaceAndIsRefusedWhereItIsAReader() => await TagsOnlyWhereItsRoleAllowsAsync(_app);

    [Fact]
    public async Task AResearcherStartsJobsInItsWorkspaceAndIsRefusedWhereItIsAReader() => await StartsJobsOnlyWhereItsRoleAllowsAsync(_app);

    [Fact]
    public async Task TheTracePageOffersTaggingAndJobsOnlyWhereTheRoleAllows()
    {
        var world = await RolesWorld.BuildAsync(_app);
        var tagger = await SignInAsync(_app, RolesWorld.Tagger);
        var researcher = await SignInAsync(_app, RolesWorld.Researcher);

        var taggerInAlpha = await PageAsync(tagger, $"/traces/{world.AlphaTrace}");
        var taggerInBeta = await PageAsync(tagger, $"/traces/{world.BetaTrace}");
        var researcherInAlpha = await PageAsync(researcher, $"/traces/{world.AlphaTrace}");
        var researcherInBeta = await PageAsync(researcher, $"/traces/{world.BetaTrace}");

        Assert.Equal("true", taggerInAlpha.QuerySelector(".trace-page")!.GetAttribute("data-may-tag"));
        Assert.Equal("false", taggerInBeta.QuerySelector(".trace-page")!.GetAttribute("data-may-tag"));
        Assert.NotNull(researcherInAlpha.QuerySelector("[data-testid=job-forms]"));
        Assert.Null(researcherInBeta.QuerySelector("[data-testid=job-forms]"));
        Assert.NotNull(researcherInBeta.QuerySelector("[data-testid=jobs-not-allowed]"));
    }

    /// <summary>
    /// Opening a trace, a researcher (who may tag and recompute) costs one read of the trace's workspace and one of its
    /// memberships beyond what every request reads to work out the visible datasets, however many controls ask.
    /// </summary>
    [Fact]
    public async Task TheTracePageReadsTheTracesWorkspaceAndTheMembershipsOnceForAllItsControls()
    {
        var log = new CommandLog();
        using var app = WithLoopProvider(new TestApp()).WithServices(s =>
            s.ConfigureDbContext<TraceViewer.Data.SqliteTraceViewerDbContext>(o => o.AddInterceptors(log)));
        var world = await RolesWorld.BuildAsync(app);
        var researcher = await SignInAsync(app, RolesWorld.Researcher);
        static bool Memberships(string c) => c.Contains("FROM \"WorkspaceMembers\"", StringComparison.Ordinal);
        static bool TracesWorkspace(string c) => c.Contains("FROM \"Trace", StringComparison.Ordinal) && c.Contains("\"WorkspaceId\"", StringComparison.Ordinal);

        // Any page of a restricted caller reads the memberships once, to work out what it reads.
        var before = log.Commands.Count;
        await PageAsync(researcher, "/datasets");
        var baseline = log.Commands.Skip(before).Count(Memberships);
        before = log.Commands.Count;
        var page = await PageAsync(researcher, $"/traces/{world.AlphaTrace}");
        var commands = log.Commands.Skip(before).ToList();

        Assert.Equal("true", page.QuerySelector(".trace-page")!.GetAttribute("data-may-tag"));
        Assert.NotNull(page.QuerySelector("[data-testid=job-forms]"));
        Assert.Equal(baseline + 1, commands.Count(Memberships));
        Assert.Equal(1, commands.Count(TracesWorkspace));
    }

    [Fact]
    public void TheRuleTakesTheWorkspaceRoleUnderTheAccountRoleAndLetsAGlobalAdminWrite()
    {
        var roles = VisibilityRule.WorkspaceRoles(Roles.Annotator, [(7, Roles.Annotator), (8, Roles.Reader), (9, Roles.Admin)]);

        Assert.True(VisibilityRule.MayWrite(Roles.Annotator, roles, 7, Roles.Annotator));
        Assert.False(VisibilityRule.MayWrite(Roles.Annotator, roles, 8, Roles.Annotator));
        Assert.True(VisibilityRule.MayWrite(Roles.Annotator, roles, 8, Roles.Reader));
        // The account-wide role is the ceiling: an admin of workspace 9 who is an annotator overall starts no job there.
        Assert.False(VisibilityRule.MayWrite(Roles.Annotator, roles, 9, Roles.Researcher));
        Assert.True(VisibilityRule.MayWrite(Roles.Annotator, roles, 9, Roles.Annotator));
        // Not a member: no write. The default workspace takes the account's own role.
        Assert.False(VisibilityRule.MayWrite(Roles.Annotator, roles, 10, Roles.Annotator));
        Assert.True(VisibilityRule.MayWrite(Roles.Annotator, roles, Workspace.DefaultId, Roles.Annotator));
        Assert.True(VisibilityRule.MayWrite(Roles.Admin, new Dictionary<int, string>(), 10, Roles.Admin));
    }

    internal static async Task TagsOnlyWhereItsRoleAllowsAsync(TestApp app)
    {
        var world = await RolesWorld.BuildAsync(app);
        int taxonomy;
        await using (var db = app.CreateDbContext())
        {
            taxonomy = await db.Set<Taxonomy>().Where(t => t.Name == BuiltInTaxonomies.Reasoning).Select(t => t.Id).SingleAsync();
        }

        var access = await AccountAccess.ForAsync(app, RolesWorld.Tagger);
        var desk = new TagDesk(app.Services.GetRequiredService<IServiceScopeFactory>(), access, new TagNotifier(), NullLogger<TagDesk>.Instance);
        TagKeystroke Toggle(int traceId) => new(Guid.NewGuid(), "toggle", traceId, taxonomy, 1, 0, 1, null, null);

        var inAlpha = await desk.ApplyAsync(Toggle(world.AlphaTrace), CancellationToken.None);
        var inBeta = await desk.ApplyAsync(Toggle(world.BetaTrace), CancellationToken.None);

        Assert.Equal(KeystrokeResult.Saved, inAlpha.Outcome);
        Assert.Equal(KeystrokeResult.Refused, inBeta.Outcome);
        Assert.Equal("Not saved: This needs the annotator role in workspace \"Beta\"; your role there is reader.", inBeta.Message);
        Assert.True(await desk.SubmitAsync(world.AlphaTrace, CancellationToken.None));
        Assert.False(await desk.SubmitAsync(world.BetaTrace, CancellationToken.None));
        await using (var db = app.CreateDbContext())
        {
            var tagged = await (from st in db.Set<SentenceTag>()
                                join s in db.Set<TraceViewer.Traces.Sentence>() on st.SentenceId equals s.Id
                                where st.Annotator == access.UserId
                                select s.TraceId).Distinct().ToListAsync();
            Assert.Equal([world.AlphaTrace], tagged);
        }

        // Made a member of Beta as annotator, the same account tags there at once.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.Null(await scope.ServiceProvider.GetRequiredService<WorkspaceService>().SetMemberAsync(world.Beta, access.UserId, Roles.Annotator));
        }

        Assert.Equal(KeystrokeResult.Saved, (await desk.ApplyAsync(Toggle(world.BetaTrace), CancellationToken.None)).Outcome);
    }

    internal static async Task StartsJobsOnlyWhereItsRoleAllowsAsync(TestApp app)
    {
        var world = await RolesWorld.BuildAsync(app);
        var researcher = await SignInAsync(app, RolesWorld.Researcher);
        var tagger = await SignInAsync(app, RolesWorld.Tagger);
        object Resample(int traceId) => new { kind = "resample", traceId, n = 1, provider = "loop", model = "m" };

        var inAlpha = await researcher.PostAsync("/api/jobs", JsonContent.Create(Resample(world.AlphaTrace)));
        var inBeta = await researcher.PostAsync("/api/jobs", JsonContent.Create(Resample(world.BetaTrace)));
        var both = await researcher.PostAsync("/api/jobs", JsonContent.Create(new { kind = "resample", traceIds = new[] { world.AlphaTrace, world.BetaTrace }, n = 1, provider = "loop", model = "m" }));
        var byDataset = await researcher.PostAsync("/api/jobs", JsonContent.Create(new { kind = "resample", datasetId = world.BetaDataset, n = 1, provider = "loop", model = "m" }));
        var byAnnotator = await tagger.PostAsync("/api/jobs", JsonContent.Create(Resample(world.AlphaTrace)));

        Assert.Equal(HttpStatusCode.Created, inAlpha.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, inBeta.StatusCode);
        var problem = (await inBeta.Content.ReadFromJsonAsync<Microsoft.AspNetCore.Mvc.ProblemDetails>())!;
        Assert.Equal("Not allowed", problem.Title);
        Assert.Equal("This needs the researcher role in workspace \"Beta\"; your role there is reader.", problem.Detail);
        Assert.Equal(HttpStatusCode.Forbidden, both.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byDataset.StatusCode);
        // The account-wide role stays the ceiling: an annotator starts no job, whatever its workspace role.
        Assert.Equal(HttpStatusCode.Forbidden, byAnnotator.StatusCode);
        await using var db = app.CreateDbContext();
        Assert.Equal(1, await db.Set<TraceViewer.Jobs.Job>().CountAsync());
    }

    /// <summary>A client signed in as <paramref name="email"/>.</summary>
    internal static async Task<HttpClient> SignInAsync(TestApp app, string email)
    {
        var client = app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(email)).StatusCode);
        return client;
    }

    /// <summary>The page at <paramref name="url"/>, which must answer 200, parsed.</summary>
    internal static async Task<AngleSharp.Html.Dom.IHtmlDocument> PageAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
    }
}

/// <summary>
/// Two workspaces with one private trace each (Alpha, Beta); a tagger (annotator overall, annotator in Alpha, reader in
/// Beta) and a researcher (researcher overall, researcher in Alpha, reader in Beta); an admin exists.
/// </summary>
internal sealed record RolesWorld(int Alpha, int Beta, int AlphaTrace, int BetaTrace, int BetaDataset)
{
    public const string Tagger = "tagger@example.test";
    public const string Researcher = "researcher@example.test";

    public static async Task<RolesWorld> BuildAsync(TestApp app)
    {
        var alphaTrace = await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = "roles/alpha", DatasetName = "Alpha problems", Title = "Alpha trace", Sentences = ["One.", "Two.", "Three."] });
        var betaTrace = await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = "roles/beta", DatasetName = "Beta problems", Title = "Beta trace", Sentences = ["One.", "Two.", "Three."] });
        await app.AddAccountAsync("admin@example.test", Roles.Admin);
        var tagger = await app.AddAccountAsync(Tagger, Roles.Annotator);
        var researcher = await app.AddAccountAsync(Researcher, Roles.Researcher);
        await using var scope = app.Services.CreateAsyncScope();
        var workspaces = scope.ServiceProvider.GetRequiredService<WorkspaceService>();
        var alpha = (await workspaces.CreateAsync("Alpha")).Id!.Value;
        var beta = (await workspaces.CreateAsync("Beta")).Id!.Value;
        Assert.Null(await workspaces.SetMemberAsync(alpha, tagger, Roles.Annotator));
        Assert.Null(await workspaces.SetMemberAsync(beta, tagger, Roles.Reader));
        Assert.Null(await workspaces.SetMemberAsync(alpha, researcher, Roles.Researcher));
        Assert.Null(await workspaces.SetMemberAsync(beta, researcher, Roles.Reader));
        Assert.Null(await workspaces.PlaceAsync(alphaTrace.DatasetId, alpha, DatasetVisibility.Workspace));
        Assert.Null(await workspaces.PlaceAsync(betaTrace.DatasetId, beta, DatasetVisibility.Workspace));
        await app.Services.GetRequiredService<AccountsState>().RefreshAsync(force: true);
        return new RolesWorld(alpha, beta, alphaTrace.TraceId, betaTrace.TraceId, betaTrace.DatasetId);
    }
}

/// <summary>An open page's access for a real account: its id, email and account-wide role, as the sign-in cookie carries them.</summary>
internal sealed class AccountAccess(string userId, string email, string role) : IAccess
{
    public string UserId => userId;

    public static async Task<AccountAccess> ForAsync(TestApp app, string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = (await users.FindByEmailAsync(email))!;
        return new AccountAccess(user.Id, email, (await users.GetRolesAsync(user)).Single());
    }

    private bool Grants(string policy) => Roles.Rank(role) >= Roles.Rank(AccessPolicies.LeastRole[policy]);

    public Task<bool> ShowsAsync(string policy) => Task.FromResult(Grants(policy));

    public Task<bool> AllowsAsync(string policy) => Task.FromResult(Grants(policy));

    public Task<ClaimsPrincipal> UserAsync() => Task.FromResult(new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, userId), new Claim(ClaimTypes.Name, email), new Claim(ClaimTypes.Role, role)], IdentityConstants.ApplicationScheme)));
}

/// <summary>The text of every command the app sends to its database.</summary>
internal sealed class CommandLog : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _commands = new();

    public IReadOnlyList<string> Commands => [.. _commands];

    public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(
        System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData,
        Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader> result, CancellationToken cancellationToken = default)
    {
        _commands.Enqueue(command.CommandText);
        return ValueTask.FromResult(result);
    }

    public override Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader> ReaderExecuting(
        System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData,
        Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader> result)
    {
        _commands.Enqueue(command.CommandText);
        return result;
    }
}
