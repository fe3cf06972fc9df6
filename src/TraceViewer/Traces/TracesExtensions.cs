namespace TraceViewer.Traces;

internal static class TracesExtensions
{
    public static IHostApplicationBuilder AddTraces(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<TraceQueries>();
        builder.Services.AddScoped<Accounts.IPublicDatasets, PublicDatasets>();
        builder.Services.AddScoped<WorkspaceWrites>();
        builder.Services.AddTransient<ListJobRights>();
        return builder;
    }

    /// <summary>The JSON API for datasets and traces.</summary>
    public static IEndpointRouteBuilder MapTraces(this IEndpointRouteBuilder app) => app.MapTracesApi();
}
