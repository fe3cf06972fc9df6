namespace TraceViewer.Tests;

/// <summary>
/// Tests written once and run on each database provider: every test gets a new app, on its own SQLite file or, given
/// the shared PostgreSQL server, on its own database there, and the app is disposed after the test. A subclass
/// prepares what all its tests need in <see cref="SetUpAsync"/>; one sealed subclass per provider runs them
/// (<c>SqliteXTests() : XTests(null)</c>, <c>PostgresXTests(PostgresServer server) : XTests(server)</c> in the server's collection).
/// </summary>
public abstract class ProviderAppTests(PostgresServer? postgres) : IAsyncLifetime
{
    protected TestApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = postgres is null ? new TestApp() : new TestApp().WithPostgres(postgres);
        await SetUpAsync();
    }

    public Task DisposeAsync()
    {
        App.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Runs once the app exists, before each test.</summary>
    protected virtual Task SetUpAsync() => Task.CompletedTask;
}
