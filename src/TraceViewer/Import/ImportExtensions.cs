namespace TraceViewer.Import;

internal static class ImportExtensions
{
    public static IHostApplicationBuilder AddImport(this IHostApplicationBuilder builder)
    {
        return builder;
    }

    /// <summary>Imports the bundled sample data when the database has no dataset (unless turned off).</summary>
    public static Task ImportSampleDataIfEmptyAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        return Task.CompletedTask;
    }

    public static IEndpointRouteBuilder MapImport(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
