using System.Text.Json;
using System.Text.Json.Serialization;

namespace TraceViewer.Judging;

/// <summary>
/// One judge call: the raw reply (kept whatever happens), the parsed per-criterion answers and the vote's verdict,
/// or the failure (parse failure or a call that never returned a reply). The JSON array of these is what
/// <see cref="JudgeLabel.Votes"/> stores:
/// <c>[{"raw":"…","criteria":[true,false,…],"verdict":false,"failure":null}, …]</c>.
/// </summary>
internal sealed record JudgeVote(
    [property: JsonPropertyName("raw")] string Raw,
    [property: JsonPropertyName("criteria")] IReadOnlyList<bool>? Criteria,
    [property: JsonPropertyName("verdict")] bool? Verdict,
    [property: JsonPropertyName("failure")] string? Failure)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        // Judge replies are stored, not embedded in HTML; keep them readable (quotes, <tags>) in the database.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [JsonIgnore]
    public bool Failed => Failure is not null;

    /// <summary>Parses a reply with the judge's criteria count and decides the vote by its required criteria.</summary>
    public static JudgeVote FromReply(JudgeClassifier classifier, string? reply)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        var parse = JudgeReplyParser.Parse(reply, classifier.Criteria.Count);
        return parse.Criteria is { } criteria
            ? new JudgeVote(reply ?? "", criteria, classifier.Verdict(criteria), null)
            : new JudgeVote(reply ?? "", null, null, parse.Failure);
    }

    /// <summary>A call that produced no usable reply (the request failed for good, the response was cut off ...).</summary>
    public static JudgeVote CallFailed(string reason, string? raw = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new JudgeVote(raw ?? "", null, null, reason);
    }

    public static string ToJson(IEnumerable<JudgeVote> votes) => JsonSerializer.Serialize(votes.ToList(), JsonOptions);

    public static IReadOnlyList<JudgeVote> FromJson(string json) =>
        JsonSerializer.Deserialize<List<JudgeVote>>(json, JsonOptions) ?? throw new JsonException("The votes JSON is null.");
}
