using TraceViewer.Tagging;

namespace TraceViewer.Tests.Tagging;

public sealed class TagPromptTests
{
    private static readonly TagPromptInput Input = new(
        "Write a poem.", "First I think.", "Then {before} I decide.", "Done.",
        [new TagChoice("Planning", "Decides what to do."), new TagChoice("Other", null)], MultiChoice: false);

    [Fact]
    public void TheDefaultPromptShowsTheContextTheSentenceAndEveryTag()
    {
        var text = TagPrompt.Parse(TagPrompt.Default).Render(Input);

        Assert.Contains("<sentence>\nThen {before} I decide.\n</sentence>", text, StringComparison.Ordinal);
        Assert.Contains("Write a poem.", text, StringComparison.Ordinal);
        Assert.Contains("First I think.", text, StringComparison.Ordinal);
        Assert.Contains("Done.", text, StringComparison.Ordinal);
        Assert.Contains("- Planning: Decides what to do.\n- Other", text, StringComparison.Ordinal);
        Assert.Contains("\"TAGS: name\" giving the one tag", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ACustomPromptFillsItsPlaceholdersOnceAndKeepsLiteralBraces()
    {
        var text = TagPrompt.Parse("{{json}} {sentence} | {tags} | {answer_format}").Render(Input with { MultiChoice = true });

        Assert.StartsWith("{json} Then {before} I decide. | - Planning", text, StringComparison.Ordinal);
        Assert.EndsWith(TagPrompt.AnswerFormat(multiChoice: true), text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Tag this: {tags}", "{sentence}")]
    [InlineData("{sentence} {scratchpad}", "{scratchpad}")]
    public void AnUnusablePromptIsRefusedNamingWhy(string prompt, string expected)
    {
        var error = Assert.Throws<TagPromptException>(() => TagPrompt.Parse(prompt));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
