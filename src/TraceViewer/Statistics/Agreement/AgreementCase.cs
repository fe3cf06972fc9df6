using System.Text.Json;
using System.Text.Json.Serialization;

namespace TraceViewer.Statistics.Agreement;

/// <summary>
/// Agreement values under the names of shared/conformance/agreement.json; null is undefined. Fleiss' kappa is
/// absent for fewer than three annotators, intervals only when a bootstrap was asked for.
/// </summary>
internal sealed record AgreementValues(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("pairwise")] IReadOnlyList<PairwiseValues> Pairwise,
    [property: JsonPropertyName("fleiss"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FleissValues? Fleiss,
    [property: JsonPropertyName("krippendorff_alpha_nominal")] AlphaValues KrippendorffAlphaNominal)
{
    public static AgreementValues From(string? name, AgreementReport report) => new(
        name,
        [.. report.Pairwise.Select(p => new PairwiseValues(
            p.A, p.B, p.N, p.ObservedAgreement, p.CohenKappa, p.Confusion,
            IntervalValues.From(p.ObservedAgreementInterval), IntervalValues.From(p.CohenKappaInterval)))],
        report.Fleiss is { } f ? new FleissValues([.. f.Items], f.N, f.Kappa, IntervalValues.From(f.KappaInterval)) : null,
        new AlphaValues(report.Krippendorff.Items, report.Krippendorff.Alpha, IntervalValues.From(report.Krippendorff.AlphaInterval)));
}

internal sealed record PairwiseValues(
    [property: JsonPropertyName("a")] string A,
    [property: JsonPropertyName("b")] string B,
    [property: JsonPropertyName("n")] int N,
    [property: JsonPropertyName("observed_agreement")] double? ObservedAgreement,
    [property: JsonPropertyName("cohen_kappa")] double? CohenKappa,
    [property: JsonPropertyName("confusion")] int[][] Confusion,
    [property: JsonPropertyName("observed_agreement_interval"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    IntervalValues? ObservedAgreementInterval = null,
    [property: JsonPropertyName("cohen_kappa_interval"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    IntervalValues? CohenKappaInterval = null);

internal sealed record FleissValues(
    [property: JsonPropertyName("items")] IReadOnlyList<string> Items,
    [property: JsonPropertyName("n")] int N,
    [property: JsonPropertyName("fleiss_kappa")] double? FleissKappa,
    [property: JsonPropertyName("fleiss_kappa_interval"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    IntervalValues? FleissKappaInterval = null);

internal sealed record AlphaValues(
    [property: JsonPropertyName("n_items")] int NItems,
    [property: JsonPropertyName("alpha")] double? Alpha,
    [property: JsonPropertyName("alpha_interval"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    IntervalValues? AlphaInterval = null);

/// <summary>A bootstrap interval as printed: low and high are null when no replicate was defined.</summary>
internal sealed record IntervalValues(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("confidence")] double Confidence,
    [property: JsonPropertyName("low")] double? Low,
    [property: JsonPropertyName("high")] double? High,
    [property: JsonPropertyName("replicates")] int Replicates,
    [property: JsonPropertyName("undefined_replicates")] int UndefinedReplicates)
{
    public static IntervalValues? From(BootstrapInterval? interval) => interval is null
        ? null
        : new(interval.Method, interval.Confidence, interval.Range?.Low, interval.Range?.High, interval.Replicates, interval.UndefinedReplicates);
}

/// <summary>
/// A case of shared/conformance/agreement.json: categories, ratings <c>{annotator, item, label}</c> and,
/// in the conformance file, the expected values (null where the file gives none).
/// </summary>
internal sealed record AgreementCase(
    string? Name,
    IReadOnlyList<string> Categories,
    IReadOnlyList<Rating> Ratings,
    IReadOnlyList<PairwiseValues>? ExpectedPairwise,
    FleissValues? ExpectedFleiss,
    AlphaValues? ExpectedAlpha)
{
    public AgreementReport Compute(BootstrapOptions? bootstrap = null) =>
        AgreementAnalysis.Compute(RatingTable.Create(Categories, Ratings), bootstrap);

    public AgreementValues ComputeValues(BootstrapOptions? bootstrap = null) => AgreementValues.From(Name, Compute(bootstrap));

    /// <summary>Reads one case, or every case of a file with a <c>cases</c> array (then <paramref name="isCollection"/> is true).</summary>
    /// <exception cref="JsonException">The text is not JSON of this shape.</exception>
    /// <exception cref="InvalidDataException">A case lacks its categories or ratings, or a rating is invalid; the message names it.</exception>
    public static IReadOnlyList<AgreementCase> Parse(string json, out bool isCollection)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        isCollection = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("cases", out _);
        if (!isCollection)
        {
            return [Read(root, "the case")];
        }

        var cases = root.GetProperty("cases");
        if (cases.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("\"cases\" is not an array");
        }

        return [.. cases.EnumerateArray().Select((element, i) => Read(element, $"cases[{i}]"))];
    }

    private static AgreementCase Read(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{where} is not an object");
        }

        var file = element.Deserialize<CaseFile>(JsonSerializerOptions.Web) ?? throw new InvalidDataException($"{where} is null");
        var label = file.Name is null ? where : $"{where} (\"{file.Name}\")";
        var categories = file.Categories ?? throw new InvalidDataException($"{label}: missing \"categories\"");
        var ratings = file.Ratings ?? throw new InvalidDataException($"{label}: missing \"ratings\"");
        try
        {
            // Validates the ratings now, so a bad file fails before anything is printed.
            RatingTable.Create(categories, ratings);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{label}: {e.Message}", e);
        }

        return new AgreementCase(file.Name, categories, ratings, file.Pairwise, file.Fleiss, file.KrippendorffAlphaNominal);
    }

    private sealed record CaseFile(
        [property: JsonPropertyName("name")] string? Name,
        [property: JsonPropertyName("categories")] List<string>? Categories,
        [property: JsonPropertyName("ratings")] List<Rating>? Ratings,
        [property: JsonPropertyName("pairwise")] List<PairwiseValues>? Pairwise,
        [property: JsonPropertyName("fleiss")] FleissValues? Fleiss,
        [property: JsonPropertyName("krippendorff_alpha_nominal")] AlphaValues? KrippendorffAlphaNominal);
}
