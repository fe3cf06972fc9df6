using System.Text.Json;

namespace TraceViewer.Import;

/// <summary>
/// A step-importance file (step_importance.json, step_importance_supp.json: formats.md §c.5) read straight from its
/// bytes with <see cref="Utf8JsonReader"/> into two flat lists, without an object per step or per target. Only the
/// shape the files have is taken: an array of objects with an integer <c>source_chunk_idx</c>, an optional string
/// <c>source_chunk_text</c> and an optional array <c>target_impacts</c> of objects with an integer
/// <c>target_chunk_idx</c> and a number <c>importance_score</c>; other members are skipped, as the serialiser skips
/// them. Anything else (a null, a missing or repeated member, a string where a number is, a number that is not an
/// integer) gives null, and the file is read by the serialiser into <see cref="StepImportance"/> records, whose errors
/// name the field as before.
/// </summary>
internal sealed class StepImportanceRows
{
    public readonly record struct Step(int Source, string? SourceText, int FirstTarget, int TargetCount);

    public readonly record struct Target(int Index, double Score);

    public List<Step> Steps { get; } = [];

    public List<Target> Targets { get; } = [];

    public static StepImportanceRows? TryRead(ReadOnlySpan<byte> json)
    {
        // The bytes were already read through once by the limits' check: they are one valid JSON value.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 1024 });
        try
        {
            return Read(ref reader);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static StepImportanceRows? Read(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return null;
        }

        var rows = new StepImportanceRows();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            int? source = null;
            string? text = null;
            bool hasText = false, hasTargets = false;
            var first = rows.Targets.Count;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                if (reader.ValueTextEquals("source_chunk_idx"u8))
                {
                    if (source is not null || !ReadInt(ref reader, out var value))
                    {
                        return null;
                    }

                    source = value;
                }
                else if (reader.ValueTextEquals("source_chunk_text"u8))
                {
                    if (hasText || !reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return null;
                    }

                    hasText = true;
                    text = reader.GetString();
                }
                else if (reader.ValueTextEquals("target_impacts"u8))
                {
                    if (hasTargets || !ReadTargets(ref reader, rows.Targets))
                    {
                        return null;
                    }

                    hasTargets = true;
                }
                else
                {
                    reader.Skip();
                }
            }

            if (source is not { } from)
            {
                return null;
            }

            rows.Steps.Add(new Step(from, text, first, rows.Targets.Count - first));
        }

        return rows;
    }

    private static bool ReadTargets(ref Utf8JsonReader reader, List<Target> targets)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            int? index = null;
            double? score = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                if (reader.ValueTextEquals("target_chunk_idx"u8))
                {
                    if (index is not null || !ReadInt(ref reader, out var value))
                    {
                        return false;
                    }

                    index = value;
                }
                else if (reader.ValueTextEquals("importance_score"u8))
                {
                    // A number only, read as the serialiser reads it; the named literals ("NaN") are left to it.
                    if (score is not null || !reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var value))
                    {
                        return false;
                    }

                    score = value;
                }
                else
                {
                    reader.Skip();
                }
            }

            if (index is not { } to || score is not { } s)
            {
                return false;
            }

            targets.Add(new Target(to, s));
        }

        return true;
    }

    private static bool ReadInt(ref Utf8JsonReader reader, out int value)
    {
        value = 0;
        return reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out value);
    }
}
