using System.Security.Cryptography;
using System.Text;

namespace TraceViewer.Judging;

/// <summary>SHA-256 of a prompt text (UTF-8), as lower-case hex: stored with every label so a changed prompt is visible.</summary>
internal static class PromptHash
{
    public static string Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
