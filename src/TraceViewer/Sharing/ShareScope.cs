using System.Text.RegularExpressions;

namespace TraceViewer.Sharing;

public enum ShareScopeKind
{
    /// <summary>One trace, at any of its sentences and in any view.</summary>
    Trace,

    /// <summary>One dataset's study page and the traces of that dataset it lists.</summary>
    Study,
}

/// <summary>The page a request or a navigation asks for, as far as sharing cares.</summary>
public enum SharedPage
{
    Other,
    Trace,
    Study,
}

/// <summary>What a share's scope admits (pure: no web or database code).</summary>
internal static partial class ShareScope
{
    /// <summary>
    /// Whether a share of <paramref name="kind"/> (for <paramref name="traceId"/> or <paramref name="datasetId"/>) admits
    /// <paramref name="page"/> with route id <paramref name="id"/>; <paramref name="traceDatasetId"/> is the dataset of a
    /// requested trace (null when unknown or not a trace).
    /// </summary>
    public static bool Admits(ShareScopeKind kind, int? traceId, int datasetId, SharedPage page, int? id, int? traceDatasetId) =>
        (kind, page) switch
        {
            (ShareScopeKind.Trace, SharedPage.Trace) => id is not null && id == traceId,
            (ShareScopeKind.Study, SharedPage.Study) => id == datasetId,
            (ShareScopeKind.Study, SharedPage.Trace) => id is not null && traceDatasetId == datasetId,
            _ => false,
        };

    /// <summary>Whether a share expired or was revoked at <paramref name="now"/>.</summary>
    public static bool IsGone(DateTimeOffset? expiresAt, DateTimeOffset? revokedAt, DateTimeOffset now) =>
        revokedAt is not null || (expiresAt is { } expires && expires <= now);

    /// <summary>
    /// The address a trace share lands on, from the page's current address: the trace's own path (optionally at a
    /// sentence) and its query (the view); null when <paramref name="pathAndQuery"/> is not a page of that trace.
    /// </summary>
    public static string? TraceTarget(int traceId, string pathAndQuery) =>
        TracePath().Match(pathAndQuery) is { Success: true } match && int.Parse(match.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture) == traceId
            ? pathAndQuery
            : null;

    /// <summary>The study's address with its selection (variant, tier, page), or null when it is not that study.</summary>
    public static string? StudyTarget(int datasetId, string pathAndQuery) =>
        StudyPath().Match(pathAndQuery) is { Success: true } match && int.Parse(match.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture) == datasetId
            ? pathAndQuery
            : null;

    [GeneratedRegex(@"^/traces/(?<id>[0-9]{1,9})(/sentences/[0-9]{1,9})?(\?[^#\s]*)?$")]
    private static partial Regex TracePath();

    [GeneratedRegex(@"^/datasets/(?<id>[0-9]{1,9})/study(\?[^#\s]*)?$")]
    private static partial Regex StudyPath();
}
