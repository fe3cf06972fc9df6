using TraceViewer.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TraceViewer.Agreement;
using TraceViewer.Kinds;
using TraceViewer.Studies;
using TraceViewer.Traces;

namespace TraceViewer.Exports;

/// <summary>The trace page's query string, as far as the curve depends on it.</summary>
internal sealed record CurveExportQuery(
    [FromQuery(Name = "outcome")] string? Outcome = null,
    [FromQuery(Name = "effect")] string? Effect = null,
    [FromQuery(Name = "threshold")] string? Threshold = null);

/// <summary>The agreement page's query string.</summary>
internal sealed record AgreementExportQuery(
    [FromQuery(Name = "dataset")] int? Dataset = null,
    [FromQuery(Name = "taxonomy")] int? Taxonomy = null,
    [FromQuery(Name = "annotator")] string[]? Annotator = null,
    [FromQuery(Name = "judge")] string? Judge = null)
{
    public AgreementRequest ToRequest() => new(Dataset, Taxonomy, Annotator is { Length: > 0 } a ? a : null, string.IsNullOrEmpty(Judge) ? null : Judge);
}

/// <summary>
/// "CSV of these numbers" for each chart (the numbers it plots, for the page's query string), and the study and
/// agreement pages' tables as CSV and JSON attachments.
/// </summary>
internal static class ChartExportsApi
{
    public static IEndpointRouteBuilder MapChartExportsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Exports");
        api.MapGet("/traces/{id:int}/curve.csv", GetCurveCsvAsync)
            .WithName("ExportTraceCurveCsv")
            .AllowPublicRead(Accounts.PublicSubject.Trace)
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The numbers the trace page's curve plots, for the same query string (outcome, effect, threshold): per outcome and prefix "
                + "the rate, Wilson 95% band, counts and the direction of the sentence that ends the prefix.");
        api.MapGet("/datasets/{id:int}/study-chart.csv", GetStudyChartCsvAsync)
            .WithName("ExportStudyChartCsv")
            .AllowPublicRead(Accounts.PublicSubject.Dataset)
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The numbers the study chart plots: per bar (outcome, tier, prompt variant) the rate, Wilson 95% interval and counts.");
        api.MapGet("/datasets/{id:int}/study.csv", GetStudyCsvAsync)
            .WithName("ExportStudyCsv")
            .AllowPublicRead(Accounts.PublicSubject.Dataset)
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The study page's table: per condition and outcome the rate, Wilson 95% interval and counts, with the free-minus-paid compliance gap.");
        api.MapGet("/datasets/{id:int}/study.json", GetStudyJsonAsync)
            .WithName("ExportStudyJson")
            .AllowPublicRead(Accounts.PublicSubject.Dataset)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The study page's conditions and gaps as a JSON attachment.");
        api.MapGet("/kinds-chart.csv", GetKindsChartCsvAsync)
            .WithName("ExportKindsChartCsv")
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .WithSummary("The numbers the kinds chart plots, for the same query string as /kinds: per tag the mean signed effect, 95% interval and counts.");
        api.MapGet("/agreement.csv", GetAgreementCsvAsync)
            .WithName("ExportAgreementCsv")
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .WithSummary("The agreement page's figures for the same query string: per variable alpha and Fleiss' kappa, per pair Cohen's kappa and observed agreement, with 95% intervals.");
        api.MapGet("/agreement.json", GetAgreementJsonAsync)
            .WithName("ExportAgreementJson")
            .WithSummary("The agreement page's figures (as GET /api/agreement) as a JSON attachment.");
        return app;
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetCurveCsvAsync(
        int id, [AsParameters] CurveExportQuery query, TraceQueries queries, CancellationToken ct)
    {
        var address = TraceAddress.Parse(id, null, query.Outcome, query.Effect, query.Threshold, null, null, null);
        return await queries.GetTraceAsync(id, address.Threshold, ct) is { } trace
            ? ExportsApi.Csv(ChartTables.Curve(trace, address.Effect), $"trace-{id}-curve-{address.Effect.QueryValue()}")
            : NotFound("Trace not found", $"There is no trace with id {id}.");
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetStudyChartCsvAsync(int id, StudyQueries queries, CancellationToken ct) =>
        await queries.LoadAsync(id, ct) is { } study
            ? ExportsApi.Csv(ChartTables.StudyChart(study), $"study-{id}-chart")
            : NoStudy(id);

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetStudyCsvAsync(int id, StudyQueries queries, CancellationToken ct) =>
        await queries.LoadAsync(id, ct) is { } study
            ? ExportsApi.Csv(ChartTables.StudyTable(study), $"study-{id}")
            : NoStudy(id);

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetStudyJsonAsync(int id, StudyQueries queries, HttpContext http, CancellationToken ct) =>
        await queries.LoadAsync(id, ct) is { } study
            ? ExportsApi.Json(http, study, $"study-{id}")
            : NoStudy(id);

    internal static async Task<FileContentHttpResult> GetKindsChartCsvAsync([AsParameters] KindsQuery query, KindsQueries queries, CancellationToken ct)
    {
        var view = await queries.LoadAsync(query.ToRequest(), ct);
        return ExportsApi.Csv(ChartTables.KindsChart(view), $"kinds-chart-{view.Selection.Outcome ?? "none"}-{view.Selection.Effect}");
    }

    internal static async Task<FileContentHttpResult> GetAgreementCsvAsync([AsParameters] AgreementExportQuery query, AgreementQueries queries, CancellationToken ct)
    {
        var view = await queries.LoadAsync(query.ToRequest(), ct);
        return ExportsApi.Csv(ChartTables.Agreement(view), AgreementStem(view));
    }

    internal static async Task<FileContentHttpResult> GetAgreementJsonAsync(
        [AsParameters] AgreementExportQuery query, AgreementQueries queries, HttpContext http, CancellationToken ct)
    {
        var view = await queries.LoadAsync(query.ToRequest(), ct);
        return ExportsApi.Json(http, view, AgreementStem(view));
    }

    private static string AgreementStem(AgreementView view) =>
        "agreement" + (view.Tags is { } tags ? "-" + tags.Name : "") + (view.Dataset is { } d ? $"-dataset-{d}" : "");

    private static ProblemHttpResult NoStudy(int id) => NotFound("Study not found", $"Dataset {id} has no study.");

    private static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);
}
