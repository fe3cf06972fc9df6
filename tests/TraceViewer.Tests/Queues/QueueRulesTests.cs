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
}
