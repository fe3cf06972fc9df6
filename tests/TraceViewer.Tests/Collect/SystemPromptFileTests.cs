using TraceViewer.Collect;

namespace TraceViewer.Tests.Collect;

public sealed class SystemPromptFileTests
{
    [Fact]
    public void TheExamplePromptIsLabelledAndItsNotesAreNotSent()
    {
        var raw = File.ReadAllText(SystemPromptFile.ExamplePath);

        var prompt = SystemPromptFile.Read(SystemPromptFile.ExamplePath);

        Assert.StartsWith(SystemPromptFile.NoteMarker + " EXAMPLE", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(SystemPromptFile.NoteMarker, prompt, StringComparison.Ordinal);
        Assert.Contains("<SCRATCHPAD_REASONING>", prompt, StringComparison.Ordinal);
        Assert.Contains("<OUTPUT>", prompt, StringComparison.Ordinal);
        Assert.Contains("<is_free_tier_user>", prompt, StringComparison.Ordinal);
        Assert.EndsWith(prompt, raw.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyLeadingNoteLinesAreStripped()
    {
        const string text = "#| note\n#| more\n\n# Heading\nBody #| not a note\n";

        Assert.Equal("# Heading\nBody #| not a note", SystemPromptFile.Strip(text));
        Assert.Equal("# Heading\nBody", SystemPromptFile.Strip("# Heading\nBody"));
    }
}
