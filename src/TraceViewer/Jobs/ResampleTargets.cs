using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Outcomes;
using TraceViewer.Traces;

namespace TraceViewer.Jobs;

/// <summary>
/// Which traces "Resample these" and "Judge these" mean: the trace list's filter (dataset, model, outcome label, text,
/// tier, prompt variant), or a study condition (dataset, prompt variant, tier), optionally narrowed to one value of an
/// outcome, e.g. the traces of a condition that faked alignment. The names are the trace list's and the study page's
/// query parameters.
/// </summary>
public sealed record ResampleSelection(string? Dataset, string? Model, string? Outcome, bool? Positive, string? Q, string? Variant, string? Tier)
{
    public bool IsCondition => !string.IsNullOrEmpty(Variant) && !string.IsNullOrEmpty(Tier);

    /// <summary>The trace list's filter for this selection (tier and prompt variant each apply on their own, as on the list).</summary>
    public TraceFilter Filter => new(Dataset, Model, Outcome, Positive, Q, Tier: Tier, Variant: Variant);

    /// <summary>The address of the resample form (or, with <paramref name="form"/> <c>judge</c>, the judge form) for this selection.</summary>
    public string Href(string form = "resample")
    {
        var query = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                query.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }

        Add("dataset", Dataset);
        Add("model", Model);
        Add("outcome", Outcome);
        Add("positive", Positive?.ToString().ToLowerInvariant());
        Add("q", Q);
        Add("variant", Variant);
        Add("tier", Tier);
        return "/jobs/" + form + (query.Count == 0 ? "" : "?" + string.Join("&", query));
    }
}

/// <summary>The traces of a selection: their ids (at most one more than a job may take), count, models and lengths.</summary>
public sealed record ResampleTargetView(
    string Description, int Count, IReadOnlyList<int> TraceIds, IReadOnlyList<ModelCount> Models, int ShortestSentences, int LongestSentences)
{
    public bool TooMany => Count > JobRules.MaxTraces;
}

public sealed record ModelCount(string Model, int Traces);

internal sealed class ResampleTargetQueries(TraceViewerDbContext db)
{
    public async Task<ResampleTargetView> LoadAsync(ResampleSelection selection, CancellationToken ct)
    {
        // The trace list's own query: the job covers exactly the traces the list counts.
        var traces = TraceQueries.Filtered(db, selection.Filter);
        string? datasetName = null;
        if (!string.IsNullOrWhiteSpace(selection.Dataset))
        {
            var byId = int.TryParse(selection.Dataset, out var datasetId);
            datasetName = await db.Set<Datasets.Dataset>().AsNoTracking()
                .Where(d => byId ? d.Id == datasetId : d.Key == selection.Dataset).Select(d => d.Name).FirstOrDefaultAsync(ct);
        }

        string? outcomeName = null;
        if (!string.IsNullOrWhiteSpace(selection.Outcome))
        {
            outcomeName = await db.Set<Outcome>().AsNoTracking().Where(o => o.Key == selection.Outcome).Select(o => o.Name).FirstOrDefaultAsync(ct)
                ?? selection.Outcome;
        }

        var count = await traces.CountAsync(ct);
        var ids = await traces.OrderBy(t => t.Id).Select(t => t.Id).Take(JobRules.MaxTraces + 1).ToListAsync(ct);
        var models = await traces.GroupBy(t => t.Model).Select(g => new ModelCount(g.Key, g.Count())).ToListAsync(ct);
        var lengths = await traces.GroupBy(_ => 1).Select(g => new { Min = g.Min(t => t.SentenceCount), Max = g.Max(t => t.SentenceCount) }).FirstOrDefaultAsync(ct);
        return new ResampleTargetView(Describe(selection, datasetName, outcomeName), count, ids,
            [.. models.OrderByDescending(m => m.Traces).ThenBy(m => m.Model, StringComparer.Ordinal)], lengths?.Min ?? 0, lengths?.Max ?? 0);
    }

    private static string Describe(ResampleSelection selection, string? datasetName, string? outcomeName)
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(selection.Dataset))
        {
            parts.Add($"dataset {datasetName ?? selection.Dataset}");
        }

        if (selection.IsCondition)
        {
            parts.Add($"{selection.Variant}, {selection.Tier} tier");
        }
        else if (!string.IsNullOrWhiteSpace(selection.Tier))
        {
            parts.Add($"{selection.Tier} tier");
        }
        else if (!string.IsNullOrWhiteSpace(selection.Variant))
        {
            parts.Add($"prompt variant {selection.Variant}");
        }

        if (!string.IsNullOrWhiteSpace(selection.Model))
        {
            parts.Add($"model {selection.Model}");
        }

        if (outcomeName is not null)
        {
            parts.Add(selection.Positive switch { true => $"{outcomeName}: yes", false => $"{outcomeName}: no", null => $"labelled for {outcomeName}" });
        }

        if (!string.IsNullOrWhiteSpace(selection.Q))
        {
            parts.Add($"text has the words “{selection.Q.Trim()}”");
        }

        return parts.Count == 0 ? "every trace" : string.Join(" · ", parts);
    }
}
