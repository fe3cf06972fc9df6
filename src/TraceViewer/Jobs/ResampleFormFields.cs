namespace TraceViewer.Jobs;

/// <summary>What the trace page's resample form holds; null numbers mean the provider's or the trace's default.</summary>
internal sealed class ResampleFormFields
{
    public int? From { get; set; }

    public int? To { get; set; }

    public int? N { get; set; } = 20;

    public string? Provider { get; set; }

    public string? Model { get; set; }

    public double? Temperature { get; set; } = 0.6;

    public double? TopP { get; set; } = 0.95;

    public int? MaxTokens { get; set; }

    /// <summary>The judge of judge-backed outcomes; null means the job's provider and model.</summary>
    public string? JudgeProvider { get; set; }

    public string? JudgeModel { get; set; }

    /// <summary>The alignment-faking judge; null means the five-criteria one.</summary>
    public string? AlignmentFaking { get; set; }

    public bool EarlyStop { get; set; }

    public JobRequest ToRequest(int traceId) => new()
    {
        Kind = nameof(JobKind.Resample),
        TraceId = traceId,
        Positions = From is null && To is null ? null : new PositionRange(From, To),
        N = N ?? 0,
        Provider = string.IsNullOrWhiteSpace(Provider) ? null : Provider.Trim(),
        Model = string.IsNullOrWhiteSpace(Model) ? null : Model.Trim(),
        Temperature = Temperature,
        TopP = TopP,
        MaxTokens = MaxTokens,
        Labels = new ResampleLabelSettings
        {
            Provider = string.IsNullOrWhiteSpace(JudgeProvider) ? null : JudgeProvider.Trim(),
            Model = string.IsNullOrWhiteSpace(JudgeModel) ? null : JudgeModel.Trim(),
            AlignmentFaking = AlignmentFaking,
            EarlyStop = EarlyStop ? true : null,
        },
    };
}
