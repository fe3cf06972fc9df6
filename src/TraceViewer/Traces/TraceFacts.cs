using System.Globalization;
using System.Text.Json;

namespace TraceViewer.Traces;

/// <summary>
/// What an imported source says about the problem and the base response, read from the trace's stored metadata:
/// the ground-truth answer (MATH's <c>gt_answer</c>), the base response's extracted answer, and the problem's type and
/// level. Any of them may be missing.
/// </summary>
public sealed record TraceFacts(string? GroundTruth, string? BaseAnswer, string? ProblemType, string? Level)
{
    public bool IsEmpty => GroundTruth is null && BaseAnswer is null && ProblemType is null && Level is null;

    /// <summary>Reads the facts from the metadata JSON the importers store; malformed or foreign metadata gives none.</summary>
    public static TraceFacts? FromMetadata(string? metadata)
    {
        if (string.IsNullOrWhiteSpace(metadata))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(metadata);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var problem = Member(root, "problem");
            var baseSolution = Member(root, "base_solution");
            var facts = new TraceFacts(
                Text(Member(problem, "gt_answer")),
                Text(Member(baseSolution, "answer")),
                Text(Member(problem, "type")),
                Text(Member(problem, "level")));
            return facts.IsEmpty ? null : facts;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonElement? Member(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) ? value : null;

    private static string? Text(JsonElement? element) => element switch
    {
        { ValueKind: JsonValueKind.String } e when !string.IsNullOrWhiteSpace(e.GetString()) => e.GetString(),
        { ValueKind: JsonValueKind.Number } e => e.GetRawText(),
        { ValueKind: JsonValueKind.True } => "true",
        { ValueKind: JsonValueKind.False } => "false",
        _ => null,
    } is { } text ? text.ToString(CultureInfo.InvariantCulture) : null;
}
