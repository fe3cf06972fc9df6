namespace TraceViewer.Agreement;

internal static class AgreementExtensions
{
    public static IHostApplicationBuilder AddAgreement(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<AgreementQueries>();
        builder.Services.AddScoped<VerdictStore>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAgreement(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/agreement", GetAsync)
            .WithTags("Agreement")
            .WithName("GetAgreement")
            .WithSummary("Agreement between annotators per tag of a taxonomy (Cohen's kappa per pair with confusion matrices, Fleiss' kappa, "
                + "Krippendorff's alpha, observed agreement, 95% percentile bootstrap intervals; null is undefined, with the reason), "
                + "and the alignment-faking judge against people's verdicts (kappa, precision and recall against the majority).");
        return app;
    }

    /// <param name="dataset">Only sentences and verdicts of this dataset; all when absent.</param>
    /// <param name="taxonomy">The taxonomy's id; the most used one when absent.</param>
    /// <param name="annotator">Annotators to compare, as "Person:id", "Model:name" or "Import:source"; everyone who tagged when absent.</param>
    /// <param name="judge">The classifier to compare with people; the one with most labels when absent.</param>
    internal static async Task<Microsoft.AspNetCore.Http.HttpResults.Ok<AgreementView>> GetAsync(
        int? dataset, int? taxonomy, string[]? annotator, string? judge, AgreementQueries queries, CancellationToken ct) =>
        TypedResults.Ok(await queries.LoadAsync(new AgreementRequest(dataset, taxonomy, annotator, judge), ct));
}
