using Microsoft.AspNetCore.WebUtilities;

namespace TraceViewer.Kinds;

/// <summary>Addresses of the page, its API and CSV for a selection; defaults are left out so links stay short.</summary>
internal static class KindsLinks
{
    public const string Path = "/kinds";

    public static string Page(KindsSelection s, string? tag = null) => Build(Path, s, tag);

    public static string Api(KindsSelection s) => Build("/api/kinds", s, null);

    public static string Csv(KindsSelection s) => Build("/api/kinds.csv", s, null);

    /// <summary>The page for one dataset, everything else at its defaults (for the datasets and study pages).</summary>
    public static string ForDataset(int datasetId) => $"{Path}?dataset={datasetId}";

    private static string Build(string path, KindsSelection s, string? tag)
    {
        var query = new List<KeyValuePair<string, string?>>();
        if (!s.DefaultDataset)
        {
            query.AddRange(s.Datasets.Select(d => new KeyValuePair<string, string?>("dataset", d.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        query.Add(new("outcome", s.Outcome));
        query.Add(new("effect", s.Effect == "counterfactual" ? null : s.Effect));
        query.Add(new("taxonomy", s.Taxonomy));
        query.Add(new("layer", s.Layer == KindsQueries.Everyone ? null : s.Layer));
        query.Add(new("k", s.TopK == KindsQueries.DefaultTopK ? null : s.TopK.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        query.Add(new("tag", tag));
        return QueryHelpers.AddQueryString(path, query.Where(p => !string.IsNullOrEmpty(p.Value)));
    }
}
