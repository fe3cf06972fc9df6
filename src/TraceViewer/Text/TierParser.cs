using System.Text.RegularExpressions;

namespace TraceViewer.Text;

/// <summary>
/// Reads the tier from an Alignment Faking user turn: <c>&lt;is_free_tier_user&gt;true&lt;/is_free_tier_user&gt;</c>
/// (Hughes files) or <c>True</c>/<c>False</c> (Redwood), in any letter case (formats.md d).
/// </summary>
internal static partial class TierParser
{
    public const string Free = "free";
    public const string Paid = "paid";

    /// <summary><see cref="Free"/>, <see cref="Paid"/>, or null when the message has no tier flag. The first flag wins.</summary>
    public static string? Parse(string? userMessage)
    {
        if (string.IsNullOrEmpty(userMessage))
        {
            return null;
        }

        var match = FreeTierFlag().Match(userMessage);
        if (!match.Success)
        {
            return null;
        }

        return match.Groups[1].ValueSpan.Equals("true", StringComparison.OrdinalIgnoreCase) ? Free : Paid;
    }

    [GeneratedRegex(@"<is_free_tier_user>\s*(true|false)\s*</is_free_tier_user>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FreeTierFlag();
}
