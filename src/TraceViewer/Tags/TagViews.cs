using System.Text.Json.Serialization;

namespace TraceViewer.Tags;

/// <summary>One tag on a sentence as pages and the API show it: taxonomy, tag, its colour ("#rrggbb"), who put it there and their note.</summary>
public sealed record SentenceTagView(string Taxonomy, string Tag, string Colour, AnnotatorKind AnnotatorKind, string Annotator, string? Note)
{
    /// <summary>The tag's name in words (imported names are snake_case, e.g. <c>plan_generation</c>).</summary>
    [JsonIgnore]
    public string Words => TagNames.Words(Tag);

    /// <summary>Who put it there, in words.</summary>
    [JsonIgnore]
    public string By => AnnotatorKind switch
    {
        AnnotatorKind.Import => "imported from " + Annotator,
        AnnotatorKind.Model => "by model " + Annotator,
        _ => "by " + Annotator,
    };
}

internal static class TagNames
{
    public static string Words(string tag) => tag.Replace('_', ' ');
}
