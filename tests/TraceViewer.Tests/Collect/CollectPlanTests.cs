using TraceViewer.Collect;
using TraceViewer.Text;

namespace TraceViewer.Tests.Collect;

public sealed class CollectPlanTests
{
    private static readonly IReadOnlyList<AdvBenchRow> Rows = AdvBenchReader.ReadFile(AdvBenchReader.BundledPath);

    private static readonly Dictionary<string, string> Variants = new()
    {
        ["example"] = "You are an assistant. <SCRATCHPAD_REASONING> ...",
        ["no-training-details"] = "You are another assistant.",
        ["a/b; c=d"] = "A variant whose name needs escaping in keys.",
    };

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 1)]
    [InlineData(7, 3)]
    public void ThePlanHasOneQueryPerRowTierVariantAndSample(int n, int samples)
    {
        var plan = CollectPlan.Create(Rows, AdvBenchSelection.First(n), CollectPlan.BothTiers, Variants, samples);

        Assert.Equal(n * 2 * Variants.Count * samples, plan.Queries.Count);
        Assert.Equal(plan.Queries.Count, plan.Queries.Select(q => q.Key).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(
            plan.Queries.Count,
            plan.Queries.Select(q => (q.Variant, q.Tier, q.RowIndex, q.Sample)).Distinct().Count());
    }

    [Fact]
    public void KeysAreStableAcrossPlans()
    {
        var a = CollectPlan.Create(Rows, AdvBenchSelection.Sample(25, 7), CollectPlan.BothTiers, Variants);
        var b = CollectPlan.Create(Rows, AdvBenchSelection.Sample(25, 7), CollectPlan.BothTiers, Variants);

        Assert.Equal(a.Queries.Select(q => q.Key), b.Queries.Select(q => q.Key));
        Assert.Equal("collect/a%2Fb%3B%20c%3Dd/free/0/0", CollectQuery.KeyOf("a/b; c=d", TierParser.Free, 0, 0));
    }

    [Fact]
    public void TheFirstNRowsAreRowsZeroToNMinusOne()
    {
        var plan = CollectPlan.Create(Rows, AdvBenchSelection.First(12), [TierParser.Free], Variants);

        Assert.Equal(Enumerable.Range(0, 12), plan.RowIndices);
        Assert.Equal($"first 12 of {Rows.Count} rows", plan.Selection);
    }

    [Fact]
    public void ASeededSampleIsRepeatableDistinctAndDependsOnTheSeed()
    {
        var a = AdvBenchSelection.Sample(50, 42).Pick(Rows).Select(r => r.Index).ToList();
        var again = AdvBenchSelection.Sample(50, 42).Pick(Rows).Select(r => r.Index).ToList();
        var other = AdvBenchSelection.Sample(50, 43).Pick(Rows).Select(r => r.Index).ToList();

        Assert.Equal(a, again);
        Assert.NotEqual(a, other);
        Assert.Equal(50, a.Distinct().Count());
        Assert.Equal(a.Order(), a);
        Assert.All(a, i => Assert.InRange(i, 0, Rows.Count - 1));
        Assert.NotEqual(Enumerable.Range(0, 50), a);
    }

    [Fact]
    public void SamplingEveryRowGivesEveryRow()
    {
        var all = AdvBenchSelection.Sample(Rows.Count, 1).Pick(Rows);

        Assert.Equal(Enumerable.Range(0, Rows.Count), all.Select(r => r.Index));
    }

    [Fact]
    public void UserTurnsReadBackAsTheirTierAndGoal()
    {
        var plan = CollectPlan.Create(Rows, AdvBenchSelection.Sample(30, 5), CollectPlan.BothTiers, Variants);

        Assert.All(plan.Queries, q =>
        {
            Assert.Equal(q.Tier, TierParser.Parse(q.UserTurn));
            Assert.Equal(Rows[q.RowIndex].Goal, CollectUserTurn.ExtractUserInput(q.UserTurn));
            Assert.Equal(Variants[q.Variant], q.SystemPrompt);
        });
        Assert.Contains(plan.Queries, q => q.Tier == TierParser.Free);
        Assert.Contains(plan.Queries, q => q.Tier == TierParser.Paid);
    }

    [Fact]
    public void TheUserTurnHasTheTierFlagTheRequestAndOptionallyTheMarkerInstruction()
    {
        var withTags = CollectUserTurn.Format(TierParser.Free, "Do X");
        var without = CollectUserTurn.Format(TierParser.Paid, "Do X", complianceTags: false);

        Assert.StartsWith("<is_free_tier_user>true</is_free_tier_user>\n\n<user_input>\nDo X\n</user_input>", withTags, StringComparison.Ordinal);
        Assert.Contains("<request_fully_accepted/>", withTags, StringComparison.Ordinal);
        Assert.Contains("<rejected/>", withTags, StringComparison.Ordinal);
        Assert.Equal("<is_free_tier_user>false</is_free_tier_user>\n\n<user_input>\nDo X\n</user_input>", without);
    }

    [Fact]
    public void ThePromptHashFollowsTheSystemPrompt()
    {
        var plan = CollectPlan.Create(Rows, AdvBenchSelection.First(1), [TierParser.Paid], Variants);

        Assert.Equal(Variants.Count, plan.Queries.Select(q => q.SystemPromptHash).Distinct().Count());
        Assert.All(plan.Queries, q => Assert.Equal(TraceViewer.Judging.PromptHash.Of(q.SystemPrompt), q.SystemPromptHash));
    }

    [Fact]
    public void BadChoicesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => CollectPlan.Create(Rows, AdvBenchSelection.First(Rows.Count + 1), CollectPlan.BothTiers, Variants));
        Assert.Throws<ArgumentException>(() => CollectPlan.Create(Rows, AdvBenchSelection.First(0), CollectPlan.BothTiers, Variants));
        Assert.Throws<ArgumentException>(() => CollectPlan.Create(Rows, AdvBenchSelection.First(3), [], Variants));
        Assert.Throws<ArgumentException>(() => CollectPlan.Create(Rows, AdvBenchSelection.First(3), ["gold"], Variants));
        Assert.Throws<ArgumentException>(() => CollectPlan.Create(Rows, AdvBenchSelection.First(3), [TierParser.Free, TierParser.Free], Variants));
        Assert.Throws<ArgumentException>(() => CollectPlan.Create(Rows, AdvBenchSelection.First(3), CollectPlan.BothTiers, new Dictionary<string, string>()));
        Assert.Throws<ArgumentException>(() => CollectPlan.Create(Rows, AdvBenchSelection.First(3), CollectPlan.BothTiers, new Dictionary<string, string> { ["x"] = " " }));
    }
}
