using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TraceViewer.Collect;

namespace TraceViewer.Kinds;

/// <summary>Query string of the page and the API: repeat <c>dataset</c> for several datasets.</summary>
internal sealed record KindsQuery(
    [FromQuery(Name = "dataset")] string[]? Dataset = null,
    [FromQuery(Name = "outcome")] string? Outcome = null,
    [FromQuery(Name = "effect")] string? Effect = null,
    [FromQuery(Name = "taxonomy")] string? Taxonomy = null,
    [FromQuery(Name = "layer")] string? Layer = null,
    [FromQuery(Name = "k")] int? K = null)
{
    public KindsRequest ToRequest() => new(Dataset ?? [], Outcome, Effect, Taxonomy, Layer, K);
}

/// <summary><c>GET /api/kinds</c>: the page's numbers as JSON; <c>GET /api/kinds.csv</c>: its table as CSV.</summary>
internal static class KindsApi
{
    public static IEndpointRouteBuilder MapKindsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Kinds");
        api.MapGet("/kinds", GetAsync)
            .WithName("GetKinds")
            .WithSummary("Which kinds of sentences matter: per tag of a taxonomy, the mean signed and absolute effect of its sentences on an outcome "
                + "with 95% percentile bootstrap intervals over traces, counts, the share of each trace's top-k sentences carrying it, and the same for "
                + "the annotated sentences without it. Repeat dataset for several; layer is everyone, consensus or an annotator as Kind:id.");
        api.MapGet("/kinds.csv", GetCsvAsync)
            .WithName("GetKindsCsv")
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .WithSummary("The same numbers as GET /api/kinds, one row per tag, as CSV.");
        return app;
    }

    internal static async Task<Ok<KindsView>> GetAsync([AsParameters] KindsQuery query, KindsQueries queries, CancellationToken ct) =>
        TypedResults.Ok(await queries.LoadAsync(query.ToRequest(), ct));

    internal static async Task<FileContentHttpResult> GetCsvAsync([AsParameters] KindsQuery query, KindsQueries queries, CancellationToken ct)
    {
        var view = await queries.LoadAsync(query.ToRequest(), ct);
        var name = $"kinds-{view.Selection.Outcome ?? "none"}-{view.Selection.Effect}.csv";
        return TypedResults.File(Encoding.UTF8.GetBytes(KindsCsv.Write(view)), "text/csv; charset=utf-8", name);
    }
}

/// <summary>The table as CSV: one row per tag, numbers in invariant culture, undefined values empty.</summary>
internal static class KindsCsv
{
    public static readonly string[] Header =
    [
        "taxonomy", "tag", "outcome", "effect", "layer", "k",
        "sentences", "traces",
        "mean_signed", "mean_signed_low", "mean_signed_high",
        "mean_absolute", "mean_absolute_low", "mean_absolute_high",
        "top_k_share", "top_k_share_low", "top_k_share_high",
        "share", "share_low", "share_high",
        "untagged_sentences", "untagged_traces",
        "untagged_mean_signed", "untagged_mean_signed_low", "untagged_mean_signed_high",
        "untagged_mean_absolute", "untagged_mean_absolute_low", "untagged_mean_absolute_high",
        "signed_difference", "signed_difference_low", "signed_difference_high",
        "absolute_difference", "absolute_difference_low", "absolute_difference_high",
    ];

    public static string Write(KindsView view)
    {
        var s = view.Selection;
        var records = new List<IReadOnlyList<string>> { Header };
        foreach (var row in view.Rows)
        {
            var cells = new List<string>
            {
                s.Taxonomy ?? "", row.Tag, s.Outcome ?? "", s.Effect, s.Layer, Int(s.TopK),
                Int(row.Tagged.Sentences), Int(row.Tagged.Traces),
            };
            Add(cells, row.Tagged.MeanSigned, row.Tagged.MeanAbsolute, row.Tagged.TopKShare, row.Tagged.Share);
            cells.Add(Int(row.Untagged.Sentences));
            cells.Add(Int(row.Untagged.Traces));
            Add(cells, row.Untagged.MeanSigned, row.Untagged.MeanAbsolute, row.SignedDifference, row.AbsoluteDifference);
            records.Add(cells);
        }

        return CsvText.ToText(records);
    }

    private static void Add(List<string> cells, params KindsNumber[] numbers)
    {
        foreach (var n in numbers)
        {
            cells.Add(Number(n.Value));
            cells.Add(Number(n.Low));
            cells.Add(Number(n.High));
        }
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";
}
