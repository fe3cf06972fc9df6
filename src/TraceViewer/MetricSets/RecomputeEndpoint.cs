using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Metrics.Engine;
using TraceViewer.Traces;

namespace TraceViewer.MetricSets;

/// <summary>The trace page's recompute button: recomputes and stores the trace's metrics, then shows the page again.</summary>
internal static class RecomputeEndpoint
{
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        // Form parameters make the endpoint require a valid antiforgery token (checked by UseAntiforgery).
        app.MapPost("/traces/{id:int}/recompute", RecomputeAsync)
            .WithName("RecomputeTraceMetrics")
            .RequireAuthorization(Accounts.AccessPolicies.Research)
            .ExcludeFromDescription();
        return app;
    }

    internal static async Task<Results<RedirectHttpResult, NotFound, BadRequest<string>, ProblemHttpResult>> RecomputeAsync(
        int id,
        [FromForm(Name = "threshold")] string? threshold,
        [FromForm(Name = "outcome")] string? outcome,
        [FromForm(Name = "effect")] string? effect,
        TraceViewerDbContext db,
        MetricsRecomputer recomputer,
        WorkspaceWrites writes,
        System.Security.Claims.ClaimsPrincipal user,
        CancellationToken ct)
    {
        if (!await db.Set<Trace>().AnyAsync(t => t.Id == id, ct))
        {
            return TypedResults.NotFound();
        }

        if (await writes.RefusalForTraceAsync(user, Accounts.AccessPolicies.Research, id, ct) is { } refusal)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: refusal);
        }

        double? tau = null;
        if (!string.IsNullOrWhiteSpace(threshold))
        {
            if (!TraceLinks.TryParseThreshold(threshold, out var parsed))
            {
                return TypedResults.BadRequest("threshold must be a number between 0 and 1");
            }

            tau = parsed;
        }

        var parameters = MetricsParameters.TraceViewerDefaults with { Threshold = tau ?? MetricsParameters.TraceViewerDefaults.Threshold };
        var results = await recomputer.RecomputeTraceAsync(id, parameters, ct);
        var link = TraceLinks.WithView(TraceLinks.Trace(id), outcome, EffectKinds.Parse(effect), parameters.Threshold);
        // Browsers follow a redirect after a POST with a GET, so reloading the page does not post again.
        return TypedResults.Redirect(link + (results.Count == 0 ? "&recompute=none" : ""), permanent: false, preserveMethod: false);
    }
}
