using System.Text;

namespace TraceViewer.Text;

/// <summary>
/// What a typed search text means to the full-text index: its words (runs of letters and digits, lower-cased), each
/// a whole word unless the user ends it with <c>*</c>, which makes it a prefix (<c>answ*</c>), all of them required.
/// A prefix term is kept with its trailing <c>*</c>. Everything else the user types (quotes, operators, punctuation)
/// only separates words, so no input can make a full-text syntax error: each word is written quoted
/// (docs/decisions/0052).
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
                // A star right after a word asks for every word starting with it.
                Flush(prefix: c == '*');
            }
        }

        Flush(prefix: false);
        return terms;

        void Flush(bool prefix)
        {
            var term = prefix && word.Length > 0 ? word.Append('*').ToString() : word.ToString();
            if (term.Length > 0 && terms.Count < MaxTerms && !terms.Contains(term, StringComparer.Ordinal))
            {
                terms.Add(term);
            }

            word.Clear();
        }
    }

    /// <summary>Whether <paramref name="term"/> (from <see cref="Parse"/>) matches every word starting with it.</summary>
    public static bool IsPrefix(string term) => term.EndsWith('*');

    /// <summary>The word of a term, without a prefix's star.</summary>
    public static string Word(string term) => IsPrefix(term) ? term[..^1] : term;

    /// <summary>An FTS5 MATCH expression: every word quoted, a whole token or (with its star) a prefix, all required (implicit AND).</summary>
    public static string Fts5(IReadOnlyList<string> terms) =>
        string.Join(' ', terms.Select(t => "\"" + Word(t).Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" + (IsPrefix(t) ? "*" : "")));

    /// <summary>A PostgreSQL tsquery: every word as a quoted lexeme, whole or (with its star) a prefix, all required.</summary>
    public static string TsQuery(IReadOnlyList<string> terms) =>
        string.Join(" & ", terms.Select(t => "'" + Word(t).Replace("'", "''", StringComparison.Ordinal).Replace("\\", "\\\\", StringComparison.Ordinal) + "'" + (IsPrefix(t) ? ":*" : "")));

    /// <summary>
    /// Splits <paramref name="text"/> into plain runs and the words that the search matched (a word equal to a term, or
    /// starting with a prefix term, compared ignoring case), marking the whole word or the matched prefix. Offsets only:
    /// the runs are rendered as text.
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
                var word = Word(term);
                if ((IsPrefix(term) ? word.Length <= end - i : word.Length == end - i) && word.Length > longest
                    && string.Compare(text, i, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0)
                {
                    longest = word.Length;
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

/// <summary>A piece of a text, and whether it is an occurrence of the searched words.</summary>
public sealed record TextRun(string Text, bool IsMatch);
