namespace TraceViewer.Queues;

internal static class QueuesExtensions
{
    public static IHostApplicationBuilder AddQueues(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<QueueStore>();
        builder.Services.AddScoped<QueueDesk>();
        return builder;
    }
}
