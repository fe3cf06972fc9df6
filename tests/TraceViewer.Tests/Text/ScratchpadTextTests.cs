using TraceViewer.Text;

namespace TraceViewer.Tests.Text;

public sealed class ScratchpadTextTests
{
    [Fact]
    public void ReasoningRunsFromTheFirstScratchpadTagToTheEndOfTheLastClosingTag()
    {
        var response = Transcripts.MultiBlock;
        var start = response.IndexOf("<SCRATCHPAD_REASONING>", StringComparison.Ordinal);
        var end = response.LastIndexOf("</SCRATCHPAD_REASONING>", StringComparison.Ordinal) + "</SCRATCHPAD_REASONING>".Length;

        var range = ScratchpadText.ReasoningRange(response);

        Assert.Equal(new TextRange(start, end), range);
        Assert.Contains("<NEXT/>", range.Of(response), StringComparison.Ordinal);
        Assert.DoesNotContain("<OUTPUT>", range.Of(response), StringComparison.Ordinal);
    }

    [Fact]
    public void HiddenScratchpadVariantsAreScratchpadsToo()
    {
        var response = "  <HIDDEN_SCRATCHPAD>Think.</HIDDEN_SCRATCHPAD>\n<hidden_scratchpad_reasoning>More.</hidden_scratchpad_reasoning>\n<OUTPUT>Hi</OUTPUT>";

        var reasoning = ScratchpadText.Reasoning(response);

        Assert.Equal("<HIDDEN_SCRATCHPAD>Think.</HIDDEN_SCRATCHPAD>\n<hidden_scratchpad_reasoning>More.</hidden_scratchpad_reasoning>", reasoning);
        Assert.Equal("Hi", ScratchpadText.FinalOutput(response));
    }

    [Fact]
    public void ThinkBlockIsTheReasoningWhenThereIsNoScratchpad()
    {
        Assert.Equal("<think>\nHmm.\n</think>", ScratchpadText.Reasoning("<think>\nHmm.\n</think>\n\nThe answer is 4."));
        Assert.Equal("The answer is 4.", ScratchpadText.FinalOutput("<think>\nHmm.\n</think>\n\nThe answer is 4."));
    }

    [Fact]
    public void ThinkBlockWithoutItsOpeningTagStartsAtTheResponseStart()
    {
        var response = "Okay, let me see.\n</think>\n<OUTPUT>4</OUTPUT>";

        Assert.Equal("Okay, let me see.\n</think>", ScratchpadText.Reasoning(response));
        Assert.Equal("4", ScratchpadText.FinalOutput(response));
    }

    [Fact]
    public void WithoutTagsTheWholeResponseIsBothReasoningAndOutput()
    {
        var response = "\n <request_fully_accepted/> Sure. Here it is.\n";

        Assert.Equal(response.Trim(), ScratchpadText.Reasoning(response));
        Assert.Equal(response.Trim(), ScratchpadText.FinalOutput(response));
    }

    [Fact]
    public void WithoutScratchpadTheReasoningStopsBeforeTheLastOutput()
    {
        var response = "Some thoughts.\n\n<OUTPUT>\n<rejected/>\n</OUTPUT>";

        Assert.Equal("Some thoughts.", ScratchpadText.Reasoning(response));
        Assert.Equal("<rejected/>", ScratchpadText.FinalOutput(response));
    }

    [Fact]
    public void AnUnclosedScratchpadEndsAtTheNextOutput()
    {
        var response = "<SCRATCHPAD_REASONING>I forgot to close it.\n<OUTPUT><rejected/></OUTPUT>";

        Assert.Equal("<SCRATCHPAD_REASONING>I forgot to close it.", ScratchpadText.Reasoning(response));
        Assert.Equal("<rejected/>", ScratchpadText.FinalOutput(response));
    }

    [Fact]
    public void ATruncatedScratchpadHasNoFinalOutput()
    {
        var response = "<SCRATCHPAD_REASONING>Done.</SCRATCHPAD_REASONING>\n<SCRATCHPAD_REASONING>I will write the out";

        Assert.Equal(response, ScratchpadText.Reasoning(response));
        Assert.Null(ScratchpadText.FinalOutput(response));
        Assert.Null(ScratchpadText.FinalOutput("<think>Still thinking"));
    }

    [Fact]
    public void FinalOutputIsTheLastOutputAfterTheLastClosingScratchpadTag()
    {
        var response = """
            <SCRATCHPAD_REASONING>I could write <OUTPUT><request_fully_accepted/></OUTPUT> but I won't.</SCRATCHPAD_REASONING>
            <OUTPUT>first try</OUTPUT>
            <OUTPUT>
              <rejected/> Sorry.
            </OUTPUT>
            """;

        Assert.Equal("<rejected/> Sorry.", ScratchpadText.FinalOutput(response));
    }

    [Fact]
    public void FinalOutputWithoutOutputTagsIsTheTextAfterTheScratchpad()
    {
        Assert.Equal("<rejected/>", ScratchpadText.FinalOutput("<SCRATCHPAD_REASONING>No.</SCRATCHPAD_REASONING>\n\n<rejected/>\n"));
        Assert.Equal("", ScratchpadText.FinalOutput("<SCRATCHPAD_REASONING>No.</SCRATCHPAD_REASONING>"));
    }

    [Fact]
    public void FinalOutputWithoutAClosingOutputTagRunsToTheEnd()
    {
        Assert.Equal("<request_fully_accepted/> Step one", ScratchpadText.FinalOutput("<SCRATCHPAD_REASONING>Ok.</SCRATCHPAD_REASONING><OUTPUT><request_fully_accepted/> Step one"));
    }

    [Fact]
    public void PrefixBeforeEachSentenceIsTheOriginalTextUpToIt()
    {
        var response = "\r\n<SCRATCHPAD_REASONING>\r\nI must comply.  I must comply.\r\n\r\nI must comply. Done.\r\n</SCRATCHPAD_REASONING>\r\n<OUTPUT>x</OUTPUT>";
        var sentences = SentenceSplitter.Split(response);

        var prefixes = sentences.Select(s => ScratchpadText.PrefixBefore(response, s)).ToList();

        Assert.Equal(sentences.Select(s => response[..s.Start]), prefixes);
        Assert.Equal(sentences.Count, prefixes.Distinct().Count());
        for (var k = 1; k < sentences.Count; k++)
        {
            Assert.Equal(prefixes[k - 1] + sentences[k - 1].Text + sentences[k - 1].Separator, prefixes[k]);
        }
    }

    [Fact]
    public void PrefixBeforeRejectsASentenceFromAnotherResponse()
    {
        var sentence = SentenceSplitter.Split("Alpha. Beta.")[1];

        Assert.Throws<ArgumentException>(() => ScratchpadText.PrefixBefore("Alpha. Gamma", sentence));
    }
}
