using TraceViewer.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace TraceViewer.Analyses;

/// <summary>The JSON API of the post's analyses: one trace's, and a study's distribution over traces and free/paid query pairs.</summary>
internal static class AnalysesApi
{
    public static IEndpointRouteBuilder MapAnalysesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Analyses");
        api.MapGet("/traces/{id:int}/analyses", GetTraceAsync)
            .WithName("GetTraceAnalyses")
            .AllowPublicRead(Accounts.PublicSubject.Trace)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One trace's analyses from the metric sets the pages show: per sentence the alignment-faking and compliance effects "
                + "(counterfactual, or resampling on fallback; TraceViewer's sign), their Pearson and Spearman correlation (null with the reason "
                + "when fewer than 3 sentences or an outcome's effects do not vary), and per outcome the share of the total absolute effect carried by the top 1, 2 and 5 sentences.");
        api.MapGet("/datasets/{id:int}/study/analyses", GetStudyAsync)
            .WithName("GetStudyAnalyses")
            .AllowPublicRead(Accounts.PublicSubject.Dataset)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The trace analyses of every analysed trace of a study, per prompt variant and tier, with medians over the traces where a value is defined.");
        api.MapGet("/datasets/{id:int}/study/pairs", GetPairsAsync)
            .WithName("GetStudyPairs")
            .AllowPublicRead(Accounts.PublicSubject.Dataset)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A study's queries, each in the free and the paid tier of its prompt variant: per side the trace ids and the compliance and "
                + "alignment-faking rates over them with Wilson 95% intervals. Paged (pageSize up to 500).");
        return app;
    }

    internal static async Task<Results<Ok<TraceAnalysisView>, ProblemHttpResult>> GetTraceAsync(int id, AnalysisQueries queries, CancellationToken ct) =>
        await queries.TraceAsync(id, ct) is { } view
            ? TypedResults.Ok(view)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Trace not found", detail: $"There is no trace with id {id}.");

    internal static async Task<Results<Ok<StudyAnalysesView>, ProblemHttpResult>> GetStudyAsync(int id, AnalysisQueries queries, CancellationToken ct) =>
        await queries.StudyAsync(id, ct) is { } view
            ? TypedResults.Ok(view)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Dataset not found", detail: $"There is no dataset with id {id}.");

    internal static async Task<Results<Ok<StudyPairsView>, ProblemHttpResult>> GetPairsAsync(
        int id, AnalysisQueries queries, CancellationToken ct, [FromQuery(Name = "page")] int? page = null, [FromQuery(Name = "pageSize")] int? pageSize = null) =>
        await queries.PairsAsync(id, page ?? 1, pageSize ?? AnalysisQueries.PairsPageSize, ct) is { } view
            ? TypedResults.Ok(view)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Dataset not found", detail: $"There is no dataset with id {id}.");
}
