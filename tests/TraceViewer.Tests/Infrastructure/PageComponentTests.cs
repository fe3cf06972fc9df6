using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Agreement;
using TraceViewer.Components;
using TraceViewer.Search;
using TraceViewer.Studies;
using TraceViewer.Traces;

namespace TraceViewer.Tests;

/// <summary>bunit for pages that read the database: their queries run in the real app's services on its SQLite file.</summary>
public abstract class PageComponentTests : MudComponentTests
{
    protected PageComponentTests(TestApp app)
    {
        App = app;
        var scopes = app.Services.GetRequiredService<IServiceScopeFactory>();
        Services.AddSingleton(new QueryScope<TraceQueries>(scopes));
        Services.AddSingleton(new QueryScope<WorkspaceWrites>(scopes));
        Services.AddTransient<ListJobRights>();
        Services.AddSingleton(new QueryScope<StudyQueries>(scopes));
        Services.AddSingleton(new QueryScope<SearchQueries>(scopes));
        Services.AddSingleton(new QueryScope<AgreementQueries>(scopes));
        Services.AddSingleton(new QueryScope<VerdictStore>(scopes));
        Services.AddSingleton(new QueryScope<TraceViewer.Kinds.KindsQueries>(scopes));
        Services.AddSingleton(new QueryScope<TraceViewer.Analyses.AnalysisQueries>(scopes));
    }

    public TestApp App { get; }
}
