namespace TraceViewer.Metrics;

internal static class MetricsExtensions
{
    public static IHostApplicationBuilder AddMetrics(this IHostApplicationBuilder builder)
    {
        return builder;
    }
}
