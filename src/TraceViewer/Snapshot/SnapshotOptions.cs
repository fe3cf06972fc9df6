using System.ComponentModel.DataAnnotations;

namespace TraceViewer.Snapshot;

/// <summary>Where a published snapshot is served, under <c>Snapshot</c>.</summary>
internal sealed class SnapshotOptions
{
    public const string Section = "Snapshot";

    /// <summary>The snapshot's address (http or https); with it, the live trace page links to the trace's snapshot page.</summary>
    [Url]
    public string? BaseUrl { get; set; }
}
