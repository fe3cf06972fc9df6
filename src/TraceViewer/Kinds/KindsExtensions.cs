namespace TraceViewer.Kinds;

internal static class KindsExtensions
{
    public static IHostApplicationBuilder AddKinds(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<KindsQueries>();
        builder.Services.AddSingleton<KindsCache>();
        return builder;
    }

    /// <summary>The JSON and CSV API of the "which kinds of sentences matter" page.</summary>
    public static IEndpointRouteBuilder MapKinds(this IEndpointRouteBuilder app) => app.MapKindsApi();
}
