using Microsoft.Extensions.Diagnostics.HealthChecks;
using TraceViewer.Accounts;
using TraceViewer.Data;
using TraceViewer.Import;

namespace TraceViewer.Web;

/// <summary>
/// Start-up work of the web server, as a hosted service that does it in <see cref="StartingAsync"/>: migrations
/// (<see cref="DatabaseStartup"/>, with its migration lock), the accounts' first read, the bundled sample data when the
/// database is empty and writable, then every registered <see cref="StartupStep"/> in order. The host runs every
/// <c>StartingAsync</c> before any <c>StartAsync</c>, and WebApplication starts the server in the last
/// <c>StartAsync</c>, so the jobs worker and the server start only once this is done: nothing is served from a
/// half-migrated database, and a failure stops the start. <see cref="StartupHealthCheck"/> reports not ready until then.
/// Commands run <see cref="PrepareAsync"/> without the sample data.
/// </summary>
internal sealed class StartupWork(IServiceProvider services, StartupProgress progress, IEnumerable<StartupStep> steps) : IHostedLifecycleService
{
    public static IHostApplicationBuilder AddStartupWork(IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StartupProgress>();
        // First of all hosted services, so its StartingAsync also comes before that of any other lifecycle service.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, StartupWork>());
        return builder;
    }

    /// <summary>What a command needs before it runs: the schema brought up to date and the accounts read.</summary>
    public static async Task PrepareAsync(IServiceProvider services, StartupProgress? progress = null, CancellationToken ct = default)
    {
        progress?.Step("applying migrations");
        await services.PrepareDatabaseAsync(ct);
        progress?.Step("reading accounts");
        await services.GetRequiredService<AccountsState>().RefreshAsync(force: true, ct);
    }

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PrepareAsync(services, progress, cancellationToken);
            if (!services.GetRequiredService<DatabaseAccess>().IsReadOnly)
            {
                progress.Step("importing the sample data");
                await services.ImportSampleDataIfEmptyAsync(cancellationToken);
            }

            foreach (var step in steps)
            {
                progress.Step(step.Name);
                await step.RunAsync(services, cancellationToken);
            }

            progress.Done();
        }
        catch (Exception e)
        {
            progress.Failed(e.Message);
            throw;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>More start-up work, registered as a singleton: runs after the built-in steps, in registration order, before the server starts.</summary>
internal sealed record StartupStep(string Name, Func<IServiceProvider, CancellationToken, Task> RunAsync);

/// <summary>Where start-up work stands: the step under way, done, or failed with its message.</summary>
internal sealed class StartupProgress
{
    private volatile string _step = "not started";
    private volatile bool _done;
    private volatile string? _failure;

    public bool IsDone => _done;

    public string Describe() => _done ? "done" : _failure is { } failure ? "failed: " + failure : "under way: " + _step;

    public void Step(string step) => _step = step;

    public void Done() => _done = true;

    public void Failed(string message) => _failure = message;
}

/// <summary>Ready only once the start-up work is done.</summary>
internal sealed class StartupHealthCheck(StartupProgress progress) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(progress.IsDone ? HealthCheckResult.Healthy("start-up work done") : HealthCheckResult.Unhealthy("start-up work " + progress.Describe()));
}
