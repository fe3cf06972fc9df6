using TraceViewer.Text;

namespace TraceViewer.Search;

/// <summary>
/// Splits a text into plain runs and matches of a query, so a page can mark the matches while every run is still
/// rendered as text. Matching ignores letter case, like the search itself; occurrences do not overlap.
/// </summary>
internal static class TextRuns
{
    public static IReadOnlyList<TextRun> Split(string text, string? query)
    {
        var needle = query?.Trim();
        if (string.IsNullOrEmpty(needle) || string.IsNullOrEmpty(text))
        {
            return [new TextRun(text, false)];
        }

        var runs = new List<TextRun>();
        var start = 0;
        while (start < text.Length)
        {
            var found = text.IndexOf(needle, start, StringComparison.OrdinalIgnoreCase);
            if (found < 0)
            {
                break;
            }

            if (found > start)
            {
                runs.Add(new TextRun(text[start..found], false));
            }

            // Ordinal case-insensitive comparison folds one char at a time, so a match is as long as the query.
            runs.Add(new TextRun(text.Substring(found, needle.Length), true));
            start = found + needle.Length;
        }

        if (start < text.Length)
        {
            runs.Add(new TextRun(text[start..], false));
        }

        return runs;
    }
}
