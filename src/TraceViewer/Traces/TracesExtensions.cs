using Microsoft.AspNetCore.Http.HttpResults;

namespace TraceViewer.Traces;

internal static class TracesExtensions
{
    public static IHostApplicationBuilder AddTraces(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<TraceQueries>();
        return builder;
    }

    /// <summary>Page fragments for htmx and the JSON API for datasets and traces.</summary>
    public static IEndpointRouteBuilder MapTraces(this IEndpointRouteBuilder app)
    {
        app.MapGet("/traces/{id:int}/sentences/{k:int}/detail", GetSentenceDetailAsync)
            .WithName("SentenceDetailFragment")
            .ExcludeFromDescription();
        app.MapTracesApi();
        return app;
    }

    /// <summary>The sentence detail panel as an HTML fragment for htmx.</summary>
    internal static async Task<Results<RazorComponentResult<SentenceDetail>, NotFound>> GetSentenceDetailAsync(
        int id, int k, string? threshold, TraceQueries queries, CancellationToken ct)
    {
        var detail = await queries.GetSentenceDetailAsync(id, k, TraceLinks.TryParseThreshold(threshold, out var t) ? t : null, ct);
        return detail is null
            ? TypedResults.NotFound()
            : new RazorComponentResult<SentenceDetail>(new Dictionary<string, object?> { [nameof(SentenceDetail.Detail)] = detail });
    }
}
