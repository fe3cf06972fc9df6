namespace TraceViewer.Jobs;

/// <summary>What the "resample these" form holds; null numbers mean the provider's default or every position.</summary>
internal sealed class ResampleTracesFields
{
    public string? Provider { get; set; }

    public string? Model { get; set; }

    public int? N { get; set; } = 10;

    public int? From { get; set; }

    public int? To { get; set; }

    public double? Temperature { get; set; } = 0.6;

    public JobRequest ToRequest(IReadOnlyList<int> traceIds) => new()
    {
        Kind = nameof(JobKind.Resample),
        TraceIds = traceIds,
        Positions = From is null && To is null ? null : new PositionRange(From, To),
        N = N ?? 0,
        Provider = string.IsNullOrWhiteSpace(Provider) ? null : Provider.Trim(),
        Model = string.IsNullOrWhiteSpace(Model) ? null : Model.Trim(),
        Temperature = Temperature,
    };
}
