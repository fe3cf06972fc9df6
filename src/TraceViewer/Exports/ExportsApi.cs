using TraceViewer.Accounts;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TraceViewer.Search;
using TraceViewer.Traces;

namespace TraceViewer.Exports;

/// <summary>Query string of the sentence search page, for its exports.</summary>
internal sealed record SearchExportQuery(
    [FromQuery(Name = "dataset")] string? Dataset = null,
    [FromQuery(Name = "text")] string? Text = null,
    [FromQuery(Name = "tag")] string? Tag = null,
    [FromQuery(Name = "outcome")] string? Outcome = null,
    [FromQuery(Name = "direction")] string? Direction = null,
    [FromQuery(Name = "min")] string? Min = null,
    [FromQuery(Name = "effect")] string? Effect = null)
{
    public SentenceSearchFilter ToFilter() => SentenceSearchFilter.FromQuery(Dataset, Text, Tag, Outcome, Direction, Min, Effect, null);
}

/// <summary>
/// Downloads of the lists: the same query string as the page, every row the page would show over all its pages
/// (the page number is ignored), as CSV (<see cref="ExportCsv"/>) or JSON, sent as an attachment.
/// </summary>
internal static class ExportsApi
{
    private const string CsvType = "text/csv; charset=utf-8";

    public static IEndpointRouteBuilder MapExportsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Exports");
        api.MapGet("/traces.csv", GetTracesCsvAsync)
            .WithName("ExportTracesCsv")
            .AllowPublicRead()
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .WithSummary("Every trace the /traces page lists for the same query string (all pages), one row per trace, as CSV.");
        api.MapGet("/traces.json", GetTracesJsonAsync)
            .WithName("ExportTracesJson")
            .AllowPublicRead()
            .WithSummary("Every trace the /traces page lists for the same query string (all pages), as a JSON attachment.");
        api.MapGet("/search.csv", GetSearchCsvAsync)
            .WithName("ExportSearchCsv")
            .AllowPublicRead()
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .WithSummary("Every sentence the /search page finds for the same query string (all pages), one row per sentence, as CSV.");
        api.MapGet("/search.json", GetSearchJsonAsync)
            .WithName("ExportSearchJson")
            .AllowPublicRead()
            .WithSummary("Every sentence the /search page finds for the same query string (all pages), as a JSON attachment.");
        api.MapGet("/traces/{id:int}/sentences.csv", GetSentencesCsvAsync)
            .WithName("ExportTraceSentencesCsv")
            .AllowPublicRead(Accounts.PublicSubject.Trace)
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A trace's sentence metrics as CSV, one row per sentence and outcome: rate before (sentence removed) and after, "
                + "counterfactual and resampling effects with 95% intervals, KL divergences, direction, importance, tags.");
        api.MapGet("/traces/{id:int}/sentences.json", GetSentencesJsonAsync)
            .WithName("ExportTraceSentencesJson")
            .AllowPublicRead(Accounts.PublicSubject.Trace)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The same rows as sentences.csv, as a JSON attachment: an array of objects keyed by the CSV's column names, "
                + "numbers as JSON numbers and null where a value is undefined.");
        app.MapChartExportsApi();
        return app;
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetSentencesCsvAsync(int id, TraceQueries queries, CancellationToken ct) =>
        await queries.GetTraceAsync(id, ct) is { } trace
            ? Csv(ExportTables.Sentences(trace), $"trace-{id}-sentences")
            : NotFound(id);

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetSentencesJsonAsync(
        int id, TraceQueries queries, HttpContext http, CancellationToken ct)
    {
        if (await queries.GetTraceAsync(id, ct) is not { } trace)
        {
            return NotFound(id);
        }

        // JSON keeps the raw text (no formula guard: that is for spreadsheets), numbers as JSON numbers, null when undefined.
        return Json(http, ExportTables.SentenceObjects(trace), $"trace-{id}-sentences");
    }

    private static ProblemHttpResult NotFound(int id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Trace not found", detail: $"There is no trace with id {id}.");

    /// <summary>All rows of the trace list for a filter, in the page's order.</summary>
    internal static async Task<IReadOnlyList<TraceRow>> AllTracesAsync(TraceListQuery query, TraceQueries queries, CancellationToken ct)
    {
        var filter = (query with { Page = null, PageSize = null }).ToFilter() with { PageSize = TraceFilter.MaxPageSize };
        var rows = new List<TraceRow>();
        for (var page = 1; ; page++)
        {
            var result = await queries.ListTracesAsync(filter with { Page = page }, ct);
            rows.AddRange(result.Items);
            if (result.Items.Count == 0 || page >= result.PageCount)
            {
                return rows;
            }
        }
    }

    /// <summary>All hits of the sentence search for a filter, in the page's order; none without criteria, as on the page.</summary>
    internal static async Task<IReadOnlyList<SentenceHit>> AllHitsAsync(SentenceSearchFilter filter, SearchQueries queries, CancellationToken ct)
    {
        var hits = new List<SentenceHit>();
        if (!filter.HasCriteria)
        {
            return hits;
        }

        for (var page = 1; ; page++)
        {
            var result = await queries.FindAsync(filter with { Page = page }, ct);
            hits.AddRange(result.Items);
            if (result.Items.Count == 0 || page >= result.PageCount)
            {
                return hits;
            }
        }
    }

    internal static async Task<FileContentHttpResult> GetTracesCsvAsync([AsParameters] TraceListQuery query, TraceQueries queries, CancellationToken ct) =>
        Csv(ExportTables.Traces(await AllTracesAsync(query, queries, ct)), TracesStem(query));

    internal static async Task<FileContentHttpResult> GetTracesJsonAsync(
        [AsParameters] TraceListQuery query, TraceQueries queries, HttpContext http, CancellationToken ct) =>
        Json(http, await AllTracesAsync(query, queries, ct), TracesStem(query));

    internal static async Task<FileContentHttpResult> GetSearchCsvAsync([AsParameters] SearchExportQuery query, SearchQueries queries, CancellationToken ct)
    {
        var filter = query.ToFilter();
        return Csv(ExportTables.Hits(await AllHitsAsync(filter, queries, ct), filter), SearchStem(filter));
    }

    internal static async Task<FileContentHttpResult> GetSearchJsonAsync(
        [AsParameters] SearchExportQuery query, SearchQueries queries, HttpContext http, CancellationToken ct)
    {
        var filter = query.ToFilter();
        return Json(http, await AllHitsAsync(filter, queries, ct), SearchStem(filter));
    }

    private static string TracesStem(TraceListQuery query) =>
        string.Join('-', new[] { "traces", query.Dataset, query.Model, query.Outcome, query.Tier, query.Variant }.Where(s => !string.IsNullOrWhiteSpace(s)));

    private static string SearchStem(SentenceSearchFilter filter) =>
        string.Join('-', new[] { "sentences", filter.Dataset, filter.Tag, filter.Outcome, filter.Text }.Where(s => !string.IsNullOrWhiteSpace(s)));

    internal static FileContentHttpResult Csv(ExportTable table, string stem) =>
        TypedResults.File(Encoding.UTF8.GetBytes(ExportCsv.Write(table.Header, table.Rows)), CsvType, ExportCsv.FileName(stem, "csv"));

    internal static FileContentHttpResult Json<T>(HttpContext http, T value, string stem)
    {
        var options = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        return TypedResults.File(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(value, options), "application/json; charset=utf-8", ExportCsv.FileName(stem, "json"));
    }
}
