using TraceViewer.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace TraceViewer.Traces;

/// <summary>The read-only JSON API: datasets, a paged and filtered trace list, one trace with its metrics, and one resample with its evidence.</summary>
internal static class TracesApi
{
    public static IEndpointRouteBuilder MapTracesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Traces");
        api.MapGet("/datasets", GetDatasetsAsync)
            .WithName("ListDatasets")
            .AllowPublicRead()
            .WithSummary("Lists datasets with their model, trace count and outcomes.");
        api.MapGet("/traces", GetTracesAsync)
            .WithName("ListTraces")
            .AllowPublicRead()
            .WithSummary("Lists traces, filtered and paged; sort is importance (default), title, newest or relevance (the default with words in q), and q matches whole words (word* a prefix) of title, prompt, reasoning and final output; tier and variant (prompt variant, \"default\" for traces without one) filter alignment-faking studies.");
        api.MapGet("/traces/{id:int}", GetTraceAsync)
            .WithName("GetTrace")
            .AllowPublicRead(Accounts.PublicSubject.Trace)
            .WithSummary("One trace: reasoning, sentences with character offsets, and per outcome the prefix rates and stored effects.");
        api.MapGet("/traces/{id:int}/resamples/{resampleId:long}", GetResampleAsync)
            .WithName("GetResample")
            .AllowPublicRead(Accounts.PublicSubject.Trace)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One resample in full: position, sample index, continuation, final output, source, and every label with its judge votes (raw reply, parsed criteria, verdict).");
        return app;
    }

    internal static async Task<Ok<IReadOnlyList<DatasetRow>>> GetDatasetsAsync(TraceQueries queries, CancellationToken ct) =>
        TypedResults.Ok(await queries.ListDatasetsAsync(ct));

    internal static async Task<Ok<PagedResult<TraceRow>>> GetTracesAsync(
        [AsParameters] TraceListQuery query, TraceQueries queries, CancellationToken ct) =>
        TypedResults.Ok(await queries.ListTracesAsync(query.ToFilter(), ct));

    /// <summary>One trace; <paramref name="resamples"/> (imported, generated or all) chooses the resamples its numbers rest on, as the page's query does.</summary>
    internal static async Task<Results<Ok<TraceDocument>, ProblemHttpResult>> GetTraceAsync(int id, TraceQueries queries, CancellationToken ct, string? resamples = null)
    {
        var trace = await queries.GetTraceAsync(id, null, ct, TraceAddress.ParseResamples(resamples));
        return trace is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Trace not found", detail: $"There is no trace with id {id}.")
            : TypedResults.Ok(trace);
    }

    internal static async Task<Results<Ok<ResampleDocument>, ProblemHttpResult>> GetResampleAsync(
        int id, long resampleId, TraceQueries queries, CancellationToken ct)
    {
        var resample = await queries.GetResampleAsync(id, resampleId, ct);
        return resample is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Resample not found", detail: $"Trace {id} has no resample with id {resampleId}.")
            : TypedResults.Ok(resample);
    }
}

/// <summary>Query string of the trace list, shared by the API and the traces page.</summary>
internal sealed record TraceListQuery(
    [FromQuery(Name = "dataset")] string? Dataset = null,
    [FromQuery(Name = "model")] string? Model = null,
    [FromQuery(Name = "outcome")] string? Outcome = null,
    [FromQuery(Name = "positive")] bool? Positive = null,
    [FromQuery(Name = "q")] string? Q = null,
    [FromQuery(Name = "sort")] string? Sort = null,
    [FromQuery(Name = "page")] int? Page = null,
    [FromQuery(Name = "pageSize")] int? PageSize = null,
    [FromQuery(Name = "tier")] string? Tier = null,
    [FromQuery(Name = "variant")] string? Variant = null)
{
    public TraceFilter ToFilter() => new(
        Dataset, Model, Outcome, Positive, Q, ParseSort(Sort, Q), Page ?? 1, PageSize ?? TraceFilter.DefaultPageSize, Blank(Tier), Blank(Variant));

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>
    /// The named sort; without one (or an unknown one), relevance when <paramref name="q"/> has words to rank by, else
    /// importance. Relevance without words is importance.
    /// </summary>
    public static TraceSort ParseSort(string? sort, string? q = null)
    {
        var hasWords = Text.SearchTerms.Parse(q).Count > 0;
        var parsed = Enum.TryParse<TraceSort>(sort, ignoreCase: true, out var named) && Enum.IsDefined(named)
            ? named
            : hasWords ? TraceSort.Relevance : TraceSort.Importance;
        return parsed == TraceSort.Relevance && !hasWords ? TraceSort.Importance : parsed;
    }
}
