using TraceViewer;
using TraceViewer.Components;
using TraceViewer.Data;
using TraceViewer.Embeddings;
using TraceViewer.Import;
using TraceViewer.Metrics;
using TraceViewer.Providers;
using TraceViewer.Studies;
using TraceViewer.Traces;

var isCommand = CommandLine.IsCommand(args);
// Offline commands take their own arguments; configuration then comes from settings and environment only.
var builder = WebApplication.CreateBuilder(isCommand ? [] : args);
if (isCommand)
{
    // Commands print their results on stdout, so logs go to stderr.
    builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
}

// Serves wwwroot and the scoped CSS bundle from the build output under `dotnet run` in any environment.
builder.WebHost.UseStaticWebAssets();
builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddRazorComponents();
builder.Services.AddOpenApi();
builder.AddData();
builder.AddProviders();
builder.AddEmbeddings();
builder.AddImport();
builder.AddMetrics();
builder.AddTraces();

var app = builder.Build();
await app.Services.MigrateDatabaseAsync();
if (isCommand)
{
    return await CommandLine.RunAsync(app.Services, args);
}

await app.Services.ImportSampleDataIfEmptyAsync();

app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseStaticFiles();
app.UseAntiforgery();
app.MapOpenApi();
app.MapGet("/", () => TypedResults.Redirect("/datasets")).ExcludeFromDescription();
app.MapImport();
app.MapTraces();
app.MapStudies();
app.MapRazorComponents<App>();

await app.RunAsync();
return 0;

public partial class Program;
