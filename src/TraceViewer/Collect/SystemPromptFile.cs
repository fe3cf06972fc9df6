namespace TraceViewer.Collect;

/// <summary>
/// A system prompt kept in a text file. Lines starting with <c>#|</c> at the top of the file are a note for people
/// (what the prompt is, where it comes from) and are not part of the prompt. (Not plain <c>#</c>: a prompt may
/// well open with a markdown heading.)
/// </summary>
internal static class SystemPromptFile
{
    public const string NoteMarker = "#|";

    /// <summary>The example prompt shipped beside the app: written for TraceViewer, not the paper's prompt.</summary>
    public static string ExamplePath => Path.Combine(AppContext.BaseDirectory, "SampleData", "prompts", "example-free-tier-system-prompt.txt");

    public static string Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Strip(File.ReadAllText(path));
    }

    /// <summary>Drops the leading <c>#|</c> note lines and blank lines around them, and trailing whitespace; the rest is kept exactly.</summary>
    public static string Strip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            var next = end < 0 ? text.Length : end + 1;
            var line = text[start..(end < 0 ? text.Length : end)].Trim();
            if (line.StartsWith(NoteMarker, StringComparison.Ordinal) || line.Length == 0)
            {
                start = next;
                continue;
            }

            break;
        }

        return text[start..].TrimEnd();
    }
}
