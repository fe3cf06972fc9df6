using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Accounts;
using TraceViewer.Sharing;
using TraceViewer.Tests.Accounts;
using TraceViewer.Tests.Data;

namespace TraceViewer.Tests.Sharing;

/// <summary>The ShareLinks migration and the share service on a real PostgreSQL server.</summary>
[Collection(PostgresServerGroup.Name)]
public sealed class SharePostgresTests(PostgresServer server) : IDisposable
{
    private readonly TestApp _app = new TestApp()
        .WithPostgres(server);

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task ALinkOpensCountsItsUseAndAnswers410OnceRevokedOnPostgres()
    {
        var seeded = await TraceSeeder.SeedAsync(_app, new TraceSeed());
        await _app.AddAccountAsync("admin@example.test", Roles.Admin);
        NewShare share;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            share = (await scope.ServiceProvider.GetRequiredService<ShareService>()
                .ShareTraceAsync(seeded.TraceId, $"/traces/{seeded.TraceId}/sentences/1", TimeSpan.FromDays(7), "admin@example.test"))!;
        }

        var client = _app.NewClient();
        var opened = await client.GetAsync(share.Path);
        var page = await client.GetAsync($"/traces/{seeded.TraceId}/sentences/1");
        IReadOnlyList<ShareRow> rows;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var shares = scope.ServiceProvider.GetRequiredService<ShareService>();
            rows = await shares.ListAsync();
            Assert.True(await shares.RevokeAsync(share.Id));
        }

        var revoked = await _app.NewClient().GetAsync(share.Path);

        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var row = Assert.Single(rows);
        Assert.Equal(1, row.UseCount);
        Assert.Equal(_app.Clock.GetUtcNow().AddDays(7), row.ExpiresAt);
        Assert.Equal(HttpStatusCode.Gone, revoked.StatusCode);
    }
}
