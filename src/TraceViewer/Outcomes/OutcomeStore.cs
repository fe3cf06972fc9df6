using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;

namespace TraceViewer.Outcomes;

internal static class OutcomeStore
{
    /// <summary>Finds the outcome row for a key, creating it from the registry when missing (not saved).</summary>
    public static async Task<Outcome> GetOrAddAsync(this TraceViewerDbContext db, string key, CancellationToken ct)
    {
        var existing = db.Set<Outcome>().Local.FirstOrDefault(o => o.Key == key)
            ?? await db.Set<Outcome>().FirstOrDefaultAsync(o => o.Key == key, ct);
        if (existing is not null)
        {
            return existing;
        }

        var definition = OutcomeRegistry.Get(key);
        var outcome = new Outcome { Key = definition.Key, Name = definition.Name, Kind = definition.Kind, RateKey = definition.RateKey };
        db.Add(outcome);
        return outcome;
    }
}
