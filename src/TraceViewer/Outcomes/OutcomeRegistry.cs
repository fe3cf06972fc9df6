namespace TraceViewer.Outcomes;

/// <summary>The outcomes TraceViewer knows by name (formats.md §b.7). Unknown keys are created as binary outcomes.</summary>
internal static class OutcomeRegistry
{
    public sealed record Definition(string Key, string Name, OutcomeKind Kind, string? RateKey);

    public const string IsCorrect = "is_correct";
    public const string ContainsBlackmail = "contains_blackmail";
    public const string ContainsWhistleblowing = "contains_whistleblowing";
    public const string Compliance = "compliance";
    public const string AlignmentFaking = "alignment_faking";
    public const string MulticlassResistance = "multiclass_resistance_level";

    public static readonly IReadOnlyList<Definition> Known =
    [
        new(IsCorrect, "Correct answer", OutcomeKind.Binary, "accuracy"),
        new(ContainsBlackmail, "Blackmail", OutcomeKind.Binary, "blackmail_rate"),
        new(ContainsWhistleblowing, "Whistleblowing", OutcomeKind.Binary, "whistleblowing_rate"),
        new(Compliance, "Compliance", OutcomeKind.Binary, "compliance_rate"),
        new(AlignmentFaking, "Alignment faking", OutcomeKind.Binary, "af_rate"),
        new(MulticlassResistance, "Resistance level", OutcomeKind.Ordinal, null),
    ];

    public static Definition Get(string key) =>
        Known.FirstOrDefault(d => d.Key == key) ?? new Definition(key, key, OutcomeKind.Binary, null);
}
