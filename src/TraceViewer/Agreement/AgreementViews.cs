using System.Text.Json.Serialization;

namespace TraceViewer.Agreement;

/// <summary>What the agreement page and <c>GET /api/agreement</c> were asked for; null picks the default.</summary>
public sealed record AgreementRequest(int? Dataset = null, int? Taxonomy = null, IReadOnlyList<string>? Annotators = null, string? Judge = null);

/// <summary>
/// The agreement page's content and the API's answer (method.md §8). A <see cref="Figure"/> with a null value is
/// undefined, and <see cref="Figure.Undefined"/> says why. Annotators appear by key ("Person:id", "Model:name",
/// "Import:source", "Judge:classifier"); <see cref="Names"/> gives each key its display name.
/// </summary>
public sealed record AgreementView(
    int? Dataset,
    int? Taxonomy,
    IReadOnlyList<Choice> Datasets,
    IReadOnlyList<Choice> Taxonomies,
    IReadOnlyList<AnnotatorChoice> Annotators,
    IReadOnlyList<Choice> Judges,
    IReadOnlyDictionary<string, string> Names,
    AgreementMethod Method,
    TaxonomyAgreement? Tags,
    string? TagsNotice,
    JudgeSection? Judge,
    string? JudgeNotice);

/// <summary>An option of a selector: <see cref="Key"/> goes into the address.</summary>
public sealed record Choice(string Key, string Name, int Count, bool Selected);

/// <summary>
/// An annotator who tagged the taxonomy: <see cref="Key"/> is "kind:id" (Person, Import, Model), <see cref="Sentences"/>
/// the sentences the annotator saw (tagged anything of the taxonomy on).
/// </summary>
public sealed record AnnotatorChoice(string Key, string Kind, string Name, int Sentences, bool Selected);

/// <summary>How the figures were computed, stated on the page and in the API.</summary>
public sealed record AgreementMethod(int Replicates, ulong Seed, double Confidence, string Interval, string Seen);

/// <summary>Every tag of one taxonomy scored as present/absent, and a single-choice taxonomy also as one nominal variable.</summary>
public sealed record TaxonomyAgreement(
    int TaxonomyId,
    string Name,
    bool MultiChoice,
    IReadOnlyList<string> Annotators,
    int Sentences,
    IReadOnlyList<VariableAgreement> Tags,
    VariableAgreement? Nominal);

/// <summary>
/// One variable (a tag as present/absent, or a single-choice taxonomy) over the sentences the compared annotators saw.
/// <see cref="Fleiss"/> is null with fewer than three annotators.
/// </summary>
public sealed record VariableAgreement(
    string Name,
    IReadOnlyList<string> Categories,
    int Items,
    IReadOnlyList<PairFigures> Pairs,
    Figure? Fleiss,
    Figure Alpha,
    int DisagreementCount,
    IReadOnlyList<Disagreement> Disagreements);

/// <summary>Two annotators over the items both rated; confusion rows are <see cref="A"/>'s categories, columns <see cref="B"/>'s.</summary>
public sealed record PairFigures(string A, string B, int N, Figure Observed, Figure Kappa, int[][] Confusion);

/// <summary>A value over <see cref="N"/> items with its percentile bootstrap interval; null Value is undefined for the reason in <see cref="Undefined"/>.</summary>
public sealed record Figure(
    double? Value,
    int N,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Undefined,
    double? Low,
    double? High,
    int UndefinedReplicates);

/// <summary>An item the compared annotators labelled differently: which annotators gave which category.</summary>
public sealed record Disagreement(int TraceId, int Index, string Href, string? Text, IReadOnlyList<LabelGroup> Labels);

public sealed record LabelGroup(string Label, IReadOnlyList<string> Annotators);

/// <summary>
/// The judge (a classifier's alignment-faking labels) against people's own verdicts, on traces and resamples:
/// agreement among the people, with the judge as one more annotator, the judge against each person, and precision and
/// recall against the people's majority (ties left out).
/// </summary>
public sealed record JudgeSection(
    string Judge,
    IReadOnlyList<string> People,
    int Items,
    IReadOnlyList<PairFigures> JudgeVersusPerson,
    VariableAgreement PeopleOnly,
    VariableAgreement WithJudge,
    MajorityFigures Majority);

public sealed record MajorityFigures(
    int Compared,
    int Tied,
    int WithoutPeople,
    int NotJudged,
    int TruePositives,
    int FalsePositives,
    int FalseNegatives,
    int TrueNegatives,
    Figure Agreement,
    Figure Precision,
    Figure Recall);
