using Microsoft.Extensions.Options;
using TraceViewer.Traces;

namespace TraceViewer.Snapshot;

internal static class SnapshotExtensions
{
    public static IHostApplicationBuilder AddSnapshot(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SnapshotOptions>().BindConfiguration(SnapshotOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ITracePageLink, SnapshotTraceLink>();
        return builder;
    }
}

/// <summary>"Open in the snapshot" on the live trace page, to the same trace and sentence, once a snapshot address is set.</summary>
internal sealed class SnapshotTraceLink(IOptionsMonitor<SnapshotOptions> options) : ITracePageLink
{
    public TracePageButton? For(int traceId, int? sentence) =>
        SnapshotLinks.InSnapshot(options.CurrentValue.BaseUrl, traceId, sentence) is { } href
            ? new TracePageButton(href, "Open in the snapshot", MudBlazor.Icons.Material.Outlined.Public, "snapshot-link")
            : null;
}
