namespace TraceViewer.Statistics.Agreement;

/// <summary>
/// Agreement of one group of annotators on one variable (method.md §8). A null value is undefined
/// (a zero denominator, e.g. every rating in one category), never 0 or 1. Intervals are present only when a
/// bootstrap was asked for.
/// </summary>
internal sealed record AgreementReport(
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> Annotators,
    int Items,
    IReadOnlyList<PairwiseAgreement> Pairwise,
    FleissAgreement? Fleiss,
    KrippendorffAgreement Krippendorff,
    BootstrapOptions? Bootstrap);

/// <summary>
/// Two annotators over the items both rated. <see cref="Confusion"/> rows are <see cref="A"/>'s categories,
/// columns <see cref="B"/>'s, both in the order of <see cref="AgreementReport.Categories"/>.
/// </summary>
internal sealed record PairwiseAgreement(
    string A,
    string B,
    int N,
    double? ObservedAgreement,
    double? CohenKappa,
    int[][] Confusion,
    BootstrapInterval? ObservedAgreementInterval = null,
    BootstrapInterval? CohenKappaInterval = null);

/// <summary>Fleiss' kappa over the items every annotator of the group rated (three or more annotators).</summary>
internal sealed record FleissAgreement(IReadOnlyList<string> Items, int Raters, double? Kappa, BootstrapInterval? KappaInterval = null)
{
    public int N => Items.Count;
}

/// <summary>Krippendorff's alpha, nominal, over the items with at least two ratings (<see cref="Values"/> ratings in all).</summary>
internal sealed record KrippendorffAgreement(int Items, int Values, double? Alpha, BootstrapInterval? AlphaInterval = null);
