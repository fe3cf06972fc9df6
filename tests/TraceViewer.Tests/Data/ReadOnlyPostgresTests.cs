using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace TraceViewer.Tests.Data;

/// <summary>A PostgreSQL database whose transactions are read-only (a standby, or default_transaction_read_only) is opened for reading.</summary>
[Collection(PostgresServerGroup.Name)]
public sealed class ReadOnlyPostgresTests(PostgresServer server)
{
    [Fact]
    public async Task AReadOnlyServerDatabaseServesReadsAndRefusesChanges()
    {
        var name = PostgresServer.NewDatabaseName();
        var connectionString = server.ConnectionString(name);
        int traceId;
        await using (var writable = Postgres(connectionString))
        {
            traceId = (await TraceSeeder.SeedAsync(writable, new TraceSeed())).TraceId;
        }

        await using (var connection = new NpgsqlConnection(server.ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"ALTER DATABASE \"{name}\" SET default_transaction_read_only = on", connection);
            await command.ExecuteNonQueryAsync();
        }

        NpgsqlConnection.ClearAllPools();
        await using var app = Postgres(connectionString);
        var client = app.CreateClient();

        var trace = await client.GetAsync($"/api/traces/{traceId}");
        var create = await client.PostAsJsonAsync("/api/jobs", new { traceId, n = 1, provider = "loop" });

        Assert.Equal(HttpStatusCode.OK, trace.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, create.StatusCode);
        var detail = (await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains("the PostgreSQL server opens transactions read-only", detail, StringComparison.Ordinal);
    }

    private static TestApp Postgres(string connectionString) => new TestApp().WithPostgres(connectionString);
}
