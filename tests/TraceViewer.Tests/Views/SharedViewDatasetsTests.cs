using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Accounts;
using TraceViewer.Datasets;
using TraceViewer.Tests.Accounts;
using TraceViewer.Tests.Workspaces;
using TraceViewer.Views;

namespace TraceViewer.Tests.Views;

/// <summary>
/// A shared view is listed on /views and opened at /v/{id} only by callers who read every dataset it names (a key or an
/// id in <c>dataset=</c>, a study's dataset); one that names none by every signed-in caller; its owner always sees it.
/// Through the real app on a SQLite file, in <see cref="VisibilityWorld"/> (Quokka private to Alpha, Pangolin in Beta
/// for every signed-in account).
/// </summary>
public sealed class SharedViewDatasetsTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    private async Task<SavedViewRow> SaveAsync(string ownerId, string ownerName, string name, string address)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<SavedViewStore>().SaveAsync(new ViewOwner(ownerId, ownerName), name, address, shared: true))!;
    }

    private async Task<HttpClient> SignInAsync(string email)
    {
        var client = _app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(email)).StatusCode);
        return client;
    }

    [Fact]
    public async Task ASharedViewNamingAPrivateDatasetIsSeenOnlyByThoseWhoReadIt()
    {
        var world = await VisibilityWorld.BuildAsync(_app);
        var quokka = world.Datasets[VisibilityWorld.Quokka].DatasetId;
        // The view's maker: an annotator in Alpha (the world's member of Alpha is another member, a reader there).
        var makerId = await _app.AddAccountAsync("maker@example.test", Roles.Annotator);
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var workspaces = scope.ServiceProvider.GetRequiredService<WorkspaceService>();
            var db = scope.ServiceProvider.GetRequiredService<TraceViewer.Data.TraceViewerDbContext>();
            var alpha = db.Set<TraceViewer.Workspaces.Workspace>().Single(w => w.Name == "Alpha").Id;
            Assert.Null(await workspaces.SetMemberAsync(alpha, makerId, Roles.Annotator));
        }

        var byKey = await SaveAsync(makerId, "maker@example.test", "alpha by key", "/traces?dataset=test/quokka/x&model=m");
        var byId = await SaveAsync(makerId, "maker@example.test", "alpha by id", $"/search?text=numbers&dataset={quokka}");
        var study = await SaveAsync(makerId, "maker@example.test", "alpha study", $"/datasets/{quokka}/study?tier=free");
        var mixed = await SaveAsync(makerId, "maker@example.test", "alpha and signed-in", $"/traces?dataset=test/pangolin/x&dataset=test/quokka/x");
        var signedIn = await SaveAsync(makerId, "maker@example.test", "signed-in dataset", "/traces?dataset=test/pangolin/x");
        var none = await SaveAsync(makerId, "maker@example.test", "no dataset", "/traces?model=plain");
        var unknown = await SaveAsync(makerId, "maker@example.test", "unknown dataset", "/traces?dataset=no/such/key");
        var alphaOnly = new[] { byKey, byId, study, mixed };
        var everyone = new[] { signedIn, none };

        var maker = await SignInAsync("maker@example.test");
        var cases = new (string Name, HttpClient Client, SavedViewRow[] Sees, SavedViewRow[] DoesNotSee)[]
        {
            ("maker", maker, [.. alphaOnly, .. everyone, unknown], []),
            ("member of Alpha", world.Viewer("member of Alpha").Client, [.. alphaOnly, .. everyone], [unknown]),
            ("admin", world.Viewer("admin").Client, [.. alphaOnly, .. everyone, unknown], []),
            ("member of Beta", world.Viewer("member of Beta").Client, everyone, [.. alphaOnly, unknown]),
            ("signed in, no workspace", world.Viewer("signed in, no workspace").Client, everyone, [.. alphaOnly, unknown]),
        };

        var failures = new List<string>();
        foreach (var (name, client, sees, doesNotSee) in cases)
        {
            var list = await client.GetAsync(SavedViewStore.ListPath);
            var body = await list.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            foreach (var view in sees)
            {
                using var open = await client.GetAsync(view.Link);
                if (!body.Contains($"data-view-id=\"{view.Id}\"", StringComparison.Ordinal))
                {
                    failures.Add($"{name}: /views does not list \"{view.Name}\"");
                }

                if (open.StatusCode != HttpStatusCode.Redirect || open.Headers.Location?.OriginalString != view.Href)
                {
                    failures.Add($"{name}: {view.Link} answered {(int)open.StatusCode} {open.Headers.Location}");
                }
            }

            foreach (var view in doesNotSee)
            {
                using var open = await client.GetAsync(view.Link);
                if (body.Contains($"data-view-id=\"{view.Id}\"", StringComparison.Ordinal) || body.Contains(view.Name, StringComparison.Ordinal))
                {
                    failures.Add($"{name}: /views lists \"{view.Name}\"");
                }

                if (open.StatusCode != HttpStatusCode.NotFound)
                {
                    failures.Add($"{name}: {view.Link} answered {(int)open.StatusCode} {open.Headers.Location}");
                }
            }

            if (doesNotSee.Contains(byKey) && body.Contains("quokka", StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{name}: /views names the Quokka dataset");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task TheOwnerSeesTheirOwnViewEvenOfADatasetTheyDoNotRead()
    {
        var world = await VisibilityWorld.BuildAsync(_app);
        var quokka = world.Datasets[VisibilityWorld.Quokka].DatasetId;
        string betaId;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            betaId = (await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Microsoft.AspNetCore.Identity.IdentityUser>>()
                .FindByEmailAsync("beta@example.test"))!.Id;
        }

        var own = await SaveAsync(betaId, "beta@example.test", "beta's own", $"/datasets/{quokka}/study");
        var client = world.Viewer("member of Beta").Client;

        var body = await (await client.GetAsync(SavedViewStore.ListPath)).Content.ReadAsStringAsync();
        using var open = await client.GetAsync(own.Link);
        using var other = await world.Viewer("signed in, no workspace").Client.GetAsync(own.Link);

        Assert.Contains($"data-view-id=\"{own.Id}\"", body, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.Redirect, $"/datasets/{quokka}/study"), (open.StatusCode, open.Headers.Location!.OriginalString));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }
}
