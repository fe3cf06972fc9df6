namespace TraceViewer.Metrics;

internal static class MetricsExtensions
{
    public static IHostApplicationBuilder AddMetrics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<MetricsRecomputer>();
        return builder;
    }
}
