namespace TraceViewer.Jobs;

/// <summary>What the trace page's tag form holds; null numbers mean every sentence or one vote.</summary>
internal sealed class TagFormFields
{
    public string? Taxonomy { get; set; }

    public int? Votes { get; set; } = 1;

    /// <summary>Only the trace's k sentences with the largest resampling effect.</summary>
    public int? TopK { get; set; }

    public int? From { get; set; }

    public int? To { get; set; }

    public string? Provider { get; set; }

    public string? Model { get; set; }

    /// <summary>The tag part of the request, as the API checks it (<see cref="TagSettings.Validate"/>).</summary>
    public TagSettings Settings => new() { Taxonomy = Taxonomy, Votes = Votes, TopK = TopK };

    public JobRequest ToRequest(int traceId) => new()
    {
        Kind = nameof(JobKind.Tag),
        TraceId = traceId,
        Positions = From is null && To is null ? null : new PositionRange(From, To),
        Provider = string.IsNullOrWhiteSpace(Provider) ? null : Provider.Trim(),
        Model = string.IsNullOrWhiteSpace(Model) ? null : Model.Trim(),
        Tag = Settings,
    };
}
