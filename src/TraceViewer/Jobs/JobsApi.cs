using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace TraceViewer.Jobs;

/// <summary>
/// The JSON API for jobs. Unsafe requests from another site's pages are refused (<see cref="CrossOriginFilter"/>);
/// creating a job needs a JSON body, which a cross-site form cannot send.
/// </summary>
internal static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/jobs").WithTags("Jobs").AddEndpointFilter<CrossOriginFilter>();
        api.MapPost("/", CreateAsync)
            .WithName("CreateJob")
            .WithSummary("Starts a job: kind (Resample, Embed, Judge, Collect, Tag), traceId, traceIds (resample and judge, at most 1,000 traces) or datasetId, positions {from, to} (omit for all), n, provider, model, temperature, topP, maxTokens; judge {classifier, prompt, votes, threshold, target}; collect {dataset, n, seed, tiers, variants, samplesPerQuery, judge}; tag {taxonomy, votes, topK, prompt}.")
            .WithDescription("With an Idempotency-Key header (1 to 200 printable ASCII characters), the first request creates the job (201); a repeat of the same request with the same key returns that job (200, Idempotent-Replayed: true) instead of creating another, even when sent concurrently; the same key with a different request is refused (422).")
            .Accepts<JobRequest>("application/json")
            .RequireAuthorization(Accounts.AccessPolicies.Research);
        api.MapGet("/", ListAsync)
            .WithName("ListJobs")
            .WithSummary("Lists jobs, newest first; filter by traceId, or active=true for queued, running and paused ones.");
        api.MapGet("/{id:int}", GetAsync)
            .WithName("GetJob")
            .WithSummary("One job: status, item counts (done, failed, pending, running, total), retries, tokens, cost, rate, ETA and the latest item errors.");
        api.MapPost("/{id:int}/cancel", (int id, JobService jobs, JobStatusQuery query, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct) => ChangeAsync(id, jobs, jobs.CancelAsync, query, user, ct))
            .WithName("CancelJob")
            .WithSummary("Cancels a job: no further requests start; requests in flight are abandoned.")
            .RequireAuthorization(Accounts.AccessPolicies.Research);
        api.MapPost("/{id:int}/pause", (int id, JobService jobs, JobStatusQuery query, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct) => ChangeAsync(id, jobs, jobs.PauseAsync, query, user, ct))
            .WithName("PauseJob")
            .WithSummary("Pauses a queued or running job: no further requests start; items in flight are abandoned and run again on resume.")
            .RequireAuthorization(Accounts.AccessPolicies.Research);
        api.MapPost("/{id:int}/resume", (int id, JobService jobs, JobStatusQuery query, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct) => ChangeAsync(id, jobs, jobs.ResumeAsync, query, user, ct))
            .WithName("ResumeJob")
            .WithSummary("Resumes a paused job.")
            .RequireAuthorization(Accounts.AccessPolicies.Research);
        return app;
    }

    public const string IdempotencyKeyHeader = "Idempotency-Key";

    internal static async Task<Results<Created<JobStatusView>, Ok<JobStatusView>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        JobRequest request, [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey, JobService jobs, JobStatusQuery query, HttpResponse response,
        System.Security.Claims.ClaimsPrincipal user, CancellationToken ct)
    {
        if (idempotencyKey is not null && !JobService.IsValidIdempotencyKey(idempotencyKey))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [IdempotencyKeyHeader] = [$"An Idempotency-Key is 1 to {JobService.MaxIdempotencyKeyLength} printable ASCII characters."] },
                title: "The job request is invalid");
        }

        // The account-wide role passed the endpoint's policy; the role in each target dataset's workspace is checked here.
        if (await jobs.WorkspaceRefusalAsync(user, request, ct) is { } refusal)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: refusal);
        }

        var created = await jobs.CreateAsync(request, idempotencyKey, ct);
        if (created.KeyUsedByJob is { } other)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key already used",
                detail: $"The Idempotency-Key created job {other} with a different request. Use a new key for a new request.");
        }

        if (created.JobId is not { } id)
        {
            return TypedResults.ValidationProblem(created.Errors!, title: "The job request is invalid");
        }

        var job = (await query.GetAsync(id, ct))!;
        if (!created.Replayed)
        {
            return TypedResults.Created($"/api/jobs/{id}", job);
        }

        response.Headers.Location = $"/api/jobs/{id}";
        response.Headers["Idempotent-Replayed"] = "true";
        return TypedResults.Ok(job);
    }

    internal static async Task<Ok<IReadOnlyList<JobStatusView>>> ListAsync(
        JobStatusQuery query, int? traceId, bool? active, int? limit, CancellationToken ct) =>
        TypedResults.Ok(await query.ListAsync(traceId, active ?? false, limit ?? 100, ct));

    internal static async Task<Results<Ok<JobStatusView>, ProblemHttpResult>> GetAsync(int id, JobStatusQuery query, CancellationToken ct) =>
        await query.GetAsync(id, ct) is { } job ? TypedResults.Ok(job) : NotFound(id);

    private static async Task<Results<Ok<JobStatusView>, ProblemHttpResult>> ChangeAsync(
        int id, JobService jobs, Func<int, CancellationToken, Task<JobChange>> change, JobStatusQuery query, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct)
    {
        // The account-wide role passed the endpoint's policy; the role in the workspace of each dataset the job works on is checked here.
        if (await jobs.ControlRefusalAsync(user, id, ct) is { } refusal)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: refusal);
        }

        var result = await change(id, ct);
        if (result == JobChange.NotFound)
        {
            return NotFound(id);
        }

        var job = (await query.GetAsync(id, ct))!;
        return result == JobChange.Done
            ? TypedResults.Ok(job)
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible in this state", detail: $"Job {id} is {job.Status}.");
    }

    private static ProblemHttpResult NotFound(int id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Job not found", detail: $"There is no job with id {id}.");
}

/// <summary>
/// Refuses state-changing requests that a browser sends on behalf of another site (Sec-Fetch-Site cross-site, or an
/// Origin that is not this host). The API uses no cookies, so there is no session to ride on; this stops a page on
/// another site from cancelling or pausing jobs of a server on the researcher's own machine. Clients that are not
/// browsers send neither header and pass.
/// </summary>
internal sealed class CrossOriginFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && IsCrossOrigin(request))
        {
            return ValueTask.FromResult<object?>(TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden, title: "Cross-origin request refused",
                detail: "State-changing job requests are accepted from this site's own pages or from non-browser clients only."));
        }

        return next(context);
    }

    internal static bool IsCrossOrigin(HttpRequest request)
    {
        if (request.Headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site")
        {
            return true;
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0
            && !(Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }
}
