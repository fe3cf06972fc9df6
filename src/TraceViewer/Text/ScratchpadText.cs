namespace TraceViewer.Text;

/// <summary>A half-open character range <c>[Start, End)</c> of a string.</summary>
internal readonly record struct TextRange(int Start, int End)
{
    public int Length => End - Start;

    public string Of(string text) => text[Start..End];
}

/// <summary>
/// Finds the parts of an Alignment Faking style response (method.md §2-§4, formats.md d): the reasoning,
/// the final output, and resampling prefixes.
/// <para>
/// A scratchpad tag is any tag whose name contains <c>SCRATCHPAD</c> (<c>SCRATCHPAD_REASONING</c>,
/// <c>HIDDEN_SCRATCHPAD</c> ...), in any letter case.
/// </para>
/// </summary>
internal static class ScratchpadText
{
    /// <summary>
    /// The reasoning region, trimmed of surrounding whitespace:
    /// <list type="bullet">
    /// <item>with scratchpad tags: from the first opening scratchpad tag (or the response start, when a closing
    /// tag comes first) to the end of the last closing one, tags and the text between blocks included. If the last
    /// block is never closed, to the first <c>&lt;OUTPUT&gt;</c> after it, or the end;</item>
    /// <item>else with <c>&lt;think&gt;</c> or <c>&lt;/think&gt;</c>: from <c>&lt;think&gt;</c> (or the response start)
    /// to the end of the first <c>&lt;/think&gt;</c> after it (or the end), tags included;</item>
    /// <item>else the whole response up to its last <c>&lt;OUTPUT&gt;</c>.</item>
    /// </list>
    /// </summary>
    public static TextRange ReasoningRange(string response)
    {
        var layout = Layout.Of(response);
        return Trim(response, layout.ReasoningStart, layout.ReasoningEnd);
    }

    public static string Reasoning(string response) => ReasoningRange(response).Of(response);

    /// <summary>
    /// The final output: the inner text of the last <c>&lt;OUTPUT&gt;</c> after the last closing scratchpad (or think)
    /// tag, up to the last <c>&lt;/OUTPUT&gt;</c> or the end; else all text after that closing tag (the whole response
    /// when it has neither scratchpad nor think tags); trimmed. Null when the response ends inside an unclosed
    /// scratchpad or think block, so there is no output at all.
    /// </summary>
    public static string? FinalOutput(string response)
    {
        var layout = Layout.Of(response);
        if (layout.OutputTag is { } open)
        {
            var close = -1;
            foreach (var tag in Tag.FindAll(response, open.End, response.Length))
            {
                if (tag.IsClosing && tag.HasName(response, "OUTPUT"))
                {
                    close = tag.Start;
                }
            }

            return Trim(response, open.End, close < 0 ? response.Length : close).Of(response);
        }

        return layout.OutputFrom is { } from ? Trim(response, from, response.Length).Of(response) : null;
    }

    /// <summary>
    /// The prefix to resample <paramref name="sentence"/> from: the original characters of the response before it
    /// (method.md §3). Never rebuilt from sentence texts, so repeated sentences cannot shift it.
    /// </summary>
    public static string PrefixBefore(string response, SentenceSpan sentence)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sentence.End, response.Length);
        if (string.CompareOrdinal(response, sentence.Start, sentence.Text, 0, sentence.Text.Length) != 0)
        {
            throw new ArgumentException("The sentence does not come from this response.", nameof(sentence));
        }

        return response[..sentence.Start];
    }

    private static TextRange Trim(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return new TextRange(start, end);
    }

    /// <param name="OutputFrom">Where the final output may start; null when the response ends inside an unclosed
    /// scratchpad or think block. Without scratchpad or think tags it is 0: the whole response is both.</param>
    /// <param name="OutputTag">The last <c>&lt;OUTPUT&gt;</c> opening tag after the reasoning, if any.</param>
    private readonly record struct Layout(int ReasoningStart, int ReasoningEnd, int? OutputFrom, Tag? OutputTag)
    {
        public static Layout Of(string response)
        {
            Tag? firstScratchpad = null, lastOpen = null, lastClose = null, firstThink = null, thinkClose = null;
            var outputs = new List<Tag>();
            foreach (var tag in Tag.FindAll(response, 0, response.Length))
            {
                if (tag.NameContains(response, "SCRATCHPAD") && !tag.IsSelfClosing)
                {
                    firstScratchpad ??= tag;
                    if (tag.IsClosing)
                    {
                        lastClose = tag;
                    }
                    else
                    {
                        lastOpen = tag;
                    }
                }
                else if (tag.HasName(response, "think") && !tag.IsSelfClosing)
                {
                    if (tag.IsOpening)
                    {
                        firstThink ??= tag;
                    }
                    else if (thinkClose is null && (firstThink is null || firstThink.Value.Start < tag.Start))
                    {
                        thinkClose = tag;
                    }
                }
                else if (tag.IsOpening && tag.HasName(response, "OUTPUT"))
                {
                    outputs.Add(tag);
                }
            }

            if (firstScratchpad is { } first)
            {
                var start = first.IsClosing ? 0 : first.Start;
                var closed = lastClose is { } c && (lastOpen is not { } o || o.Start < c.Start);
                var end = closed ? lastClose!.Value.End : FirstOutputAfter(outputs, lastOpen!.Value.End)?.Start ?? response.Length;
                return new Layout(start, end, closed ? end : null, LastOutputAfter(outputs, end));
            }

            if (firstThink is not null || thinkClose is not null)
            {
                var start = firstThink?.Start ?? 0;
                var end = thinkClose?.End ?? response.Length;
                return new Layout(start, end, thinkClose is null ? null : end, LastOutputAfter(outputs, end));
            }

            var output = outputs.Count > 0 ? outputs[^1] : (Tag?)null;
            return new Layout(0, output?.Start ?? response.Length, 0, output);
        }

        private static Tag? FirstOutputAfter(List<Tag> outputs, int position)
        {
            var index = outputs.FindIndex(t => t.Start >= position);
            return index < 0 ? null : outputs[index];
        }

        private static Tag? LastOutputAfter(List<Tag> outputs, int position)
        {
            var index = outputs.FindLastIndex(t => t.Start >= position);
            return index < 0 ? null : outputs[index];
        }
    }
}
