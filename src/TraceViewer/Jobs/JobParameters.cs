using System.Text.Json;
using System.Text.Json.Serialization;

namespace TraceViewer.Jobs;

/// <summary>Sampling parameters sent with every request of a job.</summary>
public sealed record SamplingParameters(double? Temperature, double? TopP, int? MaxTokens);

/// <summary>
/// What a job was asked to do and how requests were made, stored as JSON with the job (method.md §3: model, endpoint,
/// prefix mode and template are kept with every job).
/// </summary>
public sealed record JobParameters
{
    /// <summary>First position (sentence index) to resample; null means from the first.</summary>
    public int? From { get; init; }

    /// <summary>Last position, inclusive; null means to the last.</summary>
    public int? To { get; init; }

    /// <summary>Samples per position.</summary>
    public int N { get; init; } = 1;

    /// <summary>For a job given a list of traces (traceIds), how many it lists.</summary>
    public int? Traces { get; init; }

    public SamplingParameters Sampling { get; init; } = new(null, null, null);

    public string? Endpoint { get; init; }

    public string? PrefixMode { get; init; }

    public string? PrefillFlag { get; init; }

    public string? CompletionTemplate { get; init; }

    /// <summary>Judge jobs: classifier, votes, threshold, target.</summary>
    public JudgeSettings? Judge { get; init; }

    /// <summary>Collect jobs: AdvBench selection, tiers, prompt variants, dataset, optional judge step.</summary>
    public CollectSettings? Collect { get; init; }

    /// <summary>Tag jobs: taxonomy (resolved to its id), votes, topK, prompt.</summary>
    public TagSettings? Tag { get; init; }

    /// <summary>Resample jobs: how new continuations are labelled (judge provider and model resolved).</summary>
    public ResampleLabelSettings? Labels { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static JobParameters FromJson(string json) => JsonSerializer.Deserialize<JobParameters>(json, Json) ?? new JobParameters();
}
