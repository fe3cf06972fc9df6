namespace TraceViewer.Analyses;

internal static class AnalysesExtensions
{
    public static IHostApplicationBuilder AddAnalyses(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<AnalysisQueries>();
        return builder;
    }

    /// <summary>The JSON API of the trace and study analyses.</summary>
    public static IEndpointRouteBuilder MapAnalyses(this IEndpointRouteBuilder app) => app.MapAnalysesApi();
}
