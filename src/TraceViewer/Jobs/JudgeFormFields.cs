using TraceViewer.Judging;

namespace TraceViewer.Jobs;

/// <summary>What the trace page's judge form holds; null numbers mean the judge's or the provider's default.</summary>
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

    /// <summary>The built-in judge chosen, or null for a name the form does not know.</summary>
    public JudgeClassifier? Judge => JudgeClassifiers.Find(Classifier);

    public bool JudgesResamples => Target == JudgeSettings.Resamples;

    /// <summary>The judge part of the request, as the API checks it (<see cref="JudgeSettings.Validate"/>).</summary>
    public JudgeSettings Settings => new() { Classifier = Classifier, Votes = Votes, Target = Target };

    public JobRequest ToRequest(int traceId) => new()
    {
        Kind = nameof(JobKind.Judge),
        TraceId = traceId,
        Positions = JudgesResamples && (From is not null || To is not null) ? new PositionRange(From, To) : null,
        Provider = string.IsNullOrWhiteSpace(Provider) ? null : Provider.Trim(),
        Model = string.IsNullOrWhiteSpace(Model) ? null : Model.Trim(),
        Temperature = Temperature,
        Judge = Settings,
    };
}
