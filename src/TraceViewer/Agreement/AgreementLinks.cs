using System.Globalization;

namespace TraceViewer.Agreement;

/// <summary>The agreement page's address: every choice is in the query, so a link, a reload and Back show the same figures.</summary>
internal static class AgreementLinks
{
    public const string Path = "/agreement";

    public static string Href(int? dataset, int? taxonomy, IEnumerable<string>? annotators, string? judge, string? tag)
    {
        var query = new List<string>();
        if (dataset is { } d)
        {
            query.Add("dataset=" + d.ToString(CultureInfo.InvariantCulture));
        }

        if (taxonomy is { } t)
        {
            query.Add("taxonomy=" + t.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var a in annotators ?? [])
        {
            query.Add("annotator=" + Uri.EscapeDataString(a));
        }

        if (!string.IsNullOrEmpty(judge))
        {
            query.Add("judge=" + Uri.EscapeDataString(judge));
        }

        if (!string.IsNullOrEmpty(tag))
        {
            query.Add("tag=" + Uri.EscapeDataString(tag));
        }

        return query.Count == 0 ? Path : Path + "?" + string.Join('&', query);
    }

    public static string ForDataset(int dataset) => Href(dataset, null, null, null, null);
}
