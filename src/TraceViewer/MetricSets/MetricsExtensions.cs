namespace TraceViewer.MetricSets;

internal static class MetricsExtensions
{
    public static IHostApplicationBuilder AddMetrics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SimilarityCache>();
        builder.Services.AddScoped<MetricsRecomputer>();
        builder.Services.AddScoped<MetricsPreview>();
        return builder;
    }
}
