using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Outcomes;
using TraceViewer.Studies;
using TraceViewer.Traces;

namespace TraceViewer.Jobs;

/// <summary>
/// Which traces "Resample these" means: the trace list's filter (dataset, model, outcome label, text), or a study
/// condition (dataset, prompt variant, tier), optionally narrowed to one value of an outcome, e.g. the traces of a
/// condition that faked alignment. The names are the trace list's and the study page's query parameters.
/// </summary>
public sealed record ResampleSelection(string? Dataset, string? Model, string? Outcome, bool? Positive, string? Q, string? Variant, string? Tier)
{
    public bool IsCondition => !string.IsNullOrEmpty(Variant) && !string.IsNullOrEmpty(Tier);

    /// <summary>The address of the resample form for this selection.</summary>
    public string Href()
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
        return "/jobs/resample" + (query.Count == 0 ? "" : "?" + string.Join("&", query));
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
        var traces = db.Set<Trace>().AsNoTracking();
        string? datasetName = null;
        if (!string.IsNullOrWhiteSpace(selection.Dataset))
        {
            var byId = int.TryParse(selection.Dataset, out var datasetId);
            var dataset = await db.Set<Datasets.Dataset>().AsNoTracking()
                .Where(d => byId ? d.Id == datasetId : d.Key == selection.Dataset).Select(d => new { d.Id, d.Name }).FirstOrDefaultAsync(ct);
            datasetName = dataset?.Name;
            var id = dataset?.Id ?? -1;
            traces = traces.Where(t => t.DatasetId == id);
        }

        if (!string.IsNullOrWhiteSpace(selection.Model))
        {
            traces = traces.Where(t => t.Model == selection.Model);
        }

        if (selection.IsCondition)
        {
            var (variant, tier) = (selection.Variant!, selection.Tier!);
            traces = traces.Where(t => t.Tier == tier);
            traces = variant == StudyStatistics.DefaultVariant
                ? traces.Where(t => t.PromptVariant == null || t.PromptVariant == StudyStatistics.DefaultVariant)
                : traces.Where(t => t.PromptVariant == variant);
        }

        string? outcomeName = null;
        if (!string.IsNullOrWhiteSpace(selection.Outcome))
        {
            var outcome = await db.Set<Outcome>().AsNoTracking().Where(o => o.Key == selection.Outcome).Select(o => new { o.Id, o.Name }).FirstOrDefaultAsync(ct);
            outcomeName = outcome?.Name ?? selection.Outcome;
            var outcomeId = outcome?.Id ?? -1;
            var labels = db.Set<TraceLabel>().Where(l => l.OutcomeId == outcomeId);
            if (selection.Positive is { } positive)
            {
                labels = labels.Where(l => l.IsPositive == positive);
            }

            traces = traces.Where(t => labels.Any(l => l.TraceId == t.Id));
        }

        if (!string.IsNullOrWhiteSpace(selection.Q))
        {
            var pattern = "%" + TraceQueries.EscapeLike(selection.Q.Trim().ToLowerInvariant()) + "%";
            traces = traces.Where(t => EF.Functions.Like(t.Prompt.ToLower(), pattern, "\\") || EF.Functions.Like(t.Reasoning.ToLower(), pattern, "\\"));
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
            parts.Add($"text contains “{selection.Q.Trim()}”");
        }

        return parts.Count == 0 ? "every trace" : string.Join(" · ", parts);
    }
}
