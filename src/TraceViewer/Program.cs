using MudBlazor.Services;
using TraceViewer;
using TraceViewer.Accounts;
using TraceViewer.Agreement;
using TraceViewer.Analyses;
using TraceViewer.Components;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Embeddings;
using TraceViewer.Exports;
using TraceViewer.Import;
using TraceViewer.Jobs;
using TraceViewer.Kinds;
using TraceViewer.MetricSets;
using TraceViewer.Providers;
using TraceViewer.Queues;
using TraceViewer.Search;
using TraceViewer.Sharing;
using TraceViewer.Snapshot;
using TraceViewer.Studies;
using TraceViewer.Telemetry;
using TraceViewer.Tags;
using TraceViewer.Traces;
using TraceViewer.Views;
using TraceViewer.Web;

var mode = CommandLine.Classify(args);
if (mode is LaunchMode.Help or LaunchMode.Unknown)
{
    return CommandLine.PrintUsage(args, mode == LaunchMode.Help ? Console.Out : Console.Error, mode);
}

var isCommand = mode == LaunchMode.Command;
if (isCommand && CommandLine.RunsWithoutWebServer(args[0]))
{
    // Commands that only read and write data start no part of the web server (CommandHost).
    var host = CommandHost.Build();
    await StartupWork.PrepareAsync(host.Services);
    return await CommandLine.RunAsync(host.Services, args);
}

// Offline commands take their own arguments; configuration then comes from settings and environment only.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = isCommand ? [] : args,
    // Published assets sit beside the binary; the content root is wherever the app was started from.
    WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
});
if (isCommand)
{
    AppServices.LogToStandardError(builder.Logging);
}

// `dotnet run` keeps the caller's directory as content root: the defaults shipped beside the binary come first,
// and wwwroot plus the scoped CSS bundle are served from the build output in any environment.
AppServices.AddDefaultSettings(builder.Configuration);
builder.WebHost.UseStaticWebAssets();
builder.Services.AddSingleton(TimeProvider.System);
// Prerendered state (persistent component state) comes back in the circuit's first message: a page of search hits
// or a trace is well over SignalR's default limit of 32 KB for a message from the browser (a 150-sentence trace with
// its metrics is about 130 KB).
builder.Services.AddRazorComponents().AddInteractiveServerComponents()
    .AddHubOptions(hub => hub.MaximumReceiveMessageSize = 1024 * 1024);
builder.Services.AddMudServices();
builder.Services.AddSingleton<TraceViewer.Components.Layout.LayoutParts>();
builder.Services.AddTransient(typeof(QueryScope<>));
builder.AddHttpBasics();
builder.AddSecurityHeaders();
builder.AddHeaderAntiforgery();
builder.AddExposureCheck();
builder.Services.ConfigureHttpJsonOptions(o => FiniteNumbers.AddTo(o.SerializerOptions));
builder.Services.AddOpenApi(o => o.DescribeNumbers());
AppServices.AddFeatures(builder);
builder.AddHealth();
builder.AddTelemetry();

// Migrations, the accounts' first read and the sample data run when the host starts (StartupWork), before the jobs
// worker and before the server listens.
StartupWork.AddStartupWork(builder);

var app = builder.Build();
if (isCommand)
{
    await StartupWork.PrepareAsync(app.Services);
    return await CommandLine.RunAsync(app.Services, args);
}

app.UseSecurityHeaders();
app.UseExposureCheck();
app.UseHttpBasics();
// Routing after UseHttpBasics, which serves HEAD as GET.
app.UseRouting();
app.UseStorageProblems();
// Who is asking (the local owner while no account exists), then what they may do; antiforgery tokens are tied to the user.
app.UseAccounts();
// Then which datasets they read: every query of the request honours it.
app.UseDatasetVisibility();
app.UseAntiforgery();
app.MapStaticAssets().AllowAnonymous();
app.MapOpenApi();
app.MapGet("/", () => TypedResults.Redirect("/datasets")).ExcludeFromDescription();
app.MapAccounts();
app.MapImport();
app.MapTraces();
app.MapExportsApi();
app.MapAgreement();
app.MapKinds();
app.MapAnalyses();
app.MapSharing();
app.MapViews();
app.MapMetrics();
app.MapJobs();
app.MapHealth();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

var exposure = app.Services.GetRequiredService<ExposureCheck>();
await app.RunAsync();
return exposure.Refused ? ExposureWarning.RefusedExitCode : 0;

public partial class Program;
