using TraceViewer;
using TraceViewer.Components;
using TraceViewer.Data;
using TraceViewer.Import;
using TraceViewer.Metrics;
using TraceViewer.Traces;

var isCommand = CommandLine.IsCommand(args);
// Offline commands take their own arguments; configuration then comes from settings and environment only.
var builder = WebApplication.CreateBuilder(isCommand ? [] : args);
// Scoped CSS is served from the build output under `dotnet run` in any environment (a no-op once published).
builder.WebHost.UseStaticWebAssets();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddRazorComponents();
builder.Services.AddOpenApi();
builder.AddData();
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
app.MapRazorComponents<App>();

await app.RunAsync();
return 0;

public partial class Program;
