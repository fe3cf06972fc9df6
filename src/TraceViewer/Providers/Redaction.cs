using System.Text.RegularExpressions;

namespace TraceViewer.Providers;

/// <summary>Keeps credentials out of what is stored, logged or shown: provider addresses and provider error text.</summary>
internal static partial class Redaction
{
    /// <summary>The address without user info, query or fragment, where credentials sometimes travel.</summary>
    public static string? Url(string? url)
    {
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return url;
        }

        return new UriBuilder(uri) { UserName = "", Password = "", Query = "", Fragment = "" }.Uri.ToString();
    }

    /// <summary>Masks the given key wherever it appears, and anything shaped like an API key (providers echo them in errors).</summary>
    public static string Secrets(string text, string? key = null)
    {
        if (key is { Length: >= 8 })
        {
            text = text.Replace(key, "[key]", StringComparison.Ordinal);
        }

        return KeyShape().Replace(text, "[key]");
    }

    [GeneratedRegex(@"\b(?:sk|pk|rk|key)-[A-Za-z0-9_\-\*]{8,}", RegexOptions.CultureInvariant)]
    private static partial Regex KeyShape();
}
