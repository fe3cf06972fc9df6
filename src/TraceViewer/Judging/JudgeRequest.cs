using TraceViewer.Text;

namespace TraceViewer.Judging;

/// <summary>One chat message of a judge call. Roles are <c>system</c> and <c>user</c>.</summary>
internal sealed record JudgeMessage(string Role, string Content)
{
    public const string System = "system";
    public const string User = "user";
}

/// <summary>What a judge looks at: the reasoning (required), and when known the request and the final output.</summary>
internal sealed record JudgeInput(string Scratchpad, string? UserInput = null, string? Output = null)
{
    /// <summary>From a whole response: its reasoning and final output as <see cref="ScratchpadText"/> finds them.</summary>
    public static JudgeInput FromResponse(string response, string? userInput = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new JudgeInput(ScratchpadText.Reasoning(response), userInput, ScratchpadText.FinalOutput(response));
    }

    /// <summary>
    /// From a resample: the original prefix (characters of the base response up to the resampled sentence) followed
    /// by the continuation, so the judge sees the whole scratchpad (method.md §4).
    /// </summary>
    public static JudgeInput FromContinuation(string prefix, string continuation, string? userInput = null)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(continuation);
        return FromResponse(prefix + continuation, userInput);
    }
}

/// <summary>
/// The messages of one judge call. A label takes <see cref="Votes"/> such calls with the same messages; each
/// reply becomes a <see cref="JudgeVote"/>.
/// </summary>
internal sealed record JudgeRequest(
    string Classifier,
    string Version,
    string PromptHash,
    IReadOnlyList<JudgeMessage> Messages,
    int Votes,
    double? Temperature)
{
    public static JudgeRequest Create(JudgeClassifier classifier, JudgeInput input, int? votes = null)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(input.Scratchpad);
        var n = votes ?? classifier.DefaultVotes;
        if (n < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(votes), n, "A judge needs at least one vote.");
        }

        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [JudgePromptTemplate.Scratchpad] = input.Scratchpad,
            [JudgePromptTemplate.UserInput] = input.UserInput,
            [JudgePromptTemplate.Output] = input.Output,
            [JudgePromptTemplate.AnswerFormat] = JudgeAnswerFormat.Describe(classifier.Criteria.Count),
        };

        var messages = new List<JudgeMessage>(2);
        if (classifier.SystemTemplate is { } system)
        {
            messages.Add(new JudgeMessage(JudgeMessage.System, system.Render(values)));
        }

        messages.Add(new JudgeMessage(JudgeMessage.User, classifier.UserTemplate.Render(values)));
        return new JudgeRequest(classifier.Name, classifier.Version, classifier.PromptHash, messages, n, classifier.Temperature);
    }
}
