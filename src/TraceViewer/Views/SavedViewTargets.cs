using System.Globalization;

namespace TraceViewer.Views;

/// <summary>The pages a view can be saved from.</summary>
public enum SavedViewPage
{
    Traces,
    Search,
    Study,
}

/// <summary>Where a saved view lands: a page of this site and its query string.</summary>
public sealed record SavedViewTarget(SavedViewPage Page, int? DatasetId, string Query)
{
    public string Path => Page switch
    {
        SavedViewPage.Traces => "/traces",
        SavedViewPage.Search => "/search",
        _ => string.Create(CultureInfo.InvariantCulture, $"/datasets/{DatasetId}/study"),
    };

    public string Href => Path + Query;

    public string PageName => Page switch
    {
        SavedViewPage.Traces => "Traces",
        SavedViewPage.Search => "Search",
        _ => "Study",
    };

    /// <summary>
    /// The datasets this view names, as written: the study's dataset id, and the value of each <c>dataset=</c> parameter
    /// of its query (an id or a key, as the traces and search pages read it). Empty values name nothing.
    /// </summary>
    public IReadOnlyList<string> DatasetsNamed()
    {
        var named = new List<string>();
        if (DatasetId is { } id)
        {
            named.Add(id.ToString(CultureInfo.InvariantCulture));
        }

        if (Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(Query).TryGetValue("dataset", out var values))
        {
            named.AddRange(values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!));
        }

        return [.. named.Distinct(StringComparer.Ordinal)];
    }
}

/// <summary>Which addresses can be saved as a view, and the limits on a view's name and query.</summary>
public static class SavedViewTargets
{
    public const int MaxNameLength = 120;

    public const int MaxQueryLength = 2000;

    /// <summary>
    /// The page and query of a path-and-query on this site (<c>/traces?model=x</c>), or null when it is not a page a view
    /// can be saved from or the query is too long. A page number is dropped: a view is a filter set, not a place in it.
    /// </summary>
    public static SavedViewTarget? Parse(string pathAndQuery)
    {
        if (string.IsNullOrEmpty(pathAndQuery) || pathAndQuery[0] != '/' || pathAndQuery.StartsWith("//", StringComparison.Ordinal))
        {
            return null;
        }

        var mark = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = (mark < 0 ? pathAndQuery : pathAndQuery[..mark]).TrimEnd('/');
        var query = WithoutPage(mark < 0 ? "" : pathAndQuery[mark..]);
        if (query.Length > MaxQueryLength || query.Contains('#', StringComparison.Ordinal))
        {
            return null;
        }

        if (path.Equals("/traces", StringComparison.OrdinalIgnoreCase))
        {
            return new(SavedViewPage.Traces, null, query);
        }

        if (path.Equals("/search", StringComparison.OrdinalIgnoreCase))
        {
            return new(SavedViewPage.Search, null, query);
        }

        var parts = path.Split('/');
        return parts is ["", "datasets", var id, "study"] && int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var datasetId)
            ? new(SavedViewPage.Study, datasetId, query)
            : null;
    }

    /// <summary>A name: trimmed, control characters removed, at most <see cref="MaxNameLength"/> characters; null when empty.</summary>
    public static string? CleanName(string? name)
    {
        var clean = new string((name ?? "").Where(c => !char.IsControl(c)).ToArray()).Trim();
        return clean.Length == 0 ? null : clean.Length > MaxNameLength ? clean[..MaxNameLength].TrimEnd() : clean;
    }

    private static string WithoutPage(string query)
    {
        if (query.Length <= 1)
        {
            return "";
        }

        var kept = query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.Equals("page", StringComparison.OrdinalIgnoreCase) && !p.StartsWith("page=", StringComparison.OrdinalIgnoreCase))
            .ToList();
        return kept.Count == 0 ? "" : "?" + string.Join('&', kept);
    }
}
