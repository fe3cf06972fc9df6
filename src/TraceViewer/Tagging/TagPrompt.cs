using System.Text;
using System.Text.RegularExpressions;

namespace TraceViewer.Tagging;

/// <summary>The tag prompt could not be used: names the placeholder at fault.</summary>
internal sealed class TagPromptException(string message) : Exception(message);

/// <summary>A tag as the model is shown it: its name and what it means.</summary>
internal sealed record TagChoice(string Name, string? Description);

/// <summary>What one sentence's prompt is filled with.</summary>
internal sealed record TagPromptInput(string? UserInput, string Before, string Sentence, string After, IReadOnlyList<TagChoice> Tags, bool MultiChoice);

/// <summary>
/// The prompt of a tag job, filled in one pass (text put in is never scanned again):
/// <list type="bullet">
/// <item><c>{sentence}</c> (required): the sentence to tag;</item>
/// <item><c>{before}</c> and <c>{after}</c>: the reasoning before and after it;</item>
/// <item><c>{user_input}</c>: the request the trace answers;</item>
/// <item><c>{tags}</c>: the taxonomy's tags, one line each with its description;</item>
/// <item><c>{answer_format}</c>: how to give the tag names (<see cref="AnswerFormat"/>).</item>
/// </list>
/// Write <c>{{</c> and <c>}}</c> for literal braces; a lower-case name in braces that is not one of the above is an error.
/// </summary>
internal sealed partial class TagPrompt
{
    public const string SentenceName = "sentence";

    private static readonly string[] Known = ["sentence", "before", "after", "user_input", "tags", "answer_format"];

    /// <summary>Our default prompt: the request, the reasoning around the sentence, the sentence, the tags and the answer format.</summary>
    public const string Default =
        """
        You are annotating one sentence of a model's reasoning with tags from a fixed set.

        The model was answering this request:
        <user_input>
        {user_input}
        </user_input>

        Its reasoning before the sentence:
        <before>
        {before}
        </before>

        The sentence to annotate:
        <sentence>
        {sentence}
        </sentence>

        Its reasoning after the sentence:
        <after>
        {after}
        </after>

        The tags, each with what it means:
        {tags}

        Decide which tags apply to the sentence itself (not to the reasoning around it).
        {answer_format}
        """;

    private TagPrompt(string text) => Text = text;

    public string Text { get; }

    /// <summary>Checks the text: unknown placeholders and a missing <c>{sentence}</c> are errors.</summary>
    public static TagPrompt Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new TagPromptException("The tag prompt is empty.");
        }

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Token().Matches(text))
        {
            if (m.Groups["name"].Success)
            {
                var name = m.Groups["name"].Value;
                if (!Known.Contains(name, StringComparer.Ordinal))
                {
                    throw new TagPromptException(
                        $"The tag prompt has an unknown placeholder {{{name}}}; known placeholders are {string.Join(", ", Known.Select(k => "{" + k + "}"))} (write {{{{ and }}}} for literal braces).");
                }

                used.Add(name);
            }
        }

        if (!used.Contains(SentenceName))
        {
            throw new TagPromptException("The tag prompt has no {sentence} placeholder, so the model would never see the sentence.");
        }

        return new TagPrompt(text);
    }

    /// <summary>The answer instructions: a last line <c>TAGS: name, name</c> or <c>TAGS: none</c>.</summary>
    public static string AnswerFormat(bool multiChoice) => multiChoice
        ? "End your answer with one line of the form \"TAGS: name, name\" listing every tag that applies, with the names exactly as given above, or \"TAGS: none\" when none applies."
        : "End your answer with one line of the form \"TAGS: name\" giving the one tag that fits best, with the name exactly as given above, or \"TAGS: none\" when none applies.";

    /// <summary>The tags as listed in the prompt: "- name: description".</summary>
    public static string TagList(IEnumerable<TagChoice> tags) =>
        string.Join("\n", tags.Select(t => string.IsNullOrWhiteSpace(t.Description) ? $"- {t.Name}" : $"- {t.Name}: {t.Description.Trim()}"));

    public string Render(TagPromptInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["sentence"] = input.Sentence,
            ["before"] = input.Before.Length == 0 ? "(nothing)" : input.Before,
            ["after"] = input.After.Length == 0 ? "(nothing)" : input.After,
            ["user_input"] = string.IsNullOrWhiteSpace(input.UserInput) ? "(not given)" : input.UserInput,
            ["tags"] = TagList(input.Tags),
            ["answer_format"] = AnswerFormat(input.MultiChoice),
        };
        var result = new StringBuilder(Text.Length + input.Before.Length + input.After.Length + 1024);
        var last = 0;
        foreach (Match m in Token().Matches(Text))
        {
            result.Append(Text, last, m.Index - last);
            last = m.Index + m.Length;
            result.Append(m.Value switch
            {
                "{{" => "{",
                "}}" => "}",
                _ => values[m.Groups["name"].Value],
            });
        }

        result.Append(Text, last, Text.Length - last);
        return result.ToString();
    }

    [GeneratedRegex(@"\{\{|\}\}|\{(?<name>[a-z][a-z0-9_]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
