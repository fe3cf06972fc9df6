namespace TraceViewer.Resampling;

/// <summary>Comparing a resample's first sentence with the sentence it replaced.</summary>
internal static class ResampleText
{
    /// <summary>The same sentence once surrounding and repeated whitespace is ignored: the resample said it again.</summary>
    public static bool Identical(string? resampled, string? original) =>
        resampled is not null && original is not null && Normalize(resampled) == Normalize(original);

    private static string Normalize(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
