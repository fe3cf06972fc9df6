namespace TraceViewer.Tests;

/// <summary>Puts a test app on PostgreSQL instead of its own SQLite file.</summary>
internal static class PostgresApps
{
    /// <summary>The app on a new database of <paramref name="server"/> (made by the migrations), or on the one named.</summary>
    public static TestApp WithPostgres(this TestApp app, PostgresServer server, string? database = null) =>
        app.WithPostgres(database is null ? server.NewDatabaseConnectionString() : server.ConnectionString(database));

    /// <summary>The app on the PostgreSQL database <paramref name="connectionString"/> names.</summary>
    public static TestApp WithPostgres(this TestApp app, string connectionString) =>
        app.WithSetting("Database:Provider", "PostgreSQL").WithSetting("ConnectionStrings:TraceViewer", connectionString);
}
