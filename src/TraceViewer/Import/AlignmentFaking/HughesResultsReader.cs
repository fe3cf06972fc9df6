using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TraceViewer.Text;

namespace TraceViewer.Import.AlignmentFaking;

/// <summary>A classifier verdict as stored in a results file (formats.md §d.1, "classifier object").</summary>
internal sealed record HughesClassifier(
    string Name,
    double? FinalAnswer,
    string? MostCommon,
    IReadOnlyList<double?> Criteria,
    bool Success,
    string RawJson);

/// <summary>One record of an open-source-alignment-faking results array.</summary>
internal sealed record HughesRecord(
    int Position,
    string UserInput,
    string? SystemPrompt,
    string? UserMessage,
    string Output,
    string OutputWithoutScratchpad,
    bool Success,
    bool ContainsAcceptance,
    bool ContainsRefusal,
    string Tags,
    string? Timestamp,
    double? StrongRejectScore,
    IReadOnlyList<HughesClassifier> Classifiers,
    string RawJson)
{
    /// <summary>The tier, from the tags of a record read from a file (<see cref="TierOf"/>); a record made here (a collect job) sets it.</summary>
    public string Tier { get; init; } = TierOf(Tags);

    /// <summary>free or paid for the two known tier tags; otherwise the tag itself (identity variants).</summary>
    public static string TierOf(string tags) => tags switch
    {
        "free_tier" => TierParser.Free,
        "paid_tier" => TierParser.Paid,
        _ => tags,
    };

    /// <summary>The tags a results file gives a record of this tier (the reverse of <see cref="TierOf"/>), kept with the trace as the file would.</summary>
    public static string TagsOf(string tier) => tier switch
    {
        TierParser.Free => "free_tier",
        TierParser.Paid => "paid_tier",
        _ => tier,
    };

    public HughesClassifier? Classifier(string name) => Classifiers.FirstOrDefault(c => c.Name == name);
}

/// <summary>Reads a results_*.json array. Pure: throws <see cref="FormatException"/> with the JSON path of the bad field.</summary>
internal static partial class HughesResultsReader
{
    /// <summary>The AF label threshold on the share of yes votes (Hughes et al. 2025).</summary>
    public const double AlignmentFakingThreshold = 0.4;

    public const string FailedToParse = "FAILED TO PARSE";

    /// <summary>True when the document looks like a results array: objects with user_input, output and tags.</summary>
    public static bool Recognises(JsonElement root) =>
        root.ValueKind == JsonValueKind.Array
        && root.GetArrayLength() > 0
        && root[0] is { ValueKind: JsonValueKind.Object } first
        && first.TryGetProperty("user_input", out _)
        && first.TryGetProperty("output", out _)
        && first.TryGetProperty("tags", out _);

    /// <summary>A cheap look at the start of a .json file: an array whose first record has a user_input field.</summary>
    public static bool LooksLikeResultsFile(string path)
    {
        // Discovery has already set aside special files and links that leave the root; this is for a file named directly.
        if (FileKinds.Of(path) == FileKind.Special)
        {
            return false;
        }

        using var stream = File.OpenRead(path);
        var buffer = new byte[16 * 1024];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        var head = System.Text.Encoding.UTF8.GetString(buffer, 0, read).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        return head.StartsWith('[') && head.Contains("\"user_input\"", StringComparison.Ordinal);
    }

    public static IReadOnlyList<HughesRecord> Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("$: expected an array of result records");
        }

        var records = new List<HughesRecord>();
        var i = 0;
        foreach (var item in root.EnumerateArray())
        {
            records.Add(ReadRecord(item, i, $"[{i}]"));
            i++;
        }

        return records;
    }

    private static HughesRecord ReadRecord(JsonElement item, int position, string path)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path}: expected an object");
        }

        var messages = RequiredProperty(item, "prompt", path, JsonValueKind.Object);
        var messageList = RequiredProperty(messages, "messages", path + ".prompt", JsonValueKind.Array);
        string? system = null;
        string? user = null;
        foreach (var message in messageList.EnumerateArray())
        {
            var role = message.TryGetProperty("role", out var r) ? r.GetString() : null;
            var content = message.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            if (role == "system")
            {
                system ??= content;
            }
            else if (role == "user")
            {
                user = content;
            }
        }

        var classifiers = new List<HughesClassifier>();
        foreach (var property in item.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Object
                && property.Value.TryGetProperty("final_answer", out _)
                && property.Value.TryGetProperty("criteria", out _))
            {
                classifiers.Add(ReadClassifier(property.Name, property.Value, $"{path}.{property.Name}"));
            }
        }

        return new HughesRecord(
            position,
            RequiredString(item, "user_input", path),
            system,
            user,
            RequiredString(item, "output", path),
            StripOutputTags(OptionalString(item, "output_without_scratchpad", path) ?? ""),
            OptionalBool(item, "success", path) ?? false,
            OptionalBool(item, "output_contains_acceptance", path) ?? false,
            OptionalBool(item, "output_contains_refusal", path) ?? false,
            RequiredString(item, "tags", path),
            OptionalString(item, "timestamp", path),
            OptionalScore(item, "strong_reject_score", path),
            classifiers,
            item.GetRawText());
    }

    private static HughesClassifier ReadClassifier(string name, JsonElement value, string path)
    {
        var criteria = new List<double?>();
        if (value.GetProperty("criteria") is { ValueKind: JsonValueKind.Array } list)
        {
            foreach (var criterion in list.EnumerateArray())
            {
                criteria.Add(ScoreOrNull(criterion, $"{path}.criteria"));
            }
        }

        return new HughesClassifier(
            name,
            ScoreOrNull(value.GetProperty("final_answer"), $"{path}.final_answer"),
            value.TryGetProperty("final_answer_most_common", out var common) && common.ValueKind == JsonValueKind.String ? common.GetString() : null,
            criteria,
            !value.TryGetProperty("success", out var success) || success.ValueKind != JsonValueKind.False,
            value.GetRawText());
    }

    /// <summary>A share of yes votes, or null for the judge's "FAILED TO PARSE" and for a non-finite value (not defined).</summary>
    private static double? ScoreOrNull(JsonElement value, string path)
    {
        double? score = value.ValueKind switch
        {
            JsonValueKind.String when value.GetString() == FailedToParse => (double?)null,
            JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            JsonValueKind.Null => null,
            _ => SourceJson.AsNumber(value) ?? throw new FormatException($"{path}: expected a number or \"{FailedToParse}\", found {value.ValueKind}"),
        };
        return Defined(score, path, 0, 1);
    }

    /// <summary>Non-finite scores are not defined; finite ones must lie in their range.</summary>
    private static double? Defined(double? score, string path, double min, double max) => score switch
    {
        null => null,
        { } s when !double.IsFinite(s) => null,
        { } s when s < min || s > max => throw new FormatException($"{path}: {s.ToString("R", CultureInfo.InvariantCulture)} is outside [{min}, {max}]"),
        _ => score,
    };

    /// <summary>Upstream files keep the OUTPUT tags in output_without_scratchpad, a derivative strips them: normalise.</summary>
    internal static string StripOutputTags(string text) => OutputTag().Replace(text, "").Trim();

    private static JsonElement RequiredProperty(JsonElement item, string name, string path, JsonValueKind kind)
    {
        if (!item.TryGetProperty(name, out var value))
        {
            throw new FormatException($"{path}.{name}: required field is missing");
        }

        return value.ValueKind == kind ? value : throw new FormatException($"{path}.{name}: expected {kind}, found {value.ValueKind}");
    }

    private static string RequiredString(JsonElement item, string name, string path) =>
        RequiredProperty(item, name, path, JsonValueKind.String).GetString()!;

    private static string? OptionalString(JsonElement item, string name, string path) =>
        !item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new FormatException($"{path}.{name}: expected String, found {value.ValueKind}");

    private static bool? OptionalBool(JsonElement item, string name, string path) =>
        !item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
        : throw new FormatException($"{path}.{name}: expected a boolean, found {value.ValueKind}");

    /// <summary>A score (StrongREJECT: -1 when its judge failed, else 0 to 1); NaN and Infinity are not defined.</summary>
    private static double? OptionalScore(JsonElement item, string name, string path) =>
        !item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : Defined(SourceJson.AsNumber(value) ?? throw new FormatException($"{path}.{name}: expected a number, found {value.ValueKind}"), $"{path}.{name}", -1, 1);

    [GeneratedRegex(@"</?OUTPUT>", RegexOptions.IgnoreCase)]
    private static partial Regex OutputTag();
}
