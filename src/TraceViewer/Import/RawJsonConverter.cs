using System.Text.Json;
using System.Text.Json.Serialization;

namespace TraceViewer.Import;

/// <summary>
/// Writes a string that holds a JSON object or array as that JSON, and anything else as a string, so
/// metadata reads naturally in JSONL files and still round-trips character for character.
/// </summary>
internal sealed class RawJsonConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetRawText();
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        if (IsCompactContainer(value))
        {
            writer.WriteRawValue(value);
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    private static bool IsCompactContainer(string value)
    {
        // A raw newline would break the one-object-per-line rule; such text is kept as a string instead.
        if (value.Length == 0 || (value[0] != '{' && value[0] != '[') || (value[^1] != '}' && value[^1] != ']') || value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(value);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>
/// Writes a list of names as one newline-separated string and reads it back exactly (empty entries included), so the
/// JSONL format and content hashes stay as they were when the names were kept joined.
/// </summary>
internal sealed class NewlineSeparatedConverter : JsonConverter<IReadOnlyList<string>>
{
    public override bool HandleNull => false;

    public override IReadOnlyList<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? reader.GetString()!.Split('\n')
            : throw new JsonException("expected a string of newline-separated names");

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options) =>
        writer.WriteStringValue(string.Join('\n', value));
}
