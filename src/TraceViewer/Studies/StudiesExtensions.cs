using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Datasets;

namespace TraceViewer.Studies;

internal static class StudiesExtensions
{
    public static IEndpointRouteBuilder MapStudies(this IEndpointRouteBuilder app)
    {
        app.MapGet("/datasets/{id:int}/study/traces", GetTracesFragmentAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>htmx fragment: the traces behind one bar of the study chart.</summary>
    private static async Task<Results<RazorComponentResult<StudyTraceList>, NotFound>> GetTracesFragmentAsync(
        int id, string variant, string tier, TraceViewerDbContext db, CancellationToken ct)
    {
        if (!await db.Set<Dataset>().AnyAsync(d => d.Id == id, ct))
        {
            return TypedResults.NotFound();
        }

        var rows = await StudyQueries.LoadTracesAsync(db, id, variant, tier, ct);
        return new RazorComponentResult<StudyTraceList>(new { Rows = rows, Variant = variant, Tier = tier });
    }
}
