using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Accounts;
using TraceViewer.Data;
using TraceViewer.Resampling;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Agreement;

/// <summary>A person's verdict as a control shows it.</summary>
internal sealed record VerdictState(bool Verdict, string? Note, DateTimeOffset UpdatedAt);

/// <summary>
/// Reads and writes one person's alignment-faking verdicts. It checks nothing about rights: its callers ask
/// <see cref="IAccess.AllowsAsync"/> for <see cref="AccessPolicies.Annotate"/> first.
/// </summary>
internal sealed class VerdictStore(TraceViewerDbContext db, TimeProvider time)
{
    /// <summary>The annotator id of a user: the account's id, or <see cref="BuiltInTaxonomies.LocalPerson"/> for the local owner.</summary>
    public static string? PersonId(ClaimsPrincipal user) => LocalOwner.Is(user)
        ? BuiltInTaxonomies.LocalPerson
        : user.FindFirst(ClaimTypes.NameIdentifier)?.Value;

    public async Task<VerdictState?> GetAsync(string annotator, int traceId, long? resampleId, CancellationToken ct) =>
        await Mine(annotator, traceId, resampleId).Select(v => new VerdictState(v.Verdict, v.Note, v.UpdatedAt)).SingleOrDefaultAsync(ct);

    /// <summary>Sets (or, with a null <paramref name="verdict"/>, removes) the annotator's verdict on the trace or its resample.</summary>
    /// <exception cref="ArgumentException">No such trace or resample, or a note too long.</exception>
    public Task SetAsync(string annotator, int traceId, long? resampleId, bool? verdict, string? note, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(annotator) || annotator.Length > TagLimits.MaxAnnotatorLength)
        {
            throw new ArgumentException("An annotator id is 1 to 200 characters.", nameof(annotator));
        }

        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (note?.Length > HumanVerdictConfiguration.MaxNoteLength)
        {
            throw new ArgumentException($"A note is at most {HumanVerdictConfiguration.MaxNoteLength} characters.", nameof(note));
        }

        return UniqueRetry.RunAsync(db, async () =>
        {
            var exists = resampleId is { } r
                ? await db.Set<Resample>().AnyAsync(x => x.Id == r && x.TraceId == traceId, ct)
                : await db.Set<Trace>().AnyAsync(x => x.Id == traceId, ct);
            if (!exists)
            {
                throw new ArgumentException(resampleId is null ? $"There is no trace {traceId}." : $"Trace {traceId} has no resample {resampleId}.");
            }

            var row = await Mine(annotator, traceId, resampleId).AsTracking().SingleOrDefaultAsync(ct);
            var now = time.GetUtcNow();
            if (verdict is not { } value)
            {
                if (row is not null)
                {
                    db.Remove(row);
                }
            }
            else if (row is null)
            {
                db.Add(new HumanVerdict
                {
                    TraceId = traceId, ResampleId = resampleId, Annotator = annotator, Verdict = value, Note = note, CreatedAt = now, UpdatedAt = now,
                });
            }
            else
            {
                row.Verdict = value;
                row.Note = note;
                row.UpdatedAt = now;
            }

            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }, ct);
    }

    private IQueryable<HumanVerdict> Mine(string annotator, int traceId, long? resampleId) =>
        db.Set<HumanVerdict>().AsNoTracking().Where(v => v.Annotator == annotator && v.TraceId == traceId && v.ResampleId == resampleId);
}
