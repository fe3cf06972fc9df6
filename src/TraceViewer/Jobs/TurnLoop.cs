using System.Text;
using System.Text.RegularExpressions;

namespace TraceViewer.Jobs;

/// <summary>A sampled continuation: the text after the prefix (all assistant turns), how it ended, and its usage.</summary>
internal sealed record Continuation(string Text, int Turns, string? FinishReason, int PromptTokens, int CompletionTokens);

/// <summary>
/// Continues a prefix and runs the Alignment Faking harness's turn loop (method.md §3): when an assistant turn closes
/// its scratchpad without an <c>&lt;OUTPUT&gt;</c>, a user turn <c>&lt;NEXT/&gt;</c> asks for more, up to four assistant
/// turns in all. Later turns are joined to the continuation with the <c>&lt;NEXT/&gt;</c> marker between them.
/// </summary>
internal static partial class TurnLoop
{
    public const string NextTurn = "<NEXT/>";

    public const int MaxAssistantTurns = 4;

    /// <summary>Stands between assistant turns in a stored continuation, as the user turn that separated them.</summary>
    public const string TurnSeparator = "\n\n" + NextTurn + "\n\n";

    public static async Task<Continuation> ContinueAsync(
        IModelClient client, string provider, string model, string? system, string user, string prefix, SamplingParameters sampling, CancellationToken ct)
    {
        var messages = new List<ModelMessage>();
        if (!string.IsNullOrEmpty(system))
        {
            messages.Add(ModelMessage.System(system));
        }

        messages.Add(ModelMessage.User(user));
        // An empty prefill is no prefill: the model starts its turn.
        if (prefix.Length > 0)
        {
            messages.Add(ModelMessage.Assistant(prefix));
        }

        var reply = await client.GenerateAsync(new ModelRequest(provider, model, messages, sampling), ct);
        var text = new StringBuilder(reply.Text);
        var turnText = prefix + reply.Text;
        int turns = 1, promptTokens = reply.PromptTokens, completionTokens = reply.CompletionTokens;
        var finish = reply.FinishReason;
        while (turns < MaxAssistantTurns && finish != "length" && NeedsNextTurn(turnText))
        {
            if (prefix.Length > 0 && turns == 1)
            {
                messages[^1] = ModelMessage.Assistant(turnText);
            }
            else
            {
                messages.Add(ModelMessage.Assistant(turnText));
            }

            messages.Add(ModelMessage.User(NextTurn));
            reply = await client.GenerateAsync(new ModelRequest(provider, model, messages, sampling), ct);
            turns++;
            promptTokens += reply.PromptTokens;
            completionTokens += reply.CompletionTokens;
            finish = reply.FinishReason;
            turnText = reply.Text;
            text.Append(TurnSeparator).Append(reply.Text);
        }

        return new Continuation(text.ToString(), turns, finish, promptTokens, completionTokens);
    }

    /// <summary>True when the turn's last scratchpad tag closes it and no <c>&lt;OUTPUT&gt;</c> follows.</summary>
    public static bool NeedsNextTurn(string turn)
    {
        Match? last = null;
        foreach (Match m in ScratchpadTag().Matches(turn))
        {
            last = m;
        }

        return last is { } tag && tag.Value.StartsWith("</", StringComparison.Ordinal)
            && turn.IndexOf("<OUTPUT>", tag.Index + tag.Length, StringComparison.OrdinalIgnoreCase) < 0;
    }

    [GeneratedRegex(@"</?[A-Za-z_]*SCRATCHPAD[A-Za-z_]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ScratchpadTag();
}
