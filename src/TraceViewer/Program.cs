using TraceViewer.Components;
using TraceViewer.Data;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddRazorComponents();
builder.Services.AddOpenApi();
builder.AddData();

var app = builder.Build();
await app.Services.MigrateDatabaseAsync();

app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseStaticFiles();
app.UseAntiforgery();
app.MapOpenApi();
app.MapGet("/", () => TypedResults.Redirect("/datasets"));
app.MapRazorComponents<App>();

app.Run();

public partial class Program;
