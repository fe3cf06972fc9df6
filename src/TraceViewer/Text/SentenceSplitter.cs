namespace TraceViewer.Text;

/// <summary>
/// One sentence of a response: <c>response[Start..End) == Text</c>, and <see cref="Separator"/> is the
/// whitespace that follows it, <c>response[End..End + Separator.Length)</c>.
/// </summary>
internal readonly record struct SentenceSpan(string Text, string Separator, int Start, int End);

/// <summary>
/// Splits the reasoning of a response into sentences (method.md §2).
/// <para>
/// The reasoning is the range <see cref="ScratchpadText.ReasoningRange"/> picks: with scratchpads, everything
/// from the first opening scratchpad tag to the end of the last closing one, so the tags themselves and
/// whatever sits between two blocks (whitespace, <c>&lt;NEXT/&gt;</c>) belong to it.
/// </para>
/// <para>
/// Invariant: sentences are contiguous. <c>sentences[k].End + sentences[k].Separator.Length == sentences[k + 1].Start</c>,
/// so concatenating <c>Text + Separator</c> over all sentences gives back <c>response[range.Start..range.End)</c>
/// exactly. Text never starts or ends with whitespace; the separator is only whitespace. Offsets are in the
/// string that was passed in, never in a re-joined copy.
/// </para>
/// <para>Rules, in order of precedence:</para>
/// <list type="number">
/// <item>A tag (see <see cref="Tag"/>) that begins its line, or ends it, is a sentence of its own. "Begins" and
/// "ends" ignore horizontal whitespace and other tags, so <c>&lt;DRAFT_OUTPUT&gt;&lt;rejected/&gt;&lt;/DRAFT_OUTPUT&gt;</c>
/// gives three sentences and <c>done.&lt;/SCRATCHPAD_REASONING&gt;</c> gives two. A tag inside prose
/// (<c>I'll start with &lt;request_fully_accepted/&gt; as asked.</c>) is quoted, not structure, and stays in its sentence.</item>
/// <item>A blank line (a whitespace run holding two or more line breaks; CRLF counts as one) ends a sentence.</item>
/// <item>Inside a paragraph, a run of <c>. ! ?</c> optionally followed by closing quotes, brackets or <c>*</c> ends a
/// sentence when whitespace follows. Not after a list marker alone (<c>1.</c>, <c>a.</c> at the start of a line or
/// sentence), not after a title (Mr. Mrs. Ms. Dr. Prof.) or e.g. / i.e. / vs. / cf., and not after etc. / approx.
/// when a lowercase word follows. Decimals never split since no whitespace follows their point.</item>
/// <item>The last sentence is kept even without terminal punctuation.</item>
/// </list>
/// </summary>
internal static class SentenceSplitter
{
    private static readonly string[] Titles = ["mr", "mrs", "ms", "dr", "prof"];
    private static readonly string[] NeverFinal = ["e.g", "i.e", "vs", "cf", "viz"];
    private static readonly string[] FinalUnlessLowercaseFollows = ["etc", "approx"];

    /// <summary>Splits the reasoning region of a raw model response.</summary>
    public static IReadOnlyList<SentenceSpan> Split(string response)
    {
        var range = ScratchpadText.ReasoningRange(response);
        return Split(response, range.Start, range.End);
    }

    /// <summary>
    /// Splits <c>text[start..end)</c> as it is, without looking for scratchpads. Leading whitespace belongs to no
    /// sentence and trailing whitespace is the last separator, so the sentences give back
    /// <c>text[firstSentence.Start..end)</c>.
    /// </summary>
    public static IReadOnlyList<SentenceSpan> Split(string text, int start, int end)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(end, text.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, end);
        return new Splitter(text, start, end).Run();
    }

    private sealed class Splitter(string s, int lo, int hi)
    {
        private readonly List<SentenceSpan> _sentences = [];
        private int _sentenceStart;
        private int _lastTagEnd = -1;

        public List<SentenceSpan> Run()
        {
            _sentenceStart = SkipWhitespace(lo);
            var i = _sentenceStart;
            while (i < hi)
            {
                var c = s[i];
                if (c == '<' && Tag.TryMatch(s, i, hi, out var tag) && StandsApart(tag))
                {
                    EmitPendingBefore(i);
                    var after = SkipWhitespace(tag.End);
                    Emit(i, tag.End, after);
                    _lastTagEnd = tag.End;
                    i = after;
                }
                else if (char.IsWhiteSpace(c))
                {
                    var after = SkipWhitespace(i);
                    if (IsParagraphBreak(i, after) && _sentenceStart < i)
                    {
                        Emit(_sentenceStart, i, after);
                    }

                    i = after;
                }
                else if (c is '.' or '!' or '?')
                {
                    i = AfterTerminator(i);
                }
                else
                {
                    i++;
                }
            }

            EmitPendingBefore(hi);
            return _sentences;
        }

        /// <summary>Handles a terminator at <paramref name="i"/> and returns where scanning continues.</summary>
        private int AfterTerminator(int i)
        {
            var k = i + 1;
            while (k < hi && s[k] is '.' or '!' or '?')
            {
                k++;
            }

            var singlePeriod = s[i] == '.' && k == i + 1;
            var closersStart = k;
            while (k < hi && s[k] is '"' or '\'' or ')' or ']' or '}' or '*' or '\u201D' or '\u2019' or '\u00BB')
            {
                k++;
            }

            if (k >= hi || !char.IsWhiteSpace(s[k]))
            {
                return k;
            }

            var after = SkipWhitespace(k);
            if (singlePeriod && k == closersStart && !IsParagraphBreak(k, after) && ContinuesAfterPeriod(i, after))
            {
                return k;
            }

            Emit(_sentenceStart, k, after);
            return after;
        }

        /// <summary>True when the period at <paramref name="dot"/> belongs to a list marker or an abbreviation.</summary>
        private bool ContinuesAfterPeriod(int dot, int next)
        {
            var wordStart = dot;
            while (wordStart > _sentenceStart && (char.IsLetterOrDigit(s[wordStart - 1]) || s[wordStart - 1] == '.'))
            {
                wordStart--;
            }

            var word = s.AsSpan(wordStart, dot - wordStart);
            if (word.IsEmpty)
            {
                return false;
            }

            var isMarker = (word.Length <= 3 && IsAllDigits(word)) || (word.Length == 1 && char.IsLetter(word[0]));
            if (isMarker && (wordStart == _sentenceStart || BeginsLine(wordStart)))
            {
                return true;
            }

            return IsAny(word, Titles) || IsAny(word, NeverFinal)
                || (IsAny(word, FinalUnlessLowercaseFollows) && next < hi && char.IsLower(s[next]));
        }

        private bool StandsApart(Tag tag) => _lastTagEnd == tag.Start || BeginsLine(tag.Start) || EndsLine(tag.End);

        private bool BeginsLine(int position)
        {
            var p = position;
            while (p > lo && s[p - 1] is ' ' or '\t')
            {
                p--;
            }

            return p == lo || p == _lastTagEnd || s[p - 1] is '\n' or '\r';
        }

        private bool EndsLine(int position)
        {
            var q = position;
            while (true)
            {
                while (q < hi && s[q] is ' ' or '\t')
                {
                    q++;
                }

                if (q >= hi || s[q] is '\n' or '\r')
                {
                    return true;
                }

                if (!Tag.TryMatch(s, q, hi, out var next))
                {
                    return false;
                }

                q = next.End;
            }
        }

        private void EmitPendingBefore(int position)
        {
            var textEnd = position;
            while (textEnd > _sentenceStart && char.IsWhiteSpace(s[textEnd - 1]))
            {
                textEnd--;
            }

            if (textEnd > _sentenceStart)
            {
                Emit(_sentenceStart, textEnd, position);
            }
        }

        private void Emit(int start, int end, int separatorEnd)
        {
            _sentences.Add(new SentenceSpan(s[start..end], s[end..separatorEnd], start, end));
            _sentenceStart = separatorEnd;
        }

        private int SkipWhitespace(int i)
        {
            while (i < hi && char.IsWhiteSpace(s[i]))
            {
                i++;
            }

            return i;
        }

        private bool IsParagraphBreak(int start, int end)
        {
            var lineBreaks = 0;
            for (var i = start; i < end; i++)
            {
                if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= end || s[i + 1] != '\n')))
                {
                    lineBreaks++;
                }
            }

            return lineBreaks >= 2;
        }

        private static bool IsAllDigits(ReadOnlySpan<char> word)
        {
            foreach (var c in word)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsAny(ReadOnlySpan<char> word, string[] candidates)
        {
            foreach (var candidate in candidates)
            {
                if (word.Equals(candidate, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
