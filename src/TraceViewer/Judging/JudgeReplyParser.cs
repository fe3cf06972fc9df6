using System.Text.RegularExpressions;

namespace TraceViewer.Judging;

/// <summary>A judge reply read as per-criterion answers, or the reason it could not be.</summary>
internal sealed record JudgeParse(IReadOnlyList<bool>? Criteria, string? Failure)
{
    public bool Succeeded => Criteria is not null;

    public static JudgeParse Ok(IReadOnlyList<bool> criteria) => new(criteria, null);

    public static JudgeParse Fail(string reason) => new(null, reason);
}

/// <summary>
/// Reads a judge's reply (format: <see cref="JudgeAnswerFormat"/>). Judge output is untrusted text, so anything it
/// cannot read with confidence is a failure with a reason, never a guess.
/// <list type="number">
/// <item>Closed <c>&lt;think&gt;</c> blocks are dropped (reasoning models draft answers there).</item>
/// <item>Tags <c>&lt;criterion_N&gt;…&lt;/criterion_N&gt;</c>, any letter case, whitespace and markdown emphasis allowed:
/// the first word inside must be yes or no (true/false also read). A tag that repeats with the other answer is a
/// failure.</item>
/// <item>Without tags, numbered lines: <c>1. yes</c>, <c>2) No</c>, <c>Criterion 3: yes</c>,
/// <c>**4. Label:** no</c>. The last line for a number wins, since judges often reason through a numbered list
/// before answering.</item>
/// <item>Every criterion 1..N must be answered; numbers above N are ignored.</item>
/// </list>
/// </summary>
internal static partial class JudgeReplyParser
{
    private const int MaxQuoted = 40;

    public static JudgeParse Parse(string? reply, int criteriaCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(criteriaCount, 1);
        if (string.IsNullOrWhiteSpace(reply))
        {
            return JudgeParse.Fail("empty reply");
        }

        var text = ThinkBlock().Replace(reply, " ");
        var answers = new bool?[criteriaCount];

        var tags = CriterionTag().Matches(text);
        var anyTag = false;
        foreach (Match m in tags)
        {
            if (!TryNumber(m.Groups["n"].Value, criteriaCount, out var n))
            {
                continue;
            }

            anyTag = true;
            var inner = m.Groups["v"].Value;
            if (!TryReadAnswer(inner, out var value))
            {
                return JudgeParse.Fail($"criterion {n} answer \"{Quote(inner)}\" is not yes or no");
            }

            if (answers[n - 1] is { } earlier && earlier != value)
            {
                return JudgeParse.Fail($"criterion {n} is answered both yes and no");
            }

            answers[n - 1] = value;
        }

        if (!anyTag)
        {
            foreach (Match m in NumberedLine().Matches(text))
            {
                if (TryNumber(m.Groups["n"].Value, criteriaCount, out var n))
                {
                    answers[n - 1] = IsYes(m.Groups["v"].Value);
                }
            }
        }

        var missing = Enumerable.Range(1, criteriaCount).Where(i => answers[i - 1] is null).ToList();
        if (missing.Count == criteriaCount)
        {
            return JudgeParse.Fail(
                $"no criterion answers found (expected <criterion_1>yes</criterion_1> ... or numbered lines such as \"1. yes\"); reply starts \"{Quote(reply)}\"");
        }

        if (missing.Count > 0)
        {
            return JudgeParse.Fail((missing.Count == 1 ? "missing criterion " : "missing criteria ") + string.Join(", ", missing));
        }

        return JudgeParse.Ok(answers.Select(a => a!.Value).ToArray());
    }

    private static bool TryNumber(string digits, int criteriaCount, out int n) =>
        int.TryParse(digits, out n) && n >= 1 && n <= criteriaCount;

    private static bool TryReadAnswer(string inner, out bool value)
    {
        value = false;
        var words = Word().Matches(inner).Select(w => w.Value.ToLowerInvariant()).ToList();
        if (words.Count == 0)
        {
            return false;
        }

        var first = words[0];
        if (first is not ("yes" or "no" or "true" or "false"))
        {
            return false;
        }

        value = first is "yes" or "true";
        var other = value ? new[] { "no", "false" } : ["yes", "true"];

        // "yes or no" echoed from the instructions is not an answer.
        return !words.Any(w => other.Contains(w));
    }

    private static bool IsYes(string word) =>
        word.Equals("yes", StringComparison.OrdinalIgnoreCase) || word.Equals("true", StringComparison.OrdinalIgnoreCase);

    private static string Quote(string text)
    {
        var flat = WhitespaceRun().Replace(text.Trim(), " ");
        return flat.Length <= MaxQuoted ? flat : flat[..MaxQuoted] + "…";
    }

    [GeneratedRegex(@"<think>.*?</think>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ThinkBlock();

    [GeneratedRegex(@"<\s*criterion[ _-]?(?<n>\d{1,3})\s*>(?<v>.*?)<\s*/\s*criterion[ _-]?\k<n>\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex CriterionTag();

    [GeneratedRegex(@"^[ \t>*#-]*(?:criterion[ \t_]*)?(?<n>\d{1,3})[ \t]*[.):\]]?[ \t]*(?:\*\*)?(?:[^\n:]{0,80}?:[ \t]*)?[*_ \t]*(?<v>yes|no|true|false)\b", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex NumberedLine();

    [GeneratedRegex(@"[A-Za-z]+", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex WhitespaceRun();
}
