using System.Net;
using System.Text.Json;
using TraceViewer.Tests.Data;

namespace TraceViewer.Tests.Workspaces;

/// <summary>The visibility rule through the query filters on a real PostgreSQL server.</summary>
[Collection(PostgresServerGroup.Name)]
public sealed class VisibilityPostgresTests(PostgresServer server) : IDisposable
{
    private readonly TestApp _app = WorkspaceRolesTests.WithLoopProvider(new TestApp())
        .WithPostgres(server);

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task EachCallerListsSearchesAndOpensOnlyItsDatasetsOnPostgres()
    {
        var world = await VisibilityWorld.BuildAsync(_app);
        var failures = new List<string>();
        foreach (var viewer in world.Viewers.Where(v => v.Name is not "share holder"))
        {
            var datasets = await viewer.Client.GetStringAsync("/api/datasets");
            using var hits = JsonDocument.Parse(await viewer.Client.GetStringAsync("/api/search.json?text=numbers"));
            var found = hits.RootElement.GetArrayLength();
            if (found != viewer.Reads.Count)
            {
                failures.Add($"{viewer.Name}: search finds {found}, expected {viewer.Reads.Count}");
            }

            foreach (var marker in VisibilityWorld.Markers)
            {
                var reads = viewer.Reads.Contains(marker);
                var page = await viewer.Client.GetStringAsync($"/api/traces/{world.Datasets[marker].TraceId}").ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "");
                if (datasets.Contains(marker, StringComparison.Ordinal) != reads || page.Contains(marker, StringComparison.Ordinal) != reads)
                {
                    failures.Add($"{viewer.Name}: {marker} {(reads ? "missing" : "shown")}");
                }
            }
        }

        var holder = world.Viewer("share holder");
        var shared = await holder.Client.GetAsync($"/traces/{world.Datasets[VisibilityWorld.Narwhal].TraceId}");
        Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
        Assert.Contains("Narwhal trace", await shared.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task AnAnnotatorTagsInItsWorkspaceAndIsRefusedWhereItIsAReaderOnPostgres() => await WorkspaceRolesTests.TagsOnlyWhereItsRoleAllowsAsync(_app);

    [Fact]
    public async Task AResearcherStartsJobsInItsWorkspaceAndIsRefusedWhereItIsAReaderOnPostgres() => await WorkspaceRolesTests.StartsJobsOnlyWhereItsRoleAllowsAsync(_app);

    [Fact]
    public async Task AnUploadLandsInTheChosenWorkspaceOnlyWhereTheRoleThereAllowsItOnPostgres() => await WorkspaceImportTests.UploadsOnlyWhereTheRoleAllowsAsync(_app);

    [Fact]
    public async Task ReimportingADatasetIntoAnotherWorkspaceIsRefusedByNameOnPostgres() => await WorkspaceImportTests.ReimportElsewhereIsRefusedAsync(_app);

    [Fact]
    public async Task QueuesAreMadeChangedAndMarkedOnlyWhereTheRoleAllowsOnPostgres() => await WorkspaceImportTests.QueuesOnlyWhereTheRoleAllowsAsync(_app);

    [Fact]
    public async Task JobsArePausedResumedAndCancelledOnlyWhereTheRoleAllowsOnPostgres() => await WorkspaceImportTests.JobControlOnlyWhereTheRoleAllowsAsync(_app);

    [Fact]
    public async Task AgreementAndKindsCountOnlyTheTagsOfReadableDatasetsOnPostgres() => await AgreementKindsVisibilityTests.FiguresHoldOnlyReadableTagsAsync(_app);

    [Fact]
    public async Task ASignedOutVisitorReadsOnlyThePublicDatasetOnPostgres()
    {
        var world = await VisibilityWorld.BuildAsync(_app);
        var client = world.Viewer("signed out").Client;
        var axolotl = world.Datasets[VisibilityWorld.Axolotl];

        Assert.Contains("Axolotl trace", await client.GetStringAsync($"/traces/{axolotl.TraceId}/sentences/1"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/datasets/{axolotl.DatasetId}/study.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/api/traces/{world.Datasets[VisibilityWorld.Pangolin].TraceId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/jobs")).StatusCode);
        var csv = await client.GetStringAsync("/api/traces.csv");
        Assert.Contains("Axolotl", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("Pangolin", csv, StringComparison.Ordinal);
    }
}
