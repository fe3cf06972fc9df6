using TraceViewer.Queues;

namespace TraceViewer.Tests.Queues;

public sealed class QueueRulesTests
{
    [Fact]
    public void EachItemGoesToOverlapDistinctAnnotatorsAndTheLoadIsEven()
    {
        var assignments = QueueRules.Assign(6, ["c", "a", "b"], 2);

        Assert.Equal(12, assignments.Count);
        foreach (var item in assignments.GroupBy(a => a.Item))
        {
            Assert.Equal(2, item.Select(a => a.Annotator).Distinct().Count());
        }

        Assert.All(assignments.GroupBy(a => a.Annotator), g => Assert.Equal(4, g.Count()));
        Assert.Equal(["a", "b"], assignments.Where(a => a.Item == 0).Select(a => a.Annotator));
        Assert.Equal(["c", "a"], assignments.Where(a => a.Item == 1).Select(a => a.Annotator));
    }

    [Fact]
    public void TheSameInputsInAnyOrderGiveTheSameAssignments()
    {
        var one = QueueRules.Assign(7, ["u2", "u1", "u3"], 1);
        var two = QueueRules.Assign(7, ["u3", "u1", "u2", "u1"], 1);

        Assert.Equal(one, two);
        Assert.Equal(["u1", "u2", "u3", "u1", "u2", "u3", "u1"], one.Select(a => a.Annotator));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    public void AnOverlapOutsideOneToTheAnnotatorsIsRefused(int overlap)
    {
        Assert.Throws<ArgumentException>(() => QueueRules.Assign(4, ["a", "b"], overlap));
    }

    [Fact]
    public void NoAnnotatorIsRefused() => Assert.Throws<ArgumentException>(() => QueueRules.Assign(4, [" "], 1));

    [Fact]
    public void TopKTakesTheLargestAbsoluteEffectsInSentenceOrder()
    {
        var effects = new Dictionary<int, double> { [0] = 0.1, [1] = -0.9, [2] = 0.3, [3] = 0.3, [4] = 0.05 };

        Assert.Equal([1, 2, 3], QueueRules.PickSentences([0, 1, 2, 3, 4], effects, 3));
        Assert.Equal([1, 2], QueueRules.PickSentences([0, 1, 2, 3, 4], effects, 2));
        Assert.Equal([0, 1, 2, 3, 4, 5], QueueRules.PickSentences([5, 0, 1, 2, 3, 4], effects, null));
    }
    private static HeldAssignment[] Held(IEnumerable<ItemAssignment> deal, params (int Item, string Annotator)[] done) =>
        [.. deal.Select(a => new HeldAssignment(a.Item, a.Annotator, done.Contains((a.Item, a.Annotator))))];

    private static string[] Of(IReadOnlyList<ItemAssignment> deal, int item) => [.. deal.Where(a => a.Item == item).Select(a => a.Annotator).Order(StringComparer.Ordinal)];

    [Fact]
    public void RedealingWithTheSameAnnotatorsAndOverlapChangesNothingWhateverIsDone()
    {
        var deal = QueueRules.Assign(7, ["a", "b", "c"], 2);

        var none = QueueRules.Redeal(7, Held(deal), ["c", "b", "a"], 2);
        var some = QueueRules.Redeal(7, Held(deal, (0, "b"), (1, "c"), (1, "a"), (5, "b")), ["a", "b", "c"], 2);

        Assert.Equal(deal, none);
        Assert.Equal(deal.OrderBy(a => a.Item).ThenBy(a => a.Annotator, StringComparer.Ordinal),
            some.OrderBy(a => a.Item).ThenBy(a => a.Annotator, StringComparer.Ordinal));
    }

    [Fact]
    public void ANewDealWithNothingDoneIsTheDealOfANewQueue()
    {
        var deal = QueueRules.Assign(5, ["a", "b"], 1);

        Assert.Equal(QueueRules.Assign(5, ["a", "b", "c"], 2), QueueRules.Redeal(5, Held(deal), ["a", "b", "c"], 2));
    }

    [Fact]
    public void DoneItemsStayWithTheirAnnotatorEvenOneTakenOffAndCountTowardsTheOverlap()
    {
        // a, b, c with overlap 2: item 0 -> a, b; item 1 -> c, a; item 2 -> b, c; item 3 -> a, b.
        var deal = QueueRules.Assign(4, ["a", "b", "c"], 2);

        // c leaves after finishing item 1; a finished item 0. Now a, b, d with overlap 2.
        var redealt = QueueRules.Redeal(4, Held(deal, (1, "c"), (0, "a")), ["a", "b", "d"], 2);

        Assert.Equal(["a", "b"], Of(redealt, 0));
        // c's done item stays c's and counts: one more, from the walk starting at (1*2) mod 3 = d.
        Assert.Equal(["c", "d"], Of(redealt, 1));
        Assert.Equal(["b", "d"], Of(redealt, 2));
        Assert.Equal(["a", "b"], Of(redealt, 3));
        Assert.DoesNotContain(redealt, a => a.Annotator == "c" && a.Item != 1);
    }

    [Fact]
    public void AnItemDoneByMoreThanTheNewOverlapKeepsAllItsDoneAssignmentsAndGetsNobodyNew()
    {
        var deal = QueueRules.Assign(2, ["a", "b", "c"], 3);

        var redealt = QueueRules.Redeal(2, Held(deal, (0, "a"), (0, "b"), (0, "c")), ["a", "b", "c"], 1);

        Assert.Equal(["a", "b", "c"], Of(redealt, 0));
        Assert.Equal(["b"], Of(redealt, 1));
        Assert.All(redealt.GroupBy(a => a.Item), g => Assert.Equal(g.Count(), g.Select(a => a.Annotator).Distinct().Count()));
    }

    [Fact]
    public void ShrinkingTheOverlapTakesTheOpenAssignmentsBeyondItAway()
    {
        var deal = QueueRules.Assign(6, ["a", "b", "c"], 3);

        var redealt = QueueRules.Redeal(6, Held(deal), ["a", "b", "c"], 1);

        Assert.Equal(QueueRules.Assign(6, ["a", "b", "c"], 1), redealt);
        Assert.All(redealt.GroupBy(a => a.Annotator), g => Assert.Equal(2, g.Count()));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    public void ARedealsOverlapOutsideOneToTheAnnotatorsIsRefused(int overlap)
    {
        Assert.Throws<ArgumentException>(() => QueueRules.Redeal(4, [], ["a", "b"], overlap));
    }
}
