namespace TraceViewer.Traces;

internal static class TracesExtensions
{
    public static IHostApplicationBuilder AddTraces(this IHostApplicationBuilder builder)
    {
        return builder;
    }

    /// <summary>Page fragments for htmx and the JSON API for datasets and traces.</summary>
    public static IEndpointRouteBuilder MapTraces(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
