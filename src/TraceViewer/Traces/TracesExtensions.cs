using Microsoft.AspNetCore.Http.HttpResults;

namespace TraceViewer.Traces;

internal static class TracesExtensions
{
    public static IHostApplicationBuilder AddTraces(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<TraceQueries>();
        return builder;
    }

    /// <summary>The trace chart's data as JSON and the JSON API for datasets and traces.</summary>
    public static IEndpointRouteBuilder MapTraces(this IEndpointRouteBuilder app)
    {
        app.MapGet("/traces/{id:int}/chart", GetChartAsync)
            .WithName("TraceChartData")
            .ExcludeFromDescription();
        app.MapTracesApi();
        return app;
    }

    /// <summary>The trace page's chart data, read again when a job has added resamples and the metrics were recomputed.</summary>
    internal static async Task<Results<JsonHttpResult<TraceChartData>, NotFound>> GetChartAsync(
        int id, string? outcome, string? effect, string? threshold, TraceQueries queries, CancellationToken ct)
    {
        var trace = await queries.GetTraceAsync(id, TraceLinks.TryParseThreshold(threshold, out var t) ? t : null, ct);
        if (trace is null)
        {
            return TypedResults.NotFound();
        }

        var selected = trace.PrimaryOutcome(outcome ?? trace.Dataset.PrimaryOutcome);
        return TypedResults.Json(TraceChartData.From(trace, selected, null, EffectKinds.Parse(effect)), Web.FiniteNumbers.Web);
    }
}
