using System.Globalization;

namespace TraceViewer.Traces;

/// <summary>
/// The trace page's view as its address carries it: the trace, the selected sentence (a path segment, so old deep links
/// keep working) and the query: <c>outcome</c>, <c>effect</c> and <c>threshold</c> as before, then <c>dim</c> (sentences
/// weaker than this share of the largest effect are dimmed), <c>tags=on</c> (function tags marked in the text) and
/// <c>math=source</c> (LaTeX shown as written) and <c>tagging=</c> (the tagging workbench open on this taxonomy id) and <c>queue=</c> (moving through this tagging queue's items). Defaults are left out, so the shortest address is the default view.
/// </summary>
public sealed record TraceAddress(
    int TraceId,
    int? Sentence = null,
    string? Outcome = null,
    EffectKind Effect = EffectKind.Counterfactual,
    double? Threshold = null,
    double Dim = 0,
    bool Tags = false,
    bool MathSource = false,
    int? Tagging = null,
    int? Queue = null)
{
    /// <summary>
    /// Which resamples the shown numbers rest on: imported, generated or all, or null for the best covered set (the
    /// default); <c>resamples=</c> in the query.
    /// </summary>
    public ResampleChoice? Resamples { get; init; }

    /// <summary>The importance filter's choices: share of the trace's largest effect below which a sentence is dimmed.</summary>
    public static readonly IReadOnlyList<double> DimSteps = [0, 0.1, 0.25, 0.5];

    public string Path => Sentence is { } k ? TraceLinks.Sentence(TraceId, k) : TraceLinks.Trace(TraceId);

    public string Href
    {
        get
        {
            var query = new List<string>();
            if (!string.IsNullOrEmpty(Outcome))
            {
                query.Add("outcome=" + Uri.EscapeDataString(Outcome));
            }

            if (Effect != EffectKind.Counterfactual)
            {
                query.Add("effect=" + Effect.QueryValue());
            }

            if (Threshold is { } t)
            {
                query.Add("threshold=" + MetricFormat.Exact(t));
            }

            if (Dim > 0)
            {
                query.Add("dim=" + Dim.ToString("0.##", CultureInfo.InvariantCulture));
            }

            if (Tags)
            {
                query.Add("tags=on");
            }

            if (MathSource)
            {
                query.Add("math=source");
            }

            if (Tagging is { } taxonomy)
            {
                query.Add("tagging=" + taxonomy.ToString(CultureInfo.InvariantCulture));
            }

            if (Queue is { } queue)
            {
                query.Add("queue=" + queue.ToString(CultureInfo.InvariantCulture));
            }

            if (Resamples is { } resamples)
            {
                query.Add("resamples=" + resamples.QueryValue());
            }

            return query.Count == 0 ? Path : Path + "?" + string.Join("&", query);
        }
    }

    /// <summary>Reads the query values as the page receives them; values it cannot read fall back to the default.</summary>
    public static TraceAddress Parse(int traceId, int? sentence, string? outcome, string? effect, string? threshold, string? dim, string? tags, string? math, string? tagging = null, string? queue = null) => new(
        traceId,
        sentence,
        string.IsNullOrWhiteSpace(outcome) ? null : outcome,
        EffectKinds.Parse(effect),
        TraceLinks.TryParseThreshold(threshold, out var t) ? t : null,
        double.TryParse(dim, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d is > 0 and <= 1 ? d : 0,
        tags is "on" or "true" or "1",
        math == "source",
        int.TryParse(tagging, NumberStyles.None, CultureInfo.InvariantCulture, out var x) && x > 0 ? x : null,
        int.TryParse(queue, NumberStyles.None, CultureInfo.InvariantCulture, out var q) && q > 0 ? q : null);

    /// <summary>The source choice as the query gives it: <c>imported</c>, <c>generated</c> or <c>all</c>; anything else is the default.</summary>
    public static ResampleChoice? ParseResamples(string? value) => ResampleChoices.Parse(value);
}

/// <summary>Which resamples the shown numbers rest on, when a reader chooses (<c>resamples=</c> in the query); no choice is the best covered set.</summary>
public enum ResampleChoice
{
    /// <summary>Only numbers resting on imported resamples.</summary>
    Imported,

    /// <summary>Only numbers resting on generated resamples.</summary>
    Generated,

    /// <summary>Every labelled resample, imported and generated together: the computed set, whatever its coverage.</summary>
    All,
}

public static class ResampleChoices
{
    /// <summary>The query's text: <c>imported</c>, <c>generated</c> or <c>all</c>.</summary>
    public static string QueryValue(this ResampleChoice choice) => choice switch
    {
        ResampleChoice.Imported => Resampling.ResampleOrigins.ImportedName,
        ResampleChoice.Generated => Resampling.ResampleOrigins.GeneratedName,
        ResampleChoice.All => "all",
        _ => throw new ArgumentOutOfRangeException(nameof(choice), choice, "not a resample choice"),
    };

    /// <summary>Exactly one of the query's texts, else null (the default).</summary>
    public static ResampleChoice? Parse(string? value) => value switch
    {
        Resampling.ResampleOrigins.ImportedName => ResampleChoice.Imported,
        Resampling.ResampleOrigins.GeneratedName => ResampleChoice.Generated,
        "all" => ResampleChoice.All,
        _ => null,
    };

    /// <summary>The origin the choice keeps to, or null for every resample.</summary>
    public static Resampling.ResampleOrigin? Origin(this ResampleChoice? choice) => choice switch
    {
        ResampleChoice.Imported => Resampling.ResampleOrigin.Imported,
        ResampleChoice.Generated => Resampling.ResampleOrigin.Generated,
        _ => null,
    };
}
