using System.Text;
using System.Text.RegularExpressions;

namespace TraceViewer.Judging;

/// <summary>The prompt could not be used: names the placeholder or setting at fault.</summary>
internal sealed class JudgePromptException(string message) : Exception(message);

/// <summary>
/// A judge prompt text with placeholders, filled in one pass (text put in is never scanned again, so a scratchpad
/// that happens to contain <c>{output}</c> stays as written).
/// <list type="bullet">
/// <item><c>{scratchpad}</c> (required): the reasoning being judged, original prefix plus continuation;</item>
/// <item><c>{user_input}</c>: the request the model answered;</item>
/// <item><c>{output}</c>: the model's final output;</item>
/// <item><c>{answer_format}</c>: the answer instructions of <see cref="JudgeAnswerFormat"/> for the prompt's criteria.</item>
/// </list>
/// Write <c>{{</c> and <c>}}</c> for literal braces. A brace pair holding anything other than a lower-case name
/// (JSON, code) is left as it is; a lower-case name that is not one of the above is an error, to catch typos.
/// </summary>
internal sealed partial class JudgePromptTemplate
{
    public const string Scratchpad = "scratchpad";
    public const string UserInput = "user_input";
    public const string Output = "output";
    public const string AnswerFormat = "answer_format";

    /// <summary>What a placeholder becomes when the value is not known (a base trace without its request, say).</summary>
    public const string NotGiven = "(not given)";

    private static readonly string[] Known = [Scratchpad, UserInput, Output, AnswerFormat];

    private JudgePromptTemplate(string text, IReadOnlySet<string> placeholders)
    {
        Text = text;
        Placeholders = placeholders;
    }

    public string Text { get; }

    /// <summary>The placeholder names the text uses.</summary>
    public IReadOnlySet<string> Placeholders { get; }

    /// <summary>Checks the text: unknown placeholders and, when <paramref name="requireScratchpad"/>, a missing <c>{scratchpad}</c> are errors.</summary>
    public static JudgePromptTemplate Parse(string text, bool requireScratchpad = true)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new JudgePromptException("The judge prompt is empty.");
        }

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Token().Matches(text))
        {
            if (m.Groups["name"].Success)
            {
                var name = m.Groups["name"].Value;
                if (!Known.Contains(name, StringComparer.Ordinal))
                {
                    throw new JudgePromptException(
                        $"The judge prompt has an unknown placeholder {{{name}}}; known placeholders are {string.Join(", ", Known.Select(k => "{" + k + "}"))} (write {{{{ and }}}} for literal braces).");
                }

                used.Add(name);
            }
        }

        if (requireScratchpad && !used.Contains(Scratchpad))
        {
            throw new JudgePromptException("The judge prompt has no {scratchpad} placeholder, so the judge would never see the reasoning.");
        }

        return new JudgePromptTemplate(text, used);
    }

    /// <summary>Fills the placeholders; a null value becomes <see cref="NotGiven"/>.</summary>
    public string Render(IReadOnlyDictionary<string, string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new StringBuilder(Text.Length + 1024);
        var last = 0;
        foreach (Match m in Token().Matches(Text))
        {
            result.Append(Text, last, m.Index - last);
            last = m.Index + m.Length;
            if (m.Value == "{{")
            {
                result.Append('{');
            }
            else if (m.Value == "}}")
            {
                result.Append('}');
            }
            else
            {
                values.TryGetValue(m.Groups["name"].Value, out var value);
                result.Append(value ?? NotGiven);
            }
        }

        result.Append(Text, last, Text.Length - last);
        return result.ToString();
    }

    [GeneratedRegex(@"\{\{|\}\}|\{(?<name>[a-z][a-z0-9_]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
