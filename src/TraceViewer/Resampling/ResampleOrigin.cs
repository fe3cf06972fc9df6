using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using TraceViewer.Data;

namespace TraceViewer.Resampling;

/// <summary>
/// Where a resample comes from. A closed set, stored and written as the text <c>imported</c> or <c>generated</c>
/// (<see cref="ResampleOrigins.Name"/>); any other text is refused where it is read.
/// </summary>
[JsonConverter(typeof(ResampleOriginJsonConverter))]
public enum ResampleOrigin
{
    /// <summary>Read from a source file.</summary>
    Imported,

    /// <summary>Sampled by a resample job.</summary>
    Generated,
}

/// <summary>The text of a <see cref="ResampleOrigin"/>, as the database column and the native format hold it.</summary>
public static class ResampleOrigins
{
    public const string ImportedName = "imported";
    public const string GeneratedName = "generated";

    public static string Name(this ResampleOrigin origin) => origin switch
    {
        ResampleOrigin.Imported => ImportedName,
        ResampleOrigin.Generated => GeneratedName,
        _ => throw new ArgumentOutOfRangeException(nameof(origin), origin, "not a resample origin"),
    };

    /// <summary>Exactly <c>imported</c> or <c>generated</c>; nothing else, whatever its case.</summary>
    public static bool TryParse(string? text, out ResampleOrigin origin)
    {
        switch (text)
        {
            case ImportedName:
                origin = ResampleOrigin.Imported;
                return true;
            case GeneratedName:
                origin = ResampleOrigin.Generated;
                return true;
            default:
                origin = default;
                return false;
        }
    }

    /// <summary>
    /// Reads the stored text. Only a job writes <c>generated</c>; an import before the origin was checked could store
    /// any other text from a native file, and such a row is read as imported, as the metric counts always took it.
    /// </summary>
    public static ResampleOrigin FromStored(string text) => text == GeneratedName ? ResampleOrigin.Generated : ResampleOrigin.Imported;

    /// <summary>Stores the origin as its text, so the column and its values are what they were when it was a string.</summary>
    public static readonly ValueConverter<ResampleOrigin, string> Converter = new(o => Name(o), s => FromStored(s));
}

/// <summary>Writes and reads the origin as its text; any other value is an error naming the two it may be.</summary>
public sealed class ResampleOriginJsonConverter : JsonConverter<ResampleOrigin>
{
    public override ResampleOrigin Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new UnknownValueException($"wrong type: expected '{ResampleOrigins.ImportedName}' or '{ResampleOrigins.GeneratedName}', found {Describe(reader.TokenType)}");
        }

        var text = reader.GetString();
        return ResampleOrigins.TryParse(text, out var origin)
            ? origin
            : throw new UnknownValueException($"unknown resample origin '{text}': expected '{ResampleOrigins.ImportedName}' or '{ResampleOrigins.GeneratedName}'");
    }

    public override void Write(Utf8JsonWriter writer, ResampleOrigin value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name());

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "true or false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => token.ToString(),
    };
}
