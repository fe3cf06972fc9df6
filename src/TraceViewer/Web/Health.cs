using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using TraceViewer.Data;
using TraceViewer.Jobs;

namespace TraceViewer.Web;

/// <summary>
/// <c>GET /healthz</c>: the process answers (liveness, no checks). <c>GET /readyz</c>: the start-up work is done, the
/// database is reachable, its schema has every migration, and the jobs worker is going round (or does not run, on purpose); 503 when any is not,
/// with a JSON body naming each check, so a load balancer or orchestrator can take an instance out of rotation.
/// </summary>
internal static class Health
{
    public const string LivePath = "/healthz";
    public const string ReadyPath = "/readyz";

    public static IHostApplicationBuilder AddHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<StartupHealthCheck>("startup")
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<WorkerHealthCheck>("worker");
        return builder;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).ExcludeFromDescription().AllowAnonymous();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { ResponseWriter = WriteAsync }).ExcludeFromDescription().AllowAnonymous();
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = e.Value.Description }),
        }, JsonSerializerOptions.Web), context.RequestAborted);
    }
}

/// <summary>The database answers a query and has every migration this build knows.</summary>
internal sealed class DatabaseHealthCheck(TraceViewerDbContext db, DatabaseAccess access) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return HealthCheckResult.Unhealthy("the database cannot be reached");
            }

            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                return HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied: {string.Join(", ", pending)}");
            }
        }
        catch (Exception e) when (StorageFaults.Describe(e) is { } reason)
        {
            return HealthCheckResult.Unhealthy($"the database cannot be read: {reason}");
        }

        // Readable but not writable is still ready to serve reads; the description says so.
        return access.Problem is { } problem ? HealthCheckResult.Degraded(problem) : HealthCheckResult.Healthy("reachable, schema current");
    }
}

/// <summary>The jobs worker's loop went round recently, or the worker does not run on purpose.</summary>
internal sealed class WorkerHealthCheck(JobWorkerHeartbeat heartbeat, IOptions<JobsOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var limit = JobWorkerHeartbeat.StallAfter(options.Value);
        var result = heartbeat.State switch
        {
            WorkerState.Off => HealthCheckResult.Healthy($"not running: {heartbeat.OffReason}"),
            WorkerState.Starting => HealthCheckResult.Unhealthy("the worker has not started yet"),
            WorkerState.Stopped => HealthCheckResult.Unhealthy("the worker has stopped"),
            _ when heartbeat.Age is { } age && age > limit =>
                HealthCheckResult.Unhealthy($"stalled: the worker last went round {age.TotalSeconds:0} s ago (limit {limit.TotalSeconds:0} s)"),
            _ => HealthCheckResult.Healthy($"went round {heartbeat.Age?.TotalSeconds ?? 0:0.#} s ago"),
        };
        return Task.FromResult(result);
    }
}
