namespace TraceViewer.Tags;

internal static class TagsExtensions
{
    public static IHostApplicationBuilder AddTags(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<TagWriter>();
        builder.Services.AddScoped<TagTransfer>();
        builder.Services.AddScoped<TagDesk>();
        builder.Services.AddSingleton<TagNotifier>();
        return builder;
    }
}
