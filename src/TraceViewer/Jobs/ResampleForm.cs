using System.Globalization;

namespace TraceViewer.Jobs;

/// <summary>
/// The trace page's resample form as posted (every field as text), turned into a <see cref="JobRequest"/>. Fields that
/// are not numbers are reported by name; the rest of the validation is <see cref="JobService"/>'s.
/// </summary>
internal sealed record ResampleFormInput(
    string? From, string? To, string? N, string? Provider, string? Model, string? Temperature, string? TopP, string? MaxTokens)
{
    public (JobRequest? Request, Dictionary<string, string[]> Errors) ToRequest(int traceId)
    {
        var errors = new Dictionary<string, string[]>();
        var from = Integer(From, "from", errors);
        var to = Integer(To, "to", errors);
        var n = Integer(N, "n", errors);
        var temperature = Number(Temperature, "temperature", errors);
        var topP = Number(TopP, "topP", errors);
        var maxTokens = Integer(MaxTokens, "maxTokens", errors);
        if (n is null && !errors.ContainsKey("n"))
        {
            errors["n"] = [JobRules.N(null)!];
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new JobRequest
        {
            Kind = nameof(JobKind.Resample),
            TraceId = traceId,
            Positions = from is null && to is null ? null : new PositionRange(from, to),
            N = n!.Value,
            Provider = Blank(Provider),
            Model = Blank(Model),
            Temperature = temperature,
            TopP = topP,
            MaxTokens = maxTokens,
        }, errors);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static int? Integer(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (Blank(text) is not { } value)
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        errors[field] = [$"{field} must be a whole number."];
        return null;
    }

    private static double? Number(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (Blank(text) is not { } value)
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed))
        {
            return parsed;
        }

        errors[field] = [$"{field} must be a number."];
        return null;
    }
}
