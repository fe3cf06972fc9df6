using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Components;
using TraceViewer.Data;
using TraceViewer.Traces;

namespace TraceViewer.Jobs;

/// <summary>
/// HTML fragments of the static trace page's jobs panel, for htmx. Requests that change a job need the antiforgery
/// token (a form field or the header app.js adds). The interactive pages change jobs in their circuit and need none
/// of these; they go when the trace page has moved to the interactive stack.
/// </summary>
internal static class JobPages
{
    /// <summary>The htmx event the trace panel raises when the trace's metrics have changed since it was drawn.</summary>
    public const string MetricsChangedEvent = "trace-metrics-changed";

    private static readonly (string Name, Func<JobService, int, CancellationToken, Task<JobChange>> Change)[] Actions =
    [
        ("cancel", (jobs, id, ct) => jobs.CancelAsync(id, ct)),
        ("pause", (jobs, id, ct) => jobs.PauseAsync(id, ct)),
        ("resume", (jobs, id, ct) => jobs.ResumeAsync(id, ct)),
    ];

    public static IEndpointRouteBuilder MapJobPages(this IEndpointRouteBuilder app)
    {
        var fragments = app.MapGroup("").ExcludeFromDescription();
        fragments.MapGet("/traces/{id:int}/jobs", TraceJobsAsync).WithName("TraceJobsFragment");

        var changes = app.MapGroup("").ExcludeFromDescription().RequireAntiforgery();
        changes.MapPost("/traces/{id:int}/jobs", CreateAsync).WithName("CreateTraceJob");
        foreach (var (name, change) in Actions)
        {
            changes.MapPost($"/traces/{{traceId:int}}/jobs/{{id:int}}/{name}", (int traceId, int id, JobService jobs, JobPageQueries queries, HttpResponse response, CancellationToken ct) =>
                ChangeForTraceAsync(traceId, id, change, jobs, queries, response, ct));
        }

        return app;
    }

    internal static async Task<Results<RazorComponentResult<HtmxTraceJobs>, NotFound>> TraceJobsAsync(
        int id, int? stamp, TraceViewerDbContext db, JobPageQueries queries, HttpResponse response, CancellationToken ct)
    {
        if (!await db.Set<Trace>().AnyAsync(t => t.Id == id, ct))
        {
            return TypedResults.NotFound();
        }

        var view = await queries.ForTraceAsync(id, ct);
        if (stamp is not null && stamp != view.MetricsStamp)
        {
            // Raised on the polling element before the swap, so the page's listener sees it.
            response.Headers["HX-Trigger"] = MetricsChangedEvent;
        }

        return TraceJobs(view);
    }

    /// <summary>The resample form: starts a job and answers with the panel (htmx), or goes back to the trace page.</summary>
    internal static async Task<Results<RazorComponentResult<HtmxTraceJobs>, RedirectHttpResult, ProblemHttpResult>> CreateAsync(
        int id,
        [FromForm(Name = "from")] string? from,
        [FromForm(Name = "to")] string? to,
        [FromForm(Name = "n")] string? n,
        [FromForm(Name = "provider")] string? provider,
        [FromForm(Name = "model")] string? model,
        [FromForm(Name = "temperature")] string? temperature,
        [FromForm(Name = "topP")] string? topP,
        [FromForm(Name = "maxTokens")] string? maxTokens,
        TraceViewerDbContext db,
        JobService jobs,
        JobPageQueries queries,
        HttpRequest request,
        CancellationToken ct)
    {
        if (!await db.Set<Trace>().AnyAsync(t => t.Id == id, ct))
        {
            return NotFound();
        }

        var (jobRequest, errors) = new ResampleFormInput(from, to, n, provider, model, temperature, topP, maxTokens).ToRequest(id);
        int? created = null;
        IDictionary<string, string[]>? problems = errors.Count > 0 ? errors : null;
        if (jobRequest is not null)
        {
            (created, problems) = await jobs.CreateAsync(jobRequest, ct);
        }

        if (request.Headers["HX-Request"] != "true")
        {
            return TypedResults.Redirect(TraceLinks.Trace(id));
        }

        var view = await queries.ForTraceAsync(id, ct) with { Errors = problems, CreatedJobId = created };
        return TraceJobs(view);
    }

    private static async Task<Results<RazorComponentResult<HtmxTraceJobs>, ProblemHttpResult>> ChangeForTraceAsync(
        int traceId, int id, Func<JobService, int, CancellationToken, Task<JobChange>> change, JobService jobs, JobPageQueries queries,
        HttpResponse response, CancellationToken ct)
    {
        if (await queries.GetAsync(id, ct) is not { } detail || detail.Row.Job.TraceId != traceId)
        {
            return NotFound();
        }

        await change(jobs, id, ct);
        return TraceJobs(await queries.ForTraceAsync(traceId, ct));
    }

    /// <summary>A problem document rather than an empty 404: the status page would otherwise re-execute a POST as a page request.</summary>
    private static ProblemHttpResult NotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "There is no such job or trace.");

    private static RazorComponentResult<HtmxTraceJobs> TraceJobs(TraceJobsView view) =>
        new(new Dictionary<string, object?> { [nameof(HtmxTraceJobs.View)] = view });
}
