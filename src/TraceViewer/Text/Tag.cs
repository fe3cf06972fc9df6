namespace TraceViewer.Text;

/// <summary>
/// One attribute-free markup tag in model output: <c>&lt;name&gt;</c>, <c>&lt;/name&gt;</c>, <c>&lt;name/&gt;</c>
/// or <c>&lt;name /&gt;</c>. Names start with a letter or underscore and continue with letters, digits,
/// <c>_ - . :</c> (so <c>&lt;tool_use:email&gt;</c> counts). <see cref="End"/> is exclusive.
/// </summary>
internal readonly record struct Tag(int Start, int End, int NameStart, int NameLength, bool IsClosing, bool IsSelfClosing)
{
    public bool IsOpening => !IsClosing && !IsSelfClosing;

    public bool HasName(string text, string name) =>
        NameLength == name.Length && string.Compare(text, NameStart, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0;

    public bool NameContains(string text, string part) =>
        text.AsSpan(NameStart, NameLength).Contains(part, StringComparison.OrdinalIgnoreCase);

    /// <summary>Matches a tag starting exactly at <paramref name="start"/> and ending at or before <paramref name="limit"/>.</summary>
    public static bool TryMatch(string text, int start, int limit, out Tag tag)
    {
        tag = default;
        var i = start + 1;
        if (start >= limit || text[start] != '<' || i >= limit)
        {
            return false;
        }

        var closing = text[i] == '/';
        if (closing)
        {
            i++;
        }

        var nameStart = i;
        if (i >= limit || !(char.IsAsciiLetter(text[i]) || text[i] == '_'))
        {
            return false;
        }

        while (i < limit && IsNameChar(text[i]))
        {
            i++;
        }

        var nameLength = i - nameStart;
        while (i < limit && text[i] == ' ')
        {
            i++;
        }

        var selfClosing = !closing && i < limit && text[i] == '/';
        if (selfClosing)
        {
            i++;
        }

        if (i >= limit || text[i] != '>')
        {
            return false;
        }

        tag = new Tag(start, i + 1, nameStart, nameLength, closing, selfClosing);
        return true;
    }

    /// <summary>All tags in <c>text[start..end)</c>, left to right.</summary>
    public static IEnumerable<Tag> FindAll(string text, int start, int end)
    {
        var i = start;
        while (i < end && (i = text.IndexOf('<', i, end - i)) >= 0)
        {
            if (TryMatch(text, i, end, out var tag))
            {
                yield return tag;
                i = tag.End;
            }
            else
            {
                i++;
            }
        }
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':';
}
