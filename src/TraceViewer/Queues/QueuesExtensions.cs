namespace TraceViewer.Queues;

internal static class QueuesExtensions
{
    public static IHostApplicationBuilder AddQueues(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<QueueStore>();
        return builder;
    }
}
