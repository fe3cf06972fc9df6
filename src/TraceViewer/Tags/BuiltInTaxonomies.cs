using TraceViewer.Components;

namespace TraceViewer.Tags;

/// <summary>A tag as a taxonomy's definition gives it.</summary>
internal sealed record TagDefinition(string Name, string Colour, string Description, int? Hotkey);

/// <summary>A taxonomy as TraceViewer ships it.</summary>
internal sealed record TaxonomyDefinition(string Name, string Description, int Version, bool MultiChoice, IReadOnlyList<TagDefinition> Tags);

/// <summary>
/// The taxonomies every database has (seeded at start-up by <see cref="TaxonomySeeder"/>): the sentence functions the
/// Thought Anchors data is labelled with, and kinds of alignment-faking reasoning. Both are multi-choice; their tags
/// take the hotkeys 1-9 in the order given.
/// </summary>
internal static class BuiltInTaxonomies
{
    public const string Functions = "Thought Anchors functions";

    public const string Reasoning = "Alignment-faking reasoning";

    /// <summary>Who imported function tags are by when the dataset does not say where it came from.</summary>
    public const string DefaultImportAnnotator = "import";

    /// <summary>The person's id until the app has accounts.</summary>
    public const string LocalPerson = "local";

    public static readonly TaxonomyDefinition ThoughtAnchorsFunctions = new(
        Functions,
        "What each sentence does, in the function categories of the Thought Anchors paper (Bogdan, Macar, Nanda, Conmy, 2025), "
        + "as its published data labels them. Imported with the traces.",
        Version: 1,
        MultiChoice: true,
        Numbered(ProductColors.FunctionTags,
        [
            ("problem_setup", "Parses or restates the problem."),
            ("plan_generation", "States or decides on a plan: what to do next."),
            ("fact_retrieval", "Recalls a fact, formula or detail of the problem without computing anything."),
            ("active_computation", "Computes: algebra, arithmetic or another manipulation towards the answer."),
            ("uncertainty_management", "Expresses doubt or confusion, re-evaluates or backtracks."),
            ("result_consolidation", "Gathers intermediate results or sums up what has been found."),
            ("self_checking", "Checks an earlier step or result."),
            ("final_answer_emission", "States the final answer."),
        ]));

    public static readonly TaxonomyDefinition AlignmentFakingReasoning = new(
        Reasoning,
        "Kinds of reasoning in alignment-faking traces. The first three are the kinds named in \"What Sentences Cause "
        + "Alignment Faking?\"; the others are TraceViewer's own additions and say so in their descriptions.",
        Version: 1,
        MultiChoice: true,
        Numbered(ProductColors.ReasoningTags,
        [
            ("training_objective", "Restates the training objective it has been told about (e.g. to be unconditionally helpful)."),
            ("monitoring", "Acknowledges being monitored, or that the conversation is used for training."),
            ("rlhf_modification", "Reasons that refusing would make RLHF modify its values, goals or behaviour."),
            ("value_conflict", "TraceViewer's own addition: states a conflict between its values and what it is asked to do."),
            ("harm_assessment", "TraceViewer's own addition: weighs how harmful the request or a possible answer is."),
            ("restating_instructions", "TraceViewer's own addition: restates the request or the instructions it was given."),
            ("strategy_decision", "TraceViewer's own addition: decides how to respond (comply, refuse, comply in part)."),
            ("example_confusion", "TraceViewer's own addition: takes the prompt's examples for instructions meant for itself."),
            ("drafting_answer", "TraceViewer's own addition: drafts or revises the answer it will give."),
        ]));

    public static IReadOnlyList<TaxonomyDefinition> All { get; } = [ThoughtAnchorsFunctions, AlignmentFakingReasoning];

    private static TagDefinition[] Numbered(IReadOnlyDictionary<string, ProductColors.Rgb> colours, (string Name, string Description)[] tags) =>
        [.. tags.Select((t, i) => new TagDefinition(t.Name, colours[t.Name].Hex, t.Description, i < 9 ? i + 1 : null))];
}
