using TraceViewer.Tags;

namespace TraceViewer.Tests.Tags;

public sealed class TagRulesTests
{
    private static readonly TaxonomyShape Multi = new(1, MultiChoice: true, new Dictionary<int, bool> { [10] = false, [11] = false, [12] = true });
    private static readonly TaxonomyShape Single = new(2, MultiChoice: false, new Dictionary<int, bool> { [20] = false, [21] = false, [22] = true });

    [Fact]
    public void ATagGoesOnTheSentencesThatLackItUnlessAllHaveIt()
    {
        var edits = TagRules.Toggle(Multi, [10], [1, 2, 3], [new TagState(2, 10, "kept")]);

        Assert.Equal([(1, 10, TagAction.Add), (3, 10, TagAction.Add)], edits.Select(e => (e.SentenceId, e.TagId, e.Action)));
        Assert.All(edits, e => Assert.Equal((false, true), (e.Before, e.After)));
    }

    [Fact]
    public void ATagEverySentenceCarriesComesOffAllOfThemWithItsNoteInTheEdit()
    {
        var edits = TagRules.Toggle(Multi, [10], [1, 2], [new TagState(1, 10, null), new TagState(2, 10, "why"), new TagState(2, 11, null)]);

        Assert.Equal([(1, TagAction.Remove, (string?)null), (2, TagAction.Remove, "why")], edits.Select(e => (e.SentenceId, e.Action, e.NoteBefore)));
    }

    [Fact]
    public void SeveralTagsOfAMultiChoiceTaxonomyAreEachDecidedOnTheirOwn()
    {
        var edits = TagRules.Toggle(Multi, [10, 11], [1], [new TagState(1, 10, null)]);

        Assert.Equal([(10, TagAction.Remove), (11, TagAction.Add)], edits.Select(e => (e.TagId, e.Action)));
    }

    [Fact]
    public void InASingleChoiceTaxonomyATagGoingOnReplacesTheAnnotatorsOtherTag()
    {
        var edits = TagRules.Toggle(Single, [21], [1, 2], [new TagState(1, 20, "old note"), new TagState(2, 21, null)]);

        Assert.Equal([(1, 20, TagAction.Remove, "old note"), (1, 21, TagAction.Add, null)], edits.Select(e => (e.SentenceId, e.TagId, e.Action, e.NoteBefore)));
    }

    [Fact]
    public void ASingleChoiceTaxonomyTakesOneTagAtATime()
    {
        var error = Assert.Throws<TagRuleException>(() => TagRules.Toggle(Single, [20, 21], [1], []));

        Assert.Contains("single-choice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATagOfAnotherTaxonomyIsRefused() =>
        Assert.Throws<TagRuleException>(() => TagRules.Toggle(Multi, [20], [1], []));

    [Fact]
    public void ARetiredTagComesOffButDoesNotGoOn()
    {
        Assert.Throws<TagRuleException>(() => TagRules.Toggle(Multi, [12], [1, 2], [new TagState(1, 12, null)]));

        var edits = TagRules.Toggle(Multi, [12], [1], [new TagState(1, 12, null)]);
        Assert.Equal(TagAction.Remove, Assert.Single(edits).Action);
    }

    [Fact]
    public void ANoteBelongsToATagOnTheSentenceAndBlankClearsIt()
    {
        Assert.Throws<TagRuleException>(() => TagRules.Note(1, 10, "a note", null));

        var set = TagRules.Note(1, 10, "  because it plans  ", new TagState(1, 10, null));
        Assert.Equal((TagAction.Note, (string?)null, "because it plans"), (set!.Action, set.NoteBefore, set.NoteAfter));
        Assert.Null(TagRules.Note(1, 10, "because it plans", new TagState(1, 10, "because it plans")));
        var cleared = TagRules.Note(1, 10, "   ", new TagState(1, 10, "because it plans"));
        Assert.Null(cleared!.NoteAfter);
        Assert.Throws<TagRuleException>(() => TagRules.Note(1, 10, new string('x', TagLimits.MaxNoteLength + 1), new TagState(1, 10, null)));
    }

    [Fact]
    public void UndoReturnsEveryPairTheChangeTouchedToItsStateBefore()
    {
        // A single-choice replacement: tag 20 (with a note) came off sentence 1 and 21 went on.
        IReadOnlyList<TagEdit> change =
        [
            new(1, 20, TagAction.Remove, true, false, "old note", null),
            new(1, 21, TagAction.Add, false, true, null, null),
        ];

        var edits = TagRules.Undo(change, [new TagState(1, 21, null)]);

        Assert.Equal([(21, TagAction.Remove, (string?)null), (20, TagAction.Add, "old note")], edits.Select(e => (e.TagId, e.Action, e.NoteAfter)));
    }

    [Fact]
    public void UndoOfANoteRestoresTheNoteAndNeedsNothingWhenTheStateIsAlreadyBack()
    {
        IReadOnlyList<TagEdit> change = [new(1, 10, TagAction.Note, true, true, "first", "second")];

        Assert.Equal("first", Assert.Single(TagRules.Undo(change, [new TagState(1, 10, "second")])).NoteAfter);
        Assert.Empty(TagRules.Undo(change, [new TagState(1, 10, "first")]));
    }
}
