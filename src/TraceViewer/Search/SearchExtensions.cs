using Microsoft.EntityFrameworkCore.Diagnostics;
using TraceViewer.Data;

namespace TraceViewer.Search;

internal static class SearchExtensions
{
    public static IHostApplicationBuilder AddSearch(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<SearchQueries>();
        builder.Services.AddSingleton<ISaveChangesInterceptor, SearchEffectsInterceptor>();
        builder.Services.AddSingleton<IDatabaseStartupStep, SearchEffectsStartup>();
        builder.Services.AddSingleton<ITracesWritten, SearchEffectsAfterBulkWrites>();
        return builder;
    }
}
