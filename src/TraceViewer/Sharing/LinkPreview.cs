using System.Globalization;
using System.Text;
using TraceViewer.Traces;

namespace TraceViewer.Sharing;

/// <summary>The title and description a chat or a social site shows for a link to a trace (Open Graph, Twitter card).</summary>
internal sealed record LinkPreviewText(string Title, string Description);

/// <summary>
/// Preview text from a trace as shown: the sentence (shortened), its effect on the shown outcome and the outcome's rate
/// before and after it. Plain text; the page writes it into attributes, which are escaped.
/// </summary>
internal static class LinkPreview
{
    public const int MaxSentence = 160;
    public const int MaxTitle = 120;

    public static LinkPreviewText Describe(TraceDocument trace, int? selected, OutcomeMetrics? outcome, EffectKind effect)
    {
        var title = Shorten(trace.Title, MaxTitle);
        var sentence = selected is { } index ? trace.Sentences.FirstOrDefault(s => s.Index == index) : null;
        if (sentence is null)
        {
            return new LinkPreviewText(title, $"Reasoning trace of {trace.Model}, {trace.Sentences.Count} sentences, in {trace.Dataset.Name}.");
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Sentence {sentence.Index}: “{Shorten(OneLine(sentence.Text), MaxSentence)}”");
        if (outcome is not null)
        {
            var shown = outcome.EffectsAt(sentence.Index).Shown(effect);
            var value = shown.Effect is { } estimate ? " " + MetricFormat.Signed(estimate.Value) : "";
            var direction = shown.Direction switch
            {
                Direction.Promotes => "promotes",
                Direction.Suppresses => "suppresses",
                _ => "no measurable effect on",
            };
            text.Append(CultureInfo.InvariantCulture, $" — {direction} {outcome.Name} ({effect.Label().ToLowerInvariant()}{value})");
            if (outcome.RateAt(sentence.Index) is { } before && outcome.RateAt(sentence.Index + 1) is { } after)
            {
                text.Append(CultureInfo.InvariantCulture, $"; rate {MetricFormat.Number(before.Value)} → {MetricFormat.Number(after.Value)}");
            }
        }

        text.Append('.');
        return new LinkPreviewText(title, text.ToString());
    }

    private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    public static string Shorten(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var cut = text[..(max - 1)];
        // Never split a surrogate pair.
        if (char.IsHighSurrogate(cut[^1]))
        {
            cut = cut[..^1];
        }

        return cut.TrimEnd() + "…";
    }
}
