namespace TraceViewer.Jobs;

/// <summary>
/// How a resample job labels its new continuations (method.md §4): the judge behind judge-backed outcomes (alignment
/// faking, blackmail) and whether its votes stop once the majority is decided. Stored with the job.
/// </summary>
public sealed record ResampleLabelSettings
{
    /// <summary>The judge's provider; default the job's.</summary>
    public string? Provider { get; init; }

    /// <summary>The judge's model; default the job's model when the provider is the job's, else the provider's first.</summary>
    public string? Model { get; init; }

    /// <summary>The alignment-faking judge: af-five-criteria (default) or af-four-criteria.</summary>
    public string? AlignmentFaking { get; init; }

    /// <summary>Stop a majority judge's calls once the majority is decided (at most its votes).</summary>
    public bool? EarlyStop { get; init; }
}
