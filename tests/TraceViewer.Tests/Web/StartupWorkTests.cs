using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using TraceViewer.Jobs;
using TraceViewer.Web;

namespace TraceViewer.Tests.Web;

/// <summary>Start-up work runs as the first hosted service, and readiness waits for it.</summary>
public sealed class StartupWorkTests
{
    [Fact]
    public async Task ReadinessIsNotGivenUntilTheStartUpWorkIsDoneAndNamesTheStepUnderWay()
    {
        var progress = new StartupProgress();
        var check = new StartupHealthCheck(progress);

        var before = await check.CheckHealthAsync(new HealthCheckContext());
        progress.Step("applying migrations");
        var migrating = await check.CheckHealthAsync(new HealthCheckContext());
        progress.Failed("the disk is full");
        var failed = await check.CheckHealthAsync(new HealthCheckContext());
        var done = new StartupProgress();
        done.Done();

        Assert.Equal((HealthStatus.Unhealthy, "start-up work under way: not started"), (before.Status, before.Description));
        Assert.Equal((HealthStatus.Unhealthy, "start-up work under way: applying migrations"), (migrating.Status, migrating.Description));
        Assert.Equal((HealthStatus.Unhealthy, "start-up work failed: the disk is full"), (failed.Status, failed.Description));
        Assert.Equal(HealthStatus.Healthy, (await new StartupHealthCheck(done).CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Fact]
    public void TheStartUpWorkStartsBeforeEveryOtherHostedServiceAndIsDoneOnceTheAppServes()
    {
        using var app = new TestApp().WithSetting("SampleData:ImportOnStart", "true");

        var hosted = app.Services.GetServices<IHostedService>().ToList();

        Assert.IsType<StartupWork>(hosted[0]);
        Assert.True(hosted.FindIndex(h => h is JobWorker) > 0);
        Assert.True(app.Services.GetRequiredService<StartupProgress>().IsDone);
        // The sample data was imported by it, before the app served.
        using var db = app.CreateDbContext();
        Assert.Equal(2, db.Set<TraceViewer.Traces.Trace>().Count());
    }
}
