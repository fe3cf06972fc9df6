using System.Text.Json;
using System.Text.Json.Serialization;

namespace TraceViewer.Import;

// Shapes of the Thought Anchors / thought-branches files (formats.md §a-§c). Every field is nullable so a
// missing required field is reported by name by the reader; unknown keys land in Extra as passthrough.

internal sealed class BaseSolutionFile
{
    public string? Prompt { get; set; }

    public string? Solution { get; set; }

    public string? Error { get; set; }

    /// <summary>Redundant (prompt + solution); skipped rather than stored.</summary>
    public SkippedValue? FullCot { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement> Extra { get; set; } = [];
}

internal sealed class ChunksFile
{
    public List<string>? Chunks { get; set; }

    public List<string>? Separators { get; set; }

    /// <summary>A copy of the base full_cot.</summary>
    public SkippedValue? SourceText { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement> Extra { get; set; } = [];
}

internal sealed class LabeledChunk
{
    public string? Chunk { get; set; }

    public int? ChunkIdx { get; set; }

    public List<string>? FunctionTags { get; set; }

    public List<JsonElement>? DependsOn { get; set; }

    public string? Summary { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement> Extra { get; set; } = [];
}

internal sealed class StepImportance
{
    public int? SourceChunkIdx { get; set; }

    public string? SourceChunkText { get; set; }

    public List<TargetImpact>? TargetImpacts { get; set; }
}

internal sealed class TargetImpact
{
    public int? TargetChunkIdx { get; set; }

    public double? ImportanceScore { get; set; }
}

internal sealed class SolutionRecord
{
    public string? ChunkResampled { get; set; }

    public string? Rollout { get; set; }

    public string? Answer { get; set; }

    public string? Error { get; set; }

    // Large redundant copies (§a.6): the prefix is rebuilt from the sentences, full_cot is prompt + rollout.
    public SkippedValue? ChunkRemoved { get; set; }

    public SkippedValue? PrefixWithoutChunk { get; set; }

    public SkippedValue? FullCot { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement> Extra { get; set; } = [];
}

/// <summary>A value that is read past without being materialised.</summary>
[JsonConverter(typeof(SkippedValueConverter))]
internal readonly record struct SkippedValue;

internal sealed class SkippedValueConverter : JsonConverter<SkippedValue>
{
    public override SkippedValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        reader.Skip();
        return default;
    }

    public override void Write(Utf8JsonWriter writer, SkippedValue value, JsonSerializerOptions options) => writer.WriteNullValue();
}
