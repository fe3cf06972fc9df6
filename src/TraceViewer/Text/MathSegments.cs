namespace TraceViewer.Text;

public enum MathKind
{
    Text,
    Inline,
    Display,
}

/// <summary>
/// A piece of model text: plain text, or math with its TeX (<paramref name="Content"/>, delimiters removed) and the text
/// as written (<paramref name="Source"/>, delimiters included). For plain text both are the text.
/// </summary>
public readonly record struct MathSegment(MathKind Kind, string Content, string Source)
{
    public MathSegment(string text)
        : this(MathKind.Text, text, text)
    {
    }
}

/// <summary>
/// Splits text into plain text and LaTeX math, so math can be typeset and everything else stays text. Recognised:
/// <c>$$…$$</c> and <c>\[…\]</c> (display), <c>\(…\)</c> and <c>$…$</c> (inline), and a bare <c>\boxed{…}</c>, which MATH
/// solutions write outside math. A single <c>$</c> opens math only when the next character is not a space and a closing
/// <c>$</c> follows on the same line that is not preceded by a space or followed by a digit (so "costs $5 and $6" stays
/// text); <c>\$</c> is a literal dollar. Unclosed delimiters stay text. Pure: no web or database code.
/// </summary>
public static class MathSegments
{
    public static IReadOnlyList<MathSegment> Split(string text)
    {
        var segments = new List<MathSegment>();
        var plainStart = 0;
        var i = 0;
        while (i < text.Length)
        {
            var match = MatchAt(text, i);
            if (match is not { } m)
            {
                i += text[i] == '\\' && i + 1 < text.Length ? 2 : 1;
                continue;
            }

            if (i > plainStart)
            {
                segments.Add(new MathSegment(text[plainStart..i]));
            }

            segments.Add(new MathSegment(m.Kind, m.Content, text[i..m.End]));
            i = m.End;
            plainStart = i;
        }

        if (plainStart < text.Length)
        {
            segments.Add(new MathSegment(text[plainStart..]));
        }

        return segments;
    }

    /// <summary>True when the text holds any math: cheaper than <see cref="Split"/> when most text has none.</summary>
    public static bool HasMath(string text) =>
        (text.Contains('$', StringComparison.Ordinal) || text.Contains('\\', StringComparison.Ordinal)) && Split(text).Any(s => s.Kind != MathKind.Text);

    private readonly record struct Match(MathKind Kind, string Content, int End);

    private static Match? MatchAt(string text, int i)
    {
        var c = text[i];
        if (c == '\\' && i + 1 < text.Length)
        {
            return text[i + 1] switch
            {
                '[' => Delimited(text, i, 2, "\\]", MathKind.Display),
                '(' => Delimited(text, i, 2, "\\)", MathKind.Inline),
                'b' when string.CompareOrdinal(text, i, "\\boxed{", 0, 7) == 0 => Boxed(text, i),
                _ => null,
            };
        }

        if (c != '$')
        {
            return null;
        }

        if (i + 1 < text.Length && text[i + 1] == '$')
        {
            return Delimited(text, i, 2, "$$", MathKind.Display);
        }

        return InlineDollar(text, i);
    }

    private static Match? Delimited(string text, int start, int openLength, string close, MathKind kind)
    {
        var end = text.IndexOf(close, start + openLength, StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }

        var content = text[(start + openLength)..end];
        return string.IsNullOrWhiteSpace(content) ? null : new Match(kind, content, end + close.Length);
    }

    /// <summary><c>\boxed{…}</c> with balanced braces, kept whole so it is typeset as a box.</summary>
    private static Match? Boxed(string text, int start)
    {
        var depth = 0;
        for (var j = start + 6; j < text.Length; j++)
        {
            switch (text[j])
            {
                case '\\':
                    j++;
                    break;
                case '{':
                    depth++;
                    break;
                case '}' when --depth == 0:
                    return new Match(MathKind.Inline, text[start..(j + 1)], j + 1);
                case '\n':
                    return null;
            }
        }

        return null;
    }

    private static Match? InlineDollar(string text, int start)
    {
        if (start + 1 >= text.Length || char.IsWhiteSpace(text[start + 1]))
        {
            return null;
        }

        for (var j = start + 1; j < text.Length; j++)
        {
            switch (text[j])
            {
                case '\\':
                    j++;
                    break;
                case '\n':
                    return null;
                case '$' when !char.IsWhiteSpace(text[j - 1]) && (j + 1 >= text.Length || !char.IsAsciiDigit(text[j + 1])):
                    return new Match(MathKind.Inline, text[(start + 1)..j], j + 1);
            }
        }

        return null;
    }
}
