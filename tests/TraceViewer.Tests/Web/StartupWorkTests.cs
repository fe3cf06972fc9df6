using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using TraceViewer.Jobs;
using TraceViewer.Web;

namespace TraceViewer.Tests.Web;

/// <summary>Start-up work runs in a hosted service before anything else starts, and readiness waits for it.</summary>
public sealed class StartupWorkTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

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
    public void TheStartUpWorkIsTheFirstHostedServiceAndHasImportedTheSampleDataOnceTheAppServes()
    {
        using var app = new TestApp().WithSetting("SampleData:ImportOnStart", "true");

        var hosted = app.Services.GetServices<IHostedService>().ToList();

        Assert.IsType<StartupWork>(hosted[0]);
        Assert.True(hosted.FindIndex(h => h is JobWorker) > 0);
        Assert.True(app.Services.GetRequiredService<StartupProgress>().IsDone);
        using var db = app.CreateDbContext();
        Assert.Equal(2, db.Set<TraceViewer.Traces.Trace>().Count());
    }

    [Fact]
    public async Task WhileTheStartUpWorkIsHeldNothingListensAndReadinessSaysSoThenTheAppServes()
    {
        var entered = new TaskCompletionSource<IServiceProvider>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var app = new TestApp().WithServices(s => s.AddSingleton(new StartupStep("held by the test", async (services, ct) =>
        {
            entered.TrySetResult(services);
            await release.Task.WaitAsync(ct);
        })));
        var port = FreeLoopbackPort();
        app.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        var start = Task.Run(app.StartServer);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        HealthReport held;
        Exception? refused;
        bool startedWhileHeld;
        try
        {
            var services = await entered.Task.WaitAsync(Patience);
            held = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            refused = await Record.ExceptionAsync(() => client.GetAsync("/readyz"));
            startedWhileHeld = start.IsCompleted;
        }
        finally
        {
            release.TrySetResult();
        }

        await start.WaitAsync(Patience);
        using var ready = await client.GetAsync("/readyz");
        var readyBody = await ready.Content.ReadAsStringAsync();
        using var page = await client.GetAsync("/datasets");

        Assert.Equal(HealthStatus.Unhealthy, held.Status);
        Assert.Equal((HealthStatus.Unhealthy, "start-up work under way: held by the test"), (held.Entries["startup"].Status, held.Entries["startup"].Description));
        Assert.IsType<HttpRequestException>(refused);
        Assert.False(startedWhileHeld);
        Assert.Contains("{\"name\":\"startup\",\"status\":\"Healthy\",\"description\":\"start-up work done\"}", readyBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
