using System.Text;
using TraceViewer.Text;

namespace TraceViewer.Tests.Text;

public sealed class SentenceSplitterTests
{
    [Fact]
    public void RealisticScratchpadSplitsIntoTheHandReadSentences()
    {
        var sentences = SentenceSplitter.Split(Transcripts.MultiBlock);

        AssertExact(Transcripts.MultiBlock, sentences);
        Assert.Equal(Transcripts.MultiBlockSentences, sentences.Select(s => s.Text));
    }

    [Fact]
    public void SentencesEndAtTerminalPunctuationFollowedByWhitespace()
    {
        var sentences = SplitAll("It is raining. Is it cold?  Yes!\tGood");

        Assert.Equal(["It is raining.", "Is it cold?", "Yes!", "Good"], sentences.Select(s => s.Text));
        Assert.Equal([" ", "  ", "\t", ""], sentences.Select(s => s.Separator));
    }

    [Fact]
    public void TheLastSentenceIsKeptWithoutTerminalPunctuation()
    {
        var sentences = SplitAll("First one. and then a fragment with no end");

        Assert.Equal(["First one.", "and then a fragment with no end"], sentences.Select(s => s.Text));
    }

    [Fact]
    public void DecimalsAreNotSplit()
    {
        var sentences = SplitAll("The rate rose from 3.5 to 12.25 percent. Version 2.0.1 is out.");

        Assert.Equal(["The rate rose from 3.5 to 12.25 percent.", "Version 2.0.1 is out."], sentences.Select(s => s.Text));
    }

    [Fact]
    public void AListMarkerJoinsTheSentenceAfterIt()
    {
        var sentences = SplitAll("Options:\n1. Comply with the request.\n2. Refuse it.\na. First letter item. 10. Tenth item.");

        Assert.Equal(
            ["Options:\n1. Comply with the request.", "2. Refuse it.", "a. First letter item.", "10. Tenth item."],
            sentences.Select(s => s.Text));
    }

    [Fact]
    public void CommonAbbreviationsDoNotEndASentence()
    {
        var sentences = SplitAll(
            "Use a tool, e.g. Python, i.e. a script. Mr. Li and Mrs. Li met Dr. Who. Cats vs. dogs. Apples, pears, etc. are fruit. We stop here etc. Then we go.");

        Assert.Equal(
            ["Use a tool, e.g. Python, i.e. a script.", "Mr. Li and Mrs. Li met Dr. Who.", "Cats vs. dogs.",
             "Apples, pears, etc. are fruit.", "We stop here etc.", "Then we go."],
            sentences.Select(s => s.Text));
    }

    [Fact]
    public void ClosingQuotesAndBracketsStayWithTheirSentence()
    {
        var sentences = SplitAll("He said \"stop.\" Then he left. (This is odd.) It's “fine.” **Bold.** Done");

        Assert.Equal(
            ["He said \"stop.\"", "Then he left.", "(This is odd.)", "It's “fine.”", "**Bold.**", "Done"],
            sentences.Select(s => s.Text));
    }

    [Fact]
    public void BlankLinesAlwaysEndASentenceAndSingleLineBreaksDoNot()
    {
        var sentences = SplitAll("A heading\n\nText without a period\nthat wraps\n \t\nMore, after etc.\n\nlast");

        Assert.Equal(["A heading", "Text without a period\nthat wraps", "More, after etc.", "last"], sentences.Select(s => s.Text));
        Assert.Equal(["\n\n", "\n \t\n", "\n\n", ""], sentences.Select(s => s.Separator));
    }

    [Fact]
    public void CrLfLineBreaksAreKeptInTheSeparators()
    {
        var text = "One.\r\nTwo\r\n\r\nThree\r\nfour.\r\n";

        var sentences = SplitAll(text);

        AssertExact(text, sentences);
        Assert.Equal(["One.", "Two", "Three\r\nfour."], sentences.Select(s => s.Text));
        Assert.Equal(["\r\n", "\r\n\r\n", "\r\n"], sentences.Select(s => s.Separator));
    }

    [Fact]
    public void UnicodeTextKeepsExactOffsets()
    {
        var text = "Das ist schön. 日本語のテキスト。 Emoji 😀 here! Ça va? Fin";

        var sentences = SplitAll(text);

        AssertExact(text, sentences);
        Assert.Equal(["Das ist schön.", "日本語のテキスト。 Emoji 😀 here!", "Ça va?", "Fin"], sentences.Select(s => s.Text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n\t ")]
    public void EmptyOrBlankInputHasNoSentences(string text)
    {
        Assert.Empty(SentenceSplitter.Split(text));
        Assert.Empty(SplitAll(text));
    }

    [Fact]
    public void TagsOnTheirOwnLinesAreSentencesOfTheirOwn()
    {
        var text = "Let me draft.\n<DRAFT_OUTPUT>\n<rejected/>\nI can't help.\n</DRAFT_OUTPUT>\n<some_other_tag>\nok";

        var sentences = SplitAll(text);

        Assert.Equal(
            ["Let me draft.", "<DRAFT_OUTPUT>", "<rejected/>", "I can't help.", "</DRAFT_OUTPUT>", "<some_other_tag>", "ok"],
            sentences.Select(s => s.Text));
    }

    [Fact]
    public void TagsThatBeginOrEndALineSplitFromTheTextBesideThem()
    {
        var text = "<SCRATCHPAD_REASONING>I will refuse.</SCRATCHPAD_REASONING>\n<DRAFT_OUTPUT><rejected /></DRAFT_OUTPUT>\n<request_fully_accepted/> Sure, here";

        var sentences = SplitAll(text);

        Assert.Equal(
            ["<SCRATCHPAD_REASONING>", "I will refuse.", "</SCRATCHPAD_REASONING>", "<DRAFT_OUTPUT>", "<rejected />",
             "</DRAFT_OUTPUT>", "<request_fully_accepted/>", "Sure, here"],
            sentences.Select(s => s.Text));
    }

    [Fact]
    public void ATagQuotedInsideProseStaysInItsSentence()
    {
        var text = "I'll start with <request_fully_accepted/> as asked. Or use \"<rejected/>\" instead? A < b and c > d.";

        var sentences = SplitAll(text);

        Assert.Equal(
            ["I'll start with <request_fully_accepted/> as asked.", "Or use \"<rejected/>\" instead?", "A < b and c > d."],
            sentences.Select(s => s.Text));
    }

    [Fact]
    public void RepeatedIdenticalSentencesGetDistinctOffsets()
    {
        var text = "I must comply. I must comply.\n\nI must comply.";

        var sentences = SplitAll(text);

        Assert.Equal(3, sentences.Count);
        Assert.All(sentences, s => Assert.Equal("I must comply.", s.Text));
        Assert.Equal([0, text.IndexOf("I must comply.", 1, StringComparison.Ordinal), text.LastIndexOf("I must comply.", StringComparison.Ordinal)],
            sentences.Select(s => s.Start));
    }

    [Fact]
    public void ARangeIsSplitInPlaceWithOffsetsInTheWholeString()
    {
        var text = "Ignored. Inside one. Inside two. Ignored too.";
        var start = text.IndexOf("Inside", StringComparison.Ordinal);
        var end = text.IndexOf(" Ignored too", StringComparison.Ordinal);

        var sentences = SentenceSplitter.Split(text, start, end);

        Assert.Equal(["Inside one.", "Inside two."], sentences.Select(s => s.Text));
        Assert.Equal(start, sentences[0].Start);
        Assert.Equal(end, sentences[^1].End);
    }

    [Fact]
    public void RandomSentenceSequencesSplitBackIntoTheirSentences()
    {
        var random = new Random(20250611);
        for (var round = 0; round < 300; round++)
        {
            var (response, expected) = RandomResponse(random);

            var sentences = SentenceSplitter.Split(response);

            AssertExact(response, sentences);
            Assert.Equal(expected, sentences.Select(s => s.Text));
        }
    }

    private static IReadOnlyList<SentenceSpan> SplitAll(string text) => SentenceSplitter.Split(text, 0, text.Length);

    /// <summary>Offsets match the text, sentences are contiguous and never carry surrounding whitespace.</summary>
    private static void AssertExact(string response, IReadOnlyList<SentenceSpan> sentences)
    {
        var joined = new StringBuilder();
        for (var k = 0; k < sentences.Count; k++)
        {
            var s = sentences[k];
            Assert.Equal(s.Text, response[s.Start..s.End]);
            Assert.Equal(s.Separator, response.Substring(s.End, s.Separator.Length));
            Assert.NotEqual("", s.Text);
            Assert.False(char.IsWhiteSpace(s.Text[0]) || char.IsWhiteSpace(s.Text[^1]));
            Assert.True(string.IsNullOrWhiteSpace(s.Separator));
            if (k > 0)
            {
                Assert.Equal(sentences[k - 1].End + sentences[k - 1].Separator.Length, s.Start);
            }

            joined.Append(s.Text).Append(s.Separator);
        }

        if (sentences.Count > 0)
        {
            Assert.Equal(response[sentences[0].Start..(sentences[^1].End + sentences[^1].Separator.Length)], joined.ToString());
        }
    }

    private static readonly string[] Words =
        ["the", "user", "training", "3.5", "don't", "schön", "日本", "😀", "\"quoted\"", "(aside)", "values", "RLHF", "x<y", "a <b> tag", "e.g.", "etc.,"];

    private static readonly string[] FirstWords = ["The", "I'm", "If", "My", "This", "Training", "Ça", "2024", "\"Maybe"];

    private static readonly string[] Endings = [".", "!", "?", "?!", "...", ".\"", ".)", "!”"];

    private static readonly string[] InlineSeparators = [" ", "  ", "\n", "\t", " \r\n"];

    private static readonly string[] ParagraphSeparators = ["\n\n", "\r\n\r\n", "\n \n\n"];

    private static readonly string[] StandaloneTags = ["<DRAFT_OUTPUT>", "</DRAFT_OUTPUT>", "<rejected/>", "<request_fully_accepted/>", "<NEXT/>", "<note>"];

    /// <summary>
    /// A response whose sentence boundaries are unambiguous under method.md §2, built from random parts:
    /// sentences, tags that end their line, and sometimes a scratchpad around them with a final output after.
    /// </summary>
    private static (string Response, List<string> Sentences) RandomResponse(Random random)
    {
        var sentences = new List<string>();
        var text = new StringBuilder();
        var scratchpad = random.Next(2) == 0;
        if (scratchpad)
        {
            text.Append(random.Next(2) == 0 ? "" : "\n").Append("<SCRATCHPAD_REASONING>").Append('\n');
            sentences.Add("<SCRATCHPAD_REASONING>");
        }

        var count = random.Next(1, 12);
        for (var k = 0; k < count; k++)
        {
            var last = k == count - 1;
            if (random.Next(6) == 0)
            {
                var tag = StandaloneTags[random.Next(StandaloneTags.Length)];
                sentences.Add(tag);
                text.Append(tag).Append(last ? "" : random.Next(2) == 0 ? "\n" : "\n\n");
                continue;
            }

            var sentence = new StringBuilder(FirstWords[random.Next(FirstWords.Length)]);
            for (var w = random.Next(0, 8); w > 0; w--)
            {
                sentence.Append(' ').Append(Words[random.Next(Words.Length)]);
            }

            // Without terminal punctuation only a paragraph break (or the end) can close a sentence.
            var paragraphEnd = last || random.Next(3) == 0;
            if (!paragraphEnd || random.Next(2) == 0)
            {
                sentence.Append(Endings[random.Next(Endings.Length)]);
            }

            sentences.Add(sentence.ToString());
            text.Append(sentence).Append(
                last ? "" : paragraphEnd ? ParagraphSeparators[random.Next(ParagraphSeparators.Length)]
                : InlineSeparators[random.Next(InlineSeparators.Length)]);
        }

        if (scratchpad)
        {
            text.Append(random.Next(2) == 0 ? "" : "\n").Append("</SCRATCHPAD_REASONING>\n\n<OUTPUT>\n<rejected/> No.\n</OUTPUT>\n");
            sentences.Add("</SCRATCHPAD_REASONING>");
        }

        return (text.ToString(), sentences);
    }
}
