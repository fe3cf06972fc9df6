using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Accounts;
using TraceViewer.Datasets;
using TraceViewer.Sharing;
using TraceViewer.Tests.Accounts;
using TraceViewer.Workspaces;

namespace TraceViewer.Tests.Workspaces;

/// <summary>One dataset of the world: the word that marks its names and sentences, its trace, its tag.</summary>
internal sealed record MarkedDataset(string Marker, int DatasetId, int TraceId, string Tag);

/// <summary>A caller of the world with the markers it must read and must never see.</summary>
internal sealed record WorldViewer(string Name, HttpClient Client, IReadOnlyList<string> Reads, IReadOnlyList<string> NeverSees);

/// <summary>
/// Four datasets with one trace each in two workspaces: Quokka private to Alpha; Narwhal private to Beta; Pangolin in
/// Beta for every signed-in account; Axolotl in Beta and public. Every trace has one sentence with "numbers" in it. The
/// callers: an admin, a member of Alpha, a member of Beta, a signed-in account in no workspace, a signed-out visitor and
/// the holder of a share link to the Narwhal trace. The member of Alpha is a reader there; the member of Beta an annotator.
/// </summary>
internal sealed class VisibilityWorld
{
    public const string Quokka = "Quokka";
    public const string Narwhal = "Narwhal";
    public const string Pangolin = "Pangolin";
    public const string Axolotl = "Axolotl";

    public static readonly string[] Markers = [Quokka, Narwhal, Pangolin, Axolotl];

    public required IReadOnlyDictionary<string, MarkedDataset> Datasets { get; init; }

    public required IReadOnlyList<WorldViewer> Viewers { get; init; }

    public WorldViewer Viewer(string name) => Viewers.Single(v => v.Name == name);

    /// <summary>Seeds the datasets (the app has no account yet, so every caller reads them all until the first account exists).</summary>
    public static async Task<IReadOnlyDictionary<string, MarkedDataset>> SeedDatasetsAsync(TestApp app)
    {
        var tags = new Dictionary<string, string> { [Quokka] = "self_checking", [Narwhal] = "plan_generation", [Pangolin] = "fact_retrieval", [Axolotl] = "problem_setup" };
        var datasets = new Dictionary<string, MarkedDataset>();
        foreach (var marker in Markers)
        {
            var seeded = await TraceSeeder.SeedAsync(app, new TraceSeed
            {
                DatasetKey = $"test/{marker.ToLowerInvariant()}/x",
                DatasetName = $"{marker} problems",
                Title = $"{marker} trace",
                SourcePath = marker.ToLowerInvariant(),
                Sentences = [$"The {marker} adds the numbers.", $"{marker} says two plus two is four.", "So the answer is 4."],
                Tags = _ => [tags[marker]],
            });
            datasets[marker] = new MarkedDataset(marker, seeded.DatasetId, seeded.TraceId, tags[marker]);
        }

        return datasets;
    }

    public static async Task<VisibilityWorld> BuildAsync(TestApp app)
    {
        var datasets = await SeedDatasetsAsync(app);
        var alphaMember = await app.AddAccountAsync("alpha@example.test", Roles.Reader);
        var betaMember = await app.AddAccountAsync("beta@example.test", Roles.Reader);
        await app.AddAccountAsync("outsider@example.test", Roles.Reader);
        var admin = await app.SignedInAsync(Roles.Admin, "admin@example.test");

        NewShare share;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var workspaces = scope.ServiceProvider.GetRequiredService<WorkspaceService>();
            var alpha = (await workspaces.CreateAsync("Alpha")).Id!.Value;
            var beta = (await workspaces.CreateAsync("Beta")).Id!.Value;
            Assert.Null(await workspaces.SetMemberAsync(alpha, alphaMember, Roles.Reader));
            Assert.Null(await workspaces.SetMemberAsync(beta, betaMember, Roles.Annotator));
            Assert.Null(await workspaces.PlaceAsync(datasets[Quokka].DatasetId, alpha, DatasetVisibility.Workspace));
            Assert.Null(await workspaces.PlaceAsync(datasets[Narwhal].DatasetId, beta, DatasetVisibility.Workspace));
            Assert.Null(await workspaces.PlaceAsync(datasets[Pangolin].DatasetId, beta, DatasetVisibility.SignedIn));
            Assert.Null(await workspaces.PlaceAsync(datasets[Axolotl].DatasetId, beta, DatasetVisibility.Public));
            var narwhal = datasets[Narwhal].TraceId;
            share = (await scope.ServiceProvider.GetRequiredService<ShareService>().ShareTraceAsync(narwhal, $"/traces/{narwhal}", null, "admin@example.test"))!;
        }

        var holder = app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await holder.GetAsync(share.Path)).StatusCode);

        return new VisibilityWorld
        {
            Datasets = datasets,
            Viewers =
            [
                new("admin", admin, Markers, []),
                new("member of Alpha", await SignInAsync(app, "alpha@example.test"), [Quokka, Pangolin, Axolotl], [Narwhal]),
                new("member of Beta", await SignInAsync(app, "beta@example.test"), [Narwhal, Pangolin, Axolotl], [Quokka]),
                new("signed in, no workspace", await SignInAsync(app, "outsider@example.test"), [Pangolin, Axolotl], [Quokka, Narwhal]),
                // A signed-out visitor reads the public dataset, and nothing of the others.
                new("signed out", app.NewClient(), [Axolotl], [Quokka, Narwhal, Pangolin]),
                new("share holder", holder, [Narwhal], [Quokka, Pangolin]),
            ],
        };
    }

    private static async Task<HttpClient> SignInAsync(TestApp app, string email)
    {
        var client = app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(email)).StatusCode);
        return client;
    }
}
