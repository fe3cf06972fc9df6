using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TraceViewer.Import;

/// <summary>Reads source JSON files (written by Python) with errors that name the file, field and line.</summary>
internal static class SourceJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // JsonLimits enforces Import:MaxDepth before deserialising; this only has to be above its highest setting.
        MaxDepth = 1024,
    };

    /// <summary>Compact output for metadata we store; non-ASCII kept readable (it is never embedded in HTML raw).</summary>
    public static readonly JsonWriterOptions CompactWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static T Read<T>(string fullPath, string relativePath, ImportOptions limits) =>
        Read<T, object>(fullPath, relativePath, limits, null).Value!;

    /// <summary>
    /// Reads a file whose common shape a streaming reader takes straight from the bytes: <paramref name="fast"/> gets the
    /// checked JSON and gives null for anything it does not take exactly as the serialiser would (a null, a string where
    /// a number is, a repeated member...); then the serialiser reads the file as before, with its errors. One of the
    /// two results is set.
    /// </summary>
    public static (T? Value, TFast? Fast) Read<T, TFast>(string fullPath, string relativePath, ImportOptions limits, FastReader<TFast>? fast)
        where TFast : class
    {
        // The file's bytes go into a pooled buffer that the next file reuses: what is parsed out of them is copied
        // (strings, and the documents behind JsonElement values), so nothing refers to the buffer afterwards.
        var (buffer, length) = SourceBytes.RentFile(fullPath, relativePath, limits);
        try
        {
            var json = Checked(buffer.AsMemory(0, length), relativePath, limits);
            if (fast?.Invoke(json.Span) is { } read)
            {
                return (default, read);
            }

            return (Deserialize<T>(json, relativePath), null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A streaming read of JSON that is valid and within the limits; null to leave it to the serialiser.</summary>
    public delegate TFast? FastReader<TFast>(ReadOnlySpan<byte> json) where TFast : class;

    /// <summary>Parses a whole file's bytes: a byte-order mark is skipped, invalid UTF-8 and the limits refused by name.</summary>
    public static T Parse<T>(ReadOnlyMemory<byte> bytes, string relativePath, ImportOptions? limits = null) =>
        Deserialize<T>(Checked(bytes, relativePath, limits ?? new ImportOptions()), relativePath);

    /// <summary>The JSON of a file's bytes: without a byte-order mark, valid UTF-8, named literals quoted, within the limits.</summary>
    private static ReadOnlyMemory<byte> Checked(ReadOnlyMemory<byte> bytes, string relativePath, ImportOptions limits)
    {
        var bom = SourceBytes.BomLength(bytes.Span);
        bytes = bytes[bom..];
        SourceBytes.CheckUtf8(bytes.Span, relativePath, bom, 1);
        var json = QuoteNamedLiterals(bytes);
        JsonLimits.Check(json.Span, relativePath, limits, 1);
        return json;
    }

    private static T Deserialize<T>(ReadOnlyMemory<byte> json, string relativePath)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json.Span, Options)
                ?? throw new ImportException(relativePath, null, 1, "the file holds null instead of " + Describe(typeof(T)));
        }
        catch (JsonException e)
        {
            throw FromJsonException(e, relativePath);
        }
    }

    public static ImportException FromJsonException(JsonException e, string relativePath, long lineOffset = 0)
    {
        var field = e.Path is { Length: > 0 } path ? path.TrimStart('$').TrimStart('.') : null;
        var message = e.Message;
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }

        if (e is Data.UnknownValueException)
        {
            // The converter's message is the whole detail: the value and what the field allows.
            return new ImportException(relativePath, field is { Length: > 0 } ? field : null, e.LineNumber + 1 + lineOffset, message, e);
        }

        var detail = cut > 0 ? message[..cut] : message;
        const string conversion = "The JSON value could not be converted to ";
        if (detail.StartsWith(conversion, StringComparison.Ordinal))
        {
            // For a member of a record read through its constructor the message names the record; the inner error names the value.
            var expected = Expected(detail[conversion.Length..].TrimEnd('.'));
            detail = "wrong type: expected " + (expected == "an object" ? ExpectedFromInner(e.InnerException) ?? expected : expected);
        }
        else if (e.LineNumber is not null && !detail.StartsWith("JSON deserialization", StringComparison.Ordinal))
        {
            detail = "invalid or truncated JSON: " + detail;
        }

        return new ImportException(relativePath, field is { Length: > 0 } ? field : null, e.LineNumber + 1 + lineOffset, detail, e);
    }

    /// <summary>
    /// Python's json.dump writes bare NaN / Infinity / -Infinity tokens, which are not JSON. Quote them so the
    /// named-literal number handling accepts them. Line numbers do not move.
    /// </summary>
    internal static ReadOnlyMemory<byte> QuoteNamedLiterals(ReadOnlyMemory<byte> memory)
    {
        var bytes = memory.Span;
        ArrayBufferWriter<byte>? output = null;
        var copied = 0;
        var inString = false;
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (inString)
            {
                if (b == (byte)'\\')
                {
                    i++;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }

                continue;
            }

            if (b == (byte)'"')
            {
                inString = true;
                continue;
            }

            var literal = LiteralAt(bytes, i);
            if (literal is null)
            {
                continue;
            }

            output ??= new ArrayBufferWriter<byte>(bytes.Length + 16);
            output.Write(bytes.Slice(copied, i - copied));
            output.Write("\""u8);
            output.Write(literal);
            output.Write("\""u8);
            i += literal.Length - 1;
            copied = i + 1;
        }

        if (output is null)
        {
            return memory;
        }

        output.Write(bytes[copied..]);
        return output.WrittenMemory;
    }

    private static readonly byte[][] Literals = ["NaN"u8.ToArray(), "Infinity"u8.ToArray(), "-Infinity"u8.ToArray()];

    private static byte[]? LiteralAt(ReadOnlySpan<byte> bytes, int i)
    {
        var b = bytes[i];
        if (b != (byte)'N' && b != (byte)'I' && b != (byte)'-')
        {
            return null;
        }

        foreach (var literal in Literals)
        {
            if (bytes[i..].StartsWith(literal))
            {
                return literal;
            }
        }

        return null;
    }

    /// <summary>Re-serialises an element compactly, so stored metadata does not depend on the source's indentation.</summary>
    public static string Compact(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes a small object built from named parts, skipping nulls; null when there is nothing to keep.</summary>
    public static string? CompactObject(IEnumerable<KeyValuePair<string, JsonElement>> properties)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var any = false;
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in properties)
            {
                if (value.ValueKind == JsonValueKind.Undefined)
                {
                    continue;
                }

                writer.WritePropertyName(name);
                value.WriteTo(writer);
                any = true;
            }

            writer.WriteEndObject();
        }

        return any ? Encoding.UTF8.GetString(buffer.WrittenSpan) : null;
    }

    /// <summary>A number, including the quoted named literals and overflowing numbers (non-finite); null for anything else.</summary>
    public static double? AsNumber(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            // A number too large for a double (1e400) reads as the infinity it overflows to.
            return value.TryGetDouble(out var number) ? number
                : value.GetRawText().StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString() switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ => null,
            };
        }

        return null;
    }

    public static JsonElement ToElement(string text) => JsonSerializer.SerializeToElement(text);

    public static JsonElement ToElement(bool value) => JsonSerializer.SerializeToElement(value);

    public static JsonElement ToElement(double value) => JsonSerializer.SerializeToElement(value, Options);

    private static string? ExpectedFromInner(Exception? inner) => inner?.Message switch
    {
        null => null,
        var m when m.Contains("Int32", StringComparison.Ordinal) || m.Contains("Int64", StringComparison.Ordinal) => "an integer",
        var m when m.Contains("as a number", StringComparison.Ordinal) || m.Contains("Double", StringComparison.Ordinal) => "a number",
        var m when m.Contains("as a string", StringComparison.Ordinal) => "a string",
        var m when m.Contains("as a boolean", StringComparison.Ordinal) => "true or false",
        _ => null,
    };

    private static string Expected(string typeName) => typeName switch
    {
        _ when typeName.Contains("Int32", StringComparison.Ordinal) || typeName.Contains("Int64", StringComparison.Ordinal) => "an integer",
        _ when typeName.Contains("Double", StringComparison.Ordinal) => "a number",
        _ when typeName.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ when typeName.StartsWith("System.Collections.Generic.List", StringComparison.Ordinal) => "an array",
        _ when typeName.StartsWith("System.Collections.Generic.Dictionary", StringComparison.Ordinal) => "an object",
        "System.String" => "a string",
        _ => "an object",
    };

    private static string Describe(Type type) => type.IsGenericType ? "a list or object" : type.Name;
}
