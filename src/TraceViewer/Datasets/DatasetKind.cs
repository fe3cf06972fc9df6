using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace TraceViewer.Datasets;

/// <summary>
/// A dataset's study family. The app reads and writes the named ones below; the set is open, because a TraceViewer
/// export may name any other, which is kept as it is. Stored and written as its text (<see cref="Name"/>).
/// </summary>
[JsonConverter(typeof(DatasetKindJsonConverter))]
public readonly record struct DatasetKind
{
    private readonly string? _name;

    /// <summary>A kind by its text, one of the named ones or any other an export brings.</summary>
    public DatasetKind(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        _name = name;
    }

    public static DatasetKind Math { get; } = new("math");

    public static DatasetKind Blackmail { get; } = new("blackmail");

    public static DatasetKind Whistleblowing { get; } = new("whistleblowing");

    public static DatasetKind AlignmentFaking { get; } = new("alignment-faking");

    public static DatasetKind Custom { get; } = new("custom");

    /// <summary>The kinds this app names itself.</summary>
    public static IReadOnlyList<DatasetKind> Named { get; } = [Math, Blackmail, Whistleblowing, AlignmentFaking, Custom];

    /// <summary>The stored text; empty for a kind never set.</summary>
    public string Name => _name ?? "";

    /// <summary>Whether this app names the kind (an export may bring others).</summary>
    public bool IsNamed => Named.Contains(this);

    public override string ToString() => Name;

    /// <summary>Stores the kind as its text, so the column and its values are what they were when it was a string.</summary>
    internal static readonly ValueConverter<DatasetKind, string> Converter = new(k => k.Name, s => new DatasetKind(s));
}

/// <summary>Writes and reads a dataset kind as its text.</summary>
public sealed class DatasetKindJsonConverter : JsonConverter<DatasetKind>
{
    public override DatasetKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? new DatasetKind(reader.GetString()!)
            : throw new Data.UnknownValueException($"wrong type: expected a string, found {(reader.TokenType == JsonTokenType.Null ? "null" : reader.TokenType.ToString().ToLowerInvariant())}");

    public override void Write(Utf8JsonWriter writer, DatasetKind value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name);
}
