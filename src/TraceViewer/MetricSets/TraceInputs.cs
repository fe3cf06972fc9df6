using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Metrics.Engine;
using TraceViewer.Resampling;
using TraceViewer.Traces;

namespace TraceViewer.MetricSets;

/// <summary>One stored resample with its label for one outcome (none for an unlabelled or errored generation).</summary>
internal sealed record ResampleRow(int Position, string? FirstSentence, string? Answer, string? Error, int? OutcomeId, bool? IsPositive)
{
    /// <summary>imported or generated (<see cref="Resample.Origin"/>).</summary>
    public TraceViewer.Resampling.ResampleOrigin Origin { get; init; } = TraceViewer.Resampling.ResampleOrigin.Imported;
}

/// <summary>A trace's sentences and labelled resamples: everything the engine needs besides the similarity.</summary>
internal sealed record TraceInputs(IReadOnlyList<(int Index, string Text)> Sentences, IReadOnlyList<ResampleRow> Rows)
{
    public static async Task<TraceInputs> LoadAsync(TraceViewerDbContext db, int traceId, CancellationToken ct)
    {
        var sentences = await db.Set<Sentence>().AsNoTracking().Where(s => s.TraceId == traceId)
            .OrderBy(s => s.Index).Select(s => new { s.Index, s.Text }).ToListAsync(ct);
        var rows = await (
            from r in db.Set<Resample>().AsNoTracking().Where(r => r.TraceId == traceId)
            from l in r.Labels.DefaultIfEmpty()
            select new ResampleRow(r.Position, r.FirstSentence, r.Answer, r.Error, l == null ? null : l.OutcomeId, l == null ? null : l.IsPositive) { Origin = r.Origin })
            .ToListAsync(ct);
        return new TraceInputs([.. sentences.Select(s => (s.Index, s.Text))], rows);
    }

    /// <summary>Outcomes with at least one labelled resample.</summary>
    public IReadOnlyList<int> Outcomes =>
        [.. Rows.Where(r => r.OutcomeId is not null).Select(r => r.OutcomeId!.Value).Distinct().Order()];

    /// <summary>Errored generations count as errors for every outcome; others only where they carry this outcome's label.</summary>
    public List<ResampleRow> Members(int outcomeId) =>
        [.. Rows.Where(r => r.OutcomeId == outcomeId || (r.Error is not null && r.OutcomeId is null))];

    public List<PositionInput> Positions(IReadOnlyList<ResampleRow> members)
    {
        var byPosition = members.ToLookup(r => r.Position);
        return [.. Sentences.Select(s => new PositionInput(
            s.Index,
            s.Text,
            byPosition.Contains(s.Index)
                ? byPosition[s.Index].Select(r => new ResampleInput(r.FirstSentence, r.Answer, r.IsPositive, r.Error is not null)).ToList()
                : null))];
    }

    /// <summary>The (sentence, resampled first sentence) pairs whose similarity the engine may ask for.</summary>
    public HashSet<(string Sentence, string First)> Pairs()
    {
        var text = Sentences.ToDictionary(s => s.Index, s => s.Text);
        var pairs = new HashSet<(string, string)>();
        foreach (var r in Rows)
        {
            if (r.FirstSentence is not null && text.TryGetValue(r.Position, out var sentence))
            {
                pairs.Add((sentence, r.FirstSentence));
            }
        }

        return pairs;
    }

    /// <summary>Identifies the resample set a number was computed from.</summary>
    public static string Hash(IEnumerable<ResampleRow> rows)
    {
        var text = new StringBuilder();
        foreach (var r in rows.OrderBy(r => r.Position).ThenBy(r => r.FirstSentence, StringComparer.Ordinal).ThenBy(r => r.IsPositive))
        {
            text.Append(r.Position).Append('\u001f').Append(r.FirstSentence).Append('\u001f').Append(r.Answer)
                .Append('\u001f').Append(r.IsPositive).Append('\u001f').Append(r.Error is not null).Append('\u001e');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
