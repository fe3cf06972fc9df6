namespace TraceViewer.Search;

internal static class SearchExtensions
{
    public static IHostApplicationBuilder AddSearch(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<SearchQueries>();
        return builder;
    }
}
