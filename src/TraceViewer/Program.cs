using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using MudBlazor.Services;
using TraceViewer;
using TraceViewer.Components;
using TraceViewer.Data;
using TraceViewer.Embeddings;
using TraceViewer.Import;
using TraceViewer.Jobs;
using TraceViewer.Metrics;
using TraceViewer.Providers;
using TraceViewer.Studies;
using TraceViewer.Traces;

var isCommand = CommandLine.IsCommand(args);
// Offline commands take their own arguments; configuration then comes from settings and environment only.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = isCommand ? [] : args,
    // Published assets sit beside the binary; the content root is wherever the app was started from.
    WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
});
if (isCommand)
{
    // Commands print their results on stdout, so logs go to stderr.
    builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
}

// `dotnet run` keeps the caller's directory as content root: the defaults shipped beside the binary come first,
// and wwwroot plus the scoped CSS bundle are served from the build output in any environment.
builder.Configuration.Sources.Insert(0, new JsonConfigurationSource
{
    Path = "appsettings.json",
    Optional = true,
    FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
});
builder.WebHost.UseStaticWebAssets();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddTransient(typeof(QueryScope<>));
builder.AddHeaderAntiforgery();
builder.Services.AddOpenApi();
builder.AddData();
builder.AddProviders();
builder.AddEmbeddings();
builder.AddImport();
builder.AddMetrics();
builder.AddTraces();
builder.AddJobs();

var app = builder.Build();
await app.Services.MigrateDatabaseAsync();
if (isCommand)
{
    return await CommandLine.RunAsync(app.Services, args);
}

await app.Services.ImportSampleDataIfEmptyAsync();

app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAntiforgery();
app.MapStaticAssets();
app.MapOpenApi();
app.MapGet("/", () => TypedResults.Redirect("/datasets")).ExcludeFromDescription();
app.MapImport();
app.MapTraces();
app.MapMetrics();
app.MapStudies();
app.MapJobs();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();
return 0;

public partial class Program;
