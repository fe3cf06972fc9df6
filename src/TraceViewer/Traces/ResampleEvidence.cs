using System.Globalization;
using System.Text.Json;
using TraceViewer.Judging;
using TraceViewer.Web;

namespace TraceViewer.Traces;

/// <summary>Reads what is stored with a resample and its judge labels into the views a researcher checks a label with.</summary>
internal static class ResampleEvidence
{
    /// <summary>
    /// The resample's source from its origin and metadata: a generated resample's metadata names the job, provider and
    /// model; every other property is kept as text. Metadata that is not a JSON object is shown whole under "metadata".
    /// </summary>
    public static ResampleSource Source(Resampling.ResampleOrigin origin, DateTimeOffset createdAt, string? metadata, int? promptTokens, int? completionTokens)
    {
        long? jobId = null;
        string? provider = null, model = null;
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(metadata))
        {
            try
            {
                using var json = JsonDocument.Parse(metadata);
                if (json.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in json.RootElement.EnumerateObject())
                    {
                        var value = property.Value;
                        switch (property.Name)
                        {
                            case "jobId" when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var id):
                                jobId = id;
                                break;
                            case "provider" when value.ValueKind == JsonValueKind.String:
                                provider = value.GetString();
                                break;
                            case "model" when value.ValueKind == JsonValueKind.String:
                                model = value.GetString();
                                break;
                            default:
                                if (value.ValueKind != JsonValueKind.Null)
                                {
                                    parameters[property.Name] = Text(value);
                                }

                                break;
                        }
                    }
                }
                else
                {
                    parameters["metadata"] = metadata;
                }
            }
            catch (JsonException)
            {
                parameters["metadata"] = metadata;
            }
        }

        return new ResampleSource(origin, createdAt, jobId, provider, model, parameters, promptTokens, completionTokens);
    }

    /// <summary>One stored judge label with its votes read back; votes that cannot be read are kept verbatim.</summary>
    public static JudgeEvidence Judgement(
        long id, string classifier, string? version, string? promptHash, double? score, double? threshold, bool? label, DateTimeOffset createdAt, string? votes,
        bool? thresholdInclusive = null, double? maxFailedShare = null)
    {
        IReadOnlyList<JudgeVoteView> read = [];
        string? unreadable = null;
        if (!string.IsNullOrWhiteSpace(votes))
        {
            try
            {
                read = [.. JudgeVote.FromJson(votes).Select(v => new JudgeVoteView(v.Raw ?? "", v.Criteria, v.Verdict, v.Failure))];
            }
            catch (JsonException)
            {
                unreadable = votes;
            }
        }

        var builtIn = JudgeClassifiers.Find(classifier);
        IReadOnlyList<string>? keys = builtIn is not null && builtIn.Version == version && builtIn.PromptHash == promptHash
            ? [.. builtIn.Criteria.Select(c => c.Key)]
            : null;
        return new JudgeEvidence(id, classifier, version, promptHash, FiniteNumbers.OrNull(score), FiniteNumbers.OrNull(threshold), label, createdAt, keys, read, unreadable)
        {
            ThresholdInclusive = thresholdInclusive,
            MaxFailedShare = FiniteNumbers.OrNull(maxFailedShare),
        };
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Number => value.TryGetDouble(out var d) ? d.ToString("G", CultureInfo.InvariantCulture) : value.GetRawText(),
        _ => value.GetRawText(),
    };
}
