using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace TraceViewer.Tagging;

/// <summary>
/// One model call of a tag job: the raw reply (kept whatever happens), the taxonomy's tags it named, the names it gave
/// that are not tags of the taxonomy (recorded and ignored), or why it gave none (no <c>TAGS:</c> line, a failed call).
/// <see cref="TagVoteRecord.Votes"/> stores a JSON array of these:
/// <c>[{"raw":"…","tags":["Planning"],"unknown":["Pondering"],"failure":null}, …]</c>.
/// </summary>
internal sealed partial record TagVote(
    [property: JsonPropertyName("raw")] string Raw,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags,
    [property: JsonPropertyName("unknown")] IReadOnlyList<string> Unknown,
    [property: JsonPropertyName("failure")] string? Failure)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        // Stored, not embedded in HTML: keep replies readable in the database.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [JsonIgnore]
    public bool Failed => Failure is not null;

    /// <summary>
    /// Reads the last line of the form <c>TAGS: a, b</c> (case and surrounding markdown ignored; commas or semicolons
    /// between names; <c>none</c> or nothing for no tag). Names match the taxonomy's case-insensitively and are stored
    /// as the taxonomy spells them, in its order; any other name goes to <see cref="Unknown"/>.
    /// </summary>
    public static TagVote FromReply(string? reply, IReadOnlyList<string> tagNames)
    {
        ArgumentNullException.ThrowIfNull(tagNames);
        var raw = reply ?? "";
        var line = raw.Split('\n').Select(l => TagsLine().Match(l)).LastOrDefault(m => m.Success);
        if (line is null)
        {
            return new TagVote(raw, [], [], "The reply has no \"TAGS:\" line.");
        }

        var named = new HashSet<string>(StringComparer.Ordinal);
        var unknown = new List<string>();
        foreach (var part in line.Groups["names"].Value.Split([',', ';']))
        {
            var name = part.Trim().Trim('*', '`', '"', '\'', '[', ']', '.', ' ');
            if (name.Length == 0 || name.Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var tag = tagNames.FirstOrDefault(t => string.Equals(t, name, StringComparison.OrdinalIgnoreCase));
            if (tag is not null)
            {
                named.Add(tag);
            }
            else if (!unknown.Contains(name, StringComparer.Ordinal))
            {
                unknown.Add(name);
            }
        }

        return new TagVote(raw, [.. tagNames.Where(named.Contains)], unknown, null);
    }

    /// <summary>A call that gave no usable reply (failed for good, or on the item's last attempt).</summary>
    public static TagVote CallFailed(string reason) => new("", [], [], reason);

    public static string ToJson(IEnumerable<TagVote> votes) => JsonSerializer.Serialize(votes.ToList(), JsonOptions);

    public static IReadOnlyList<TagVote> FromJson(string json) =>
        JsonSerializer.Deserialize<List<TagVote>>(json, JsonOptions) ?? throw new JsonException("The votes JSON is null.");

    [GeneratedRegex(@"^[\s*_#>`-]*TAGS[\s*_`]*:(?<names>.*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TagsLine();
}

/// <summary>Turns a sentence's votes into the tags the model annotator gives it (pure).</summary>
internal static class TagAggregator
{
    /// <summary>
    /// Multi-choice: every tag named by more than half of all votes (failed votes count as naming nothing).
    /// Single-choice: the tag named by the most votes, none when two or more tie for the most or no vote names one.
    /// Tags come back in the taxonomy's order.
    /// </summary>
    public static IReadOnlyList<string> Aggregate(IReadOnlyList<string> tagNames, bool multiChoice, IReadOnlyList<TagVote> votes)
    {
        ArgumentNullException.ThrowIfNull(tagNames);
        ArgumentNullException.ThrowIfNull(votes);
        var counts = tagNames.ToDictionary(t => t, t => votes.Count(v => v.Tags.Contains(t, StringComparer.Ordinal)), StringComparer.Ordinal);
        if (multiChoice)
        {
            return [.. tagNames.Where(t => counts[t] * 2 > votes.Count)];
        }

        var most = counts.Values.DefaultIfEmpty(0).Max();
        var leaders = tagNames.Where(t => counts[t] == most).ToList();
        return most > 0 && leaders.Count == 1 ? leaders : [];
    }
}
