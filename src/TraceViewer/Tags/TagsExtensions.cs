using TraceViewer.Components.Layout;

namespace TraceViewer.Tags;

internal static class TagsExtensions
{
    public static IHostApplicationBuilder AddTags(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<TagWriter>();
        builder.Services.AddScoped<TagTransfer>();
        builder.Services.AddScoped<TagDesk>();
        builder.Services.AddSingleton<TagNotifier>();
        // Presses an earlier page left unsaved are sent from whichever page the annotator opens next.
        builder.Services.AddSingleton(new LayoutPart(typeof(TagOutbox)));
        return builder;
    }
}
