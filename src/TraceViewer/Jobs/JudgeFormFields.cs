using TraceViewer.Judging;

namespace TraceViewer.Jobs;

/// <summary>What a judge form holds (one trace, or "judge these" over many); null numbers mean the judge's or the provider's default.</summary>
internal sealed class JudgeFormFields
{
    public string Classifier { get; set; } = JudgeClassifiers.FiveCriteriaName;

    public int? Votes { get; set; } = JudgeClassifiers.AlignmentFakingFiveCriteria.DefaultVotes;

    /// <summary><see cref="JudgeSettings.Resamples"/> or <see cref="JudgeSettings.Traces"/> (the base trace).</summary>
    public string Target { get; set; } = JudgeSettings.Resamples;

    public int? From { get; set; }

    public int? To { get; set; }

    public string? Provider { get; set; }

    public string? Model { get; set; }

    public double? Temperature { get; set; }

    /// <summary>Stop a target's calls once the majority is decided (<see cref="JudgeSettings.EarlyStop"/>).</summary>
    public bool EarlyStop { get; set; }

    /// <summary>The built-in judge chosen, or null for a name the form does not know.</summary>
    public JudgeClassifier? Judge => JudgeClassifiers.Find(Classifier);

    public bool JudgesResamples => Target == JudgeSettings.Resamples;

    /// <summary>The judge part of the request, as the API checks it (<see cref="JudgeSettings.Validate"/>).</summary>
    public JudgeSettings Settings => new() { Classifier = Classifier, Votes = Votes, Target = Target, EarlyStop = EarlyStop ? true : null };

    /// <summary>Whether the chosen judge decides by majority, so that it can stop early.</summary>
    public bool MayStopEarly => Judge?.DefaultThreshold == JudgeThreshold.Majority;

    public JobRequest ToRequest(int traceId) => ToRequest(traceId, null);

    /// <summary>One job over many traces ("judge these").</summary>
    public JobRequest ToRequest(IReadOnlyList<int> traceIds) => ToRequest(null, traceIds);

    private JobRequest ToRequest(int? traceId, IReadOnlyList<int>? traceIds) => new()
    {
        Kind = nameof(JobKind.Judge),
        TraceId = traceId,
        TraceIds = traceIds,
        Positions = JudgesResamples && (From is not null || To is not null) ? new PositionRange(From, To) : null,
        Provider = string.IsNullOrWhiteSpace(Provider) ? null : Provider.Trim(),
        Model = string.IsNullOrWhiteSpace(Model) ? null : Model.Trim(),
        Temperature = Temperature,
        Judge = Settings,
    };
}
