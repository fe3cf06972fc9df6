using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace TraceViewer.Outcomes;

/// <summary>A MATH answer check: the answer found in a response, its normal form, and whether it matches the ground truth.</summary>
internal sealed record AnswerCheck(string? Answer, string? Normalized, bool? IsCorrect, string Reason);

/// <summary>
/// Answer equivalence for MATH problems (the <c>is_correct</c> outcome): the last <c>\boxed{…}</c> of a response is its
/// answer, and two answers are equal when their normal forms are. The normal form follows the rules the Thought Anchors
/// reference applies before comparing: wrappers (<c>\boxed</c>, <c>\text</c>, <c>\mathrm</c>, dollars, <c>\left</c>
/// / <c>\right</c>), spacing commands, spaces, degree and percent signs, trailing units and an <c>x =</c> in front are
/// dropped; <c>\dfrac</c>/<c>\tfrac</c> become <c>\frac</c> and <c>\frac12</c> becomes <c>\frac{1}{2}</c>; thousands
/// commas, trailing zeros after a decimal point and a leading <c>+</c> go; letters are compared in lower case. Numbers
/// (decimals and simple fractions) that are still written differently are compared by value.
/// </summary>
internal static partial class MathAnswers
{
    private static readonly string[] Units =
    [
        "degrees", "degree", "units", "unit", "square units", "sq units", "cm", "centimeters", "meters", "km", "kilometers",
        "inches", "inch", "feet", "foot", "ft", "yards", "miles", "mph", "dollars", "dollar", "cents", "cent", "hours", "hour",
        "minutes", "minute", "seconds", "second", "days", "day", "years", "year", "pounds", "ounces", "grams", "kg", "liters",
        "students", "people", "ways", "points",
    ];

    /// <summary>The content of the last <c>\boxed{…}</c> (or <c>\fbox{…}</c>) with balanced braces, or null when there is none.</summary>
    public static string? ExtractBoxed(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        foreach (var command in new[] { "\\boxed", "\\fbox" })
        {
            var at = text.LastIndexOf(command, StringComparison.Ordinal);
            while (at >= 0)
            {
                var open = at + command.Length;
                while (open < text.Length && text[open] == ' ')
                {
                    open++;
                }

                if (open < text.Length && text[open] == '{' && Closing(text, open) is { } close)
                {
                    return text[(open + 1)..close];
                }

                at = at == 0 ? -1 : text.LastIndexOf(command, at - 1, StringComparison.Ordinal);
            }
        }

        return null;
    }

    /// <summary>Checks a response's boxed answer against the ground truth.</summary>
    public static AnswerCheck Check(string response, string groundTruth)
    {
        var answer = ExtractBoxed(response);
        if (answer is null)
        {
            return new(null, null, false, "The response has no \\boxed{} answer.");
        }

        var normalized = Normalize(answer);
        var equal = Equivalent(answer, groundTruth);
        return new(answer, normalized, equal, equal
            ? $"The boxed answer matches the ground truth {groundTruth}."
            : $"The boxed answer differs from the ground truth {groundTruth}.");
    }

    /// <summary>Whether two answers mean the same after normalising (and, for numbers, by value).</summary>
    public static bool Equivalent(string answer, string groundTruth)
    {
        var a = Normalize(answer);
        var b = Normalize(groundTruth);
        if (a.Length == 0 || b.Length == 0)
        {
            return false;
        }

        if (a == b)
        {
            return true;
        }

        return Value(a) is { } x && Value(b) is { } y && Math.Abs(x - y) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(y)));
    }

    /// <summary>The normal form of an answer (see the class summary). Applying it twice gives the same text.</summary>
    public static string Normalize(string? answer)
    {
        if (string.IsNullOrWhiteSpace(answer))
        {
            return "";
        }

        var s = answer.Trim();
        // A whole \boxed{...} answer: its content.
        while (ExtractBoxed(s) is { } inner && s.StartsWith("\\boxed", StringComparison.Ordinal) && s.EndsWith('}'))
        {
            s = inner.Trim();
        }

        s = s.Replace("\\dfrac", "\\frac", StringComparison.Ordinal).Replace("\\tfrac", "\\frac", StringComparison.Ordinal);
        s = Wrapper().Replace(s, "$1");
        s = Wrapper().Replace(s, "$1");
        foreach (var drop in new[] { "\\left", "\\right", "\\!", "\\,", "\\;", "\\:", "\\ ", "\\$", "$", "\\%", "%", "^\\circ", "^{\\circ}", "°", "\\displaystyle" })
        {
            s = s.Replace(drop, "", StringComparison.Ordinal);
        }

        s = s.Trim().TrimEnd('.').Trim();
        s = DropUnits(s);
        s = Assignment().Replace(s, "");
        s = Whitespace().Replace(s, "");
        s = s.ToLowerInvariant();
        s = SingleBraced().Replace(s, "$1$2");
        s = ShortFraction().Replace(s, m => $"\\frac{{{m.Groups[1].Value}}}{{{m.Groups[2].Value}}}");
        s = ShortFractionBraced().Replace(s, m => $"\\frac{{{m.Groups[1].Value}}}{{{m.Groups[2].Value}}}");
        s = ShortFractionMixed().Replace(s, m => $"\\frac{{{m.Groups[1].Value}}}{{{m.Groups[2].Value}}}");
        if (Thousands().IsMatch(s))
        {
            s = s.Replace(",", "", StringComparison.Ordinal);
        }

        s = TrailingZeros().Replace(s, m => m.Groups[2].Value.TrimEnd('0') is { Length: > 0 } digits ? $"{m.Groups[1].Value}.{digits}" : m.Groups[1].Value);
        s = LeadingPoint().Replace(s, "${1}0.");
        if (s.StartsWith('+'))
        {
            s = s[1..];
        }

        // One pair of braces around the whole answer says nothing.
        while (s.Length >= 2 && s[0] == '{' && Closing(s, 0) == s.Length - 1)
        {
            s = s[1..^1];
        }

        return s;
    }

    /// <summary>The value of a plain number, a simple fraction <c>\frac{a}{b}</c> or <c>a/b</c>, with an optional minus sign; else null.</summary>
    private static double? Value(string normalized)
    {
        var s = normalized;
        var sign = 1.0;
        if (s.StartsWith('-'))
        {
            sign = -1;
            s = s[1..];
        }

        if (double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return sign * number;
        }

        var fraction = Fraction().Match(s) is { Success: true } braced ? braced : Slash().Match(s);
        if (fraction.Success
            && double.TryParse(fraction.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var top)
            && double.TryParse(fraction.Groups[2].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var bottom)
            && bottom != 0)
        {
            return sign * top / bottom;
        }

        return null;
    }

    private static string DropUnits(string s)
    {
        foreach (var unit in Units.OrderByDescending(u => u.Length))
        {
            if (s.Length > unit.Length && s.EndsWith(unit, StringComparison.OrdinalIgnoreCase))
            {
                var head = s[..^unit.Length];
                // Only after a number (or a closing brace, as in \frac{1}{2} cm), and as a separate word.
                if (head.TrimEnd() is { Length: > 0 } rest && (char.IsDigit(rest[^1]) || rest[^1] == '}') && (head.EndsWith(' ') || !char.IsLetter(head[^1])))
                {
                    return rest;
                }
            }
        }

        return s;
    }

    private static int? Closing(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '{')
            {
                depth++;
            }
            else if (text[i] == '}' && --depth == 0)
            {
                return i;
            }
        }

        return null;
    }

    [GeneratedRegex(@"\\(?:text|textbf|mathrm|mathbf|mbox)\s*\{([^{}]*)\}")]
    private static partial Regex Wrapper();

    // x^{2} and a_{1}: one character needs no braces.
    [GeneratedRegex(@"([\^_])\{([^{}])\}")]
    private static partial Regex SingleBraced();

    [GeneratedRegex(@"^[a-zA-Z]\s*=\s*")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    // \frac12 and \frac1{2} / \frac{1}2 forms: single digits or letters as arguments.
    [GeneratedRegex(@"\\frac([0-9a-z])([0-9a-z])")]
    private static partial Regex ShortFraction();

    [GeneratedRegex(@"\\frac([0-9a-z])\{([^{}]+)\}")]
    private static partial Regex ShortFractionMixed();

    [GeneratedRegex(@"\\frac\{([^{}]+)\}([0-9a-z])")]
    private static partial Regex ShortFractionBraced();

    [GeneratedRegex(@"^-?\d{1,3}(,\d{3})+(\.\d+)?$")]
    private static partial Regex Thousands();

    [GeneratedRegex(@"(\d+)\.(\d+)(?![\d])")]
    private static partial Regex TrailingZeros();

    [GeneratedRegex(@"(^|[^\d])\.(?=\d)")]
    private static partial Regex LeadingPoint();

    [GeneratedRegex(@"^\\frac\{(\d+(?:\.\d+)?)\}\{(\d+(?:\.\d+)?)\}$")]
    private static partial Regex Fraction();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)/(\d+(?:\.\d+)?)$")]
    private static partial Regex Slash();
}
