using System.Text.RegularExpressions;

namespace TraceViewer.Metrics.Engine;

/// <summary>
/// The reference's <c>normalize_answer</c> (its LaTeX normalisation), step for step as listed in
/// shared/conformance/README.md. Not idempotent: N("{{7}}") = "{7}", N(N("{{7}}")) = "7".
/// </summary>
internal static partial class AnswerNormalizer
{
    public static string Normalize(string answer)
    {
        var s = TrimPythonWhitespace(answer).ToLowerInvariant();
        s = s.Replace("dfrac", "frac", StringComparison.Ordinal).Replace("tfrac", "frac", StringComparison.Ordinal);
        s = Whitespace().Replace(s, "");
        s = s.Replace("\\%", "", StringComparison.Ordinal).Replace("{,}", "", StringComparison.Ordinal);
        s = s.Replace("\\times", "*", StringComparison.Ordinal).Replace("\\cdot", "*", StringComparison.Ordinal);
        s = DecimalSeparator().Replace(s, "$1.$2");
        s = SimpleBraces().Replace(s, "$1");
        s = s.Replace("\\pi", "pi", StringComparison.Ordinal);
        s = TextCommand().Replace(s, "$1");
        s = MathrmCommand().Replace(s, "$1");
        s = WordBackslashDigits().Replace(s, "$1$2");
        return s.Replace("\\text", "", StringComparison.Ordinal);
    }

    // Python's str.isspace (used by strip() and by \s) also covers the separators U+001C..U+001F.
    private static bool IsPythonWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    private static string TrimPythonWhitespace(string s)
    {
        var start = 0;
        var end = s.Length;
        while (start < end && IsPythonWhitespace(s[start]))
        {
            start++;
        }

        while (end > start && IsPythonWhitespace(s[end - 1]))
        {
            end--;
        }

        return s[start..end];
    }

    [GeneratedRegex(@"[\s\x1c-\x1f]+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(\d+)[.,](\d+)")]
    private static partial Regex DecimalSeparator();

    [GeneratedRegex(@"\{([^{}]+)\}")]
    private static partial Regex SimpleBraces();

    [GeneratedRegex(@"\\text\{([^{}]+)\}")]
    private static partial Regex TextCommand();

    [GeneratedRegex(@"\\mathrm\{([^{}]+)\}")]
    private static partial Regex MathrmCommand();

    [GeneratedRegex(@"([a-z]+)\\+\s*(\d+)")]
    private static partial Regex WordBackslashDigits();
}
