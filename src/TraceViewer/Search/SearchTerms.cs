using System.Text;

namespace TraceViewer.Search;

/// <summary>
/// What a typed search text means to the full-text index: its words (runs of letters and digits, lower-cased), each
/// a prefix, all of them required. Everything else the user types (quotes, operators, wildcards, punctuation) only
/// separates words, so no input can make a full-text syntax error: each word is written quoted.
/// </summary>
internal static class SearchTerms
{
    /// <summary>At most this many words count; more only slow the query down.</summary>
    public const int MaxTerms = 16;

    public static IReadOnlyList<string> Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var terms = new List<string>();
        var word = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else
            {
                Flush();
            }
        }

        Flush();
        return terms;

        void Flush()
        {
            if (word.Length > 0 && terms.Count < MaxTerms && !terms.Contains(word.ToString(), StringComparer.Ordinal))
            {
                terms.Add(word.ToString());
            }

            word.Clear();
        }
    }

    /// <summary>An FTS5 MATCH expression: every word as a quoted prefix, all required (implicit AND).</summary>
    public static string Fts5(IReadOnlyList<string> terms) =>
        string.Join(' ', terms.Select(t => "\"" + t.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"*"));

    /// <summary>A PostgreSQL tsquery: every word as a quoted prefix lexeme, all required.</summary>
    public static string TsQuery(IReadOnlyList<string> terms) =>
        string.Join(" & ", terms.Select(t => "'" + t.Replace("'", "''", StringComparison.Ordinal).Replace("\\", "\\\\", StringComparison.Ordinal) + "':*"));

    /// <summary>
    /// Splits <paramref name="text"/> into plain runs and the words that the search matched (a word starting with one
    /// of the terms, compared ignoring case), marking the matched prefix. Offsets only: the runs are rendered as text.
    /// </summary>
    public static IReadOnlyList<TextRun> Highlight(string text, IReadOnlyList<string> terms)
    {
        if (terms.Count == 0 || string.IsNullOrEmpty(text))
        {
            return [new TextRun(text, false)];
        }

        var runs = new List<TextRun>();
        var plainFrom = 0;
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetterOrDigit(text[i]))
            {
                i++;
                continue;
            }

            var end = i;
            while (end < text.Length && char.IsLetterOrDigit(text[end]))
            {
                end++;
            }

            var longest = 0;
            foreach (var term in terms)
            {
                if (term.Length <= end - i && term.Length > longest
                    && string.Compare(text, i, term, 0, term.Length, StringComparison.OrdinalIgnoreCase) == 0)
                {
                    longest = term.Length;
                }
            }

            if (longest > 0)
            {
                if (i > plainFrom)
                {
                    runs.Add(new TextRun(text[plainFrom..i], false));
                }

                runs.Add(new TextRun(text.Substring(i, longest), true));
                plainFrom = i + longest;
            }

            i = end;
        }

        if (plainFrom < text.Length)
        {
            runs.Add(new TextRun(text[plainFrom..], false));
        }

        return runs;
    }
}
