using TraceViewer.Tags;

namespace TraceViewer.Tests.Tags;

public sealed class TagLayersTests
{
    private static readonly TagAuthor Me = TagAuthor.Person("me");

    private static readonly WorkbenchTaxonomy Functions = new(1, "Functions", true,
    [
        new WorkbenchTag(10, "plan_generation", "#111111", 1, null),
        new WorkbenchTag(11, "self_checking", "#222222", 2, null),
        new WorkbenchTag(12, "final_answer_emission", "#333333", 3, null),
    ]);

    // Sentence 0: me plan; ann plan; bob check. Sentence 1: ann check only. Sentence 2: a tag of another taxonomy.
    private static readonly WorkbenchTagRow[] Rows =
    [
        new(1, 0, 10, AnnotatorKind.Person, "me", "my note"),
        new(2, 0, 10, AnnotatorKind.Person, "ann", null),
        new(3, 0, 11, AnnotatorKind.Person, "bob", null),
        new(4, 1, 11, AnnotatorKind.Person, "ann", null),
        new(5, 2, 99, AnnotatorKind.Person, "me", null),
    ];

    private static string[] Names(Dictionary<int, IReadOnlyList<ShownTag>> shown, int index) =>
        shown.TryGetValue(index, out var tags) ? [.. tags.Select(t => t.Name)] : [];

    [Fact]
    public void MineShowsOnlyTheViewersTagsWithTheirNotes()
    {
        var shown = TagLayers.Show(Rows, Functions, Me, TagLayer.Mine, hideOthers: false);

        Assert.Equal(["plan_generation"], Names(shown, 0));
        Assert.Equal("my note", shown[0][0].Note);
        Assert.Equal(1, shown[0][0].Of);
        Assert.Empty(Names(shown, 1));
        Assert.Empty(Names(shown, 2));
    }

    [Fact]
    public void EveryonesShowsEachTagOnceWithHowManyOfTheSentencesAnnotatorsGaveIt()
    {
        var shown = TagLayers.Show(Rows, Functions, Me, TagLayer.Everyone, hideOthers: false);

        Assert.Equal(["plan_generation", "self_checking"], Names(shown, 0));
        Assert.Equal((2, 3, true), (shown[0][0].Annotators, shown[0][0].Of, shown[0][0].Mine));
        Assert.Equal((1, 3, false), (shown[0][1].Annotators, shown[0][1].Of, shown[0][1].Mine));
        Assert.Equal(["self_checking"], Names(shown, 1));
        Assert.Equal(("Person:ann, Person:me", "Person:bob"), (shown[0][0].By, shown[0][1].By));
    }

    [Fact]
    public void EveryonesNamesAModelAnnotatorByItsProviderAndModel()
    {
        WorkbenchTagRow[] rows = [new(1, 0, 10, AnnotatorKind.Model, "loop/model-x", null), new(2, 0, 10, AnnotatorKind.Person, "me", null)];

        var everyone = TagLayers.Show(rows, Functions, Me, TagLayer.Everyone, hideOthers: false);
        var mine = TagLayers.Show(rows, Functions, Me, TagLayer.Mine, hideOthers: false);

        Assert.Equal("Model:loop/model-x, Person:me", everyone[0][0].By);
        Assert.Null(mine[0][0].By);
    }

    [Fact]
    public void ConsensusKeepsTheTagsMostOfTheSentencesAnnotatorsGave()
    {
        var shown = TagLayers.Show(Rows, Functions, Me, TagLayer.Consensus, hideOthers: false);

        // Two of three gave plan_generation; one of three self_checking. Sentence 1's only annotator is a majority.
        Assert.Equal(["plan_generation"], Names(shown, 0));
        Assert.Equal(["self_checking"], Names(shown, 1));
    }

    [Fact]
    public void ATieIsNoConsensus()
    {
        WorkbenchTagRow[] rows = [new(1, 0, 10, AnnotatorKind.Person, "me", null), new(2, 0, 11, AnnotatorKind.Person, "ann", null)];

        Assert.Empty(TagLayers.Show(rows, Functions, Me, TagLayer.Consensus, hideOthers: false));
    }

    [Theory]
    [InlineData(TagLayer.Everyone)]
    [InlineData(TagLayer.Consensus)]
    public void BlindModeHidesTheOthersInEveryLayer(TagLayer layer)
    {
        var shown = TagLayers.Show(Rows, Functions, Me, layer, hideOthers: true);

        Assert.Equal(["plan_generation"], Names(shown, 0));
        Assert.Equal(1, shown[0][0].Of);
        Assert.Empty(Names(shown, 1));
    }
}
