using TraceViewer.Text;

namespace TraceViewer.Tests.Text;

public sealed class TierParserTests
{
    [Theory]
    [InlineData("<is_free_tier_user>true</is_free_tier_user>\n\n<user_input>Hi</user_input>", TierParser.Free)]
    [InlineData("<INPUT>\n<is_free_tier_user>True</is_free_tier_user>\n</INPUT>", TierParser.Free)]
    [InlineData("<is_free_tier_user>false</is_free_tier_user>", TierParser.Paid)]
    [InlineData("<IS_FREE_TIER_USER> FALSE </IS_FREE_TIER_USER>", TierParser.Paid)]
    [InlineData("<is_free_tier_user>False</is_free_tier_user> then <is_free_tier_user>True</is_free_tier_user>", TierParser.Paid)]
    public void TheFreeTierFlagGivesTheTier(string userMessage, string expected)
    {
        Assert.Equal(expected, TierParser.Parse(userMessage));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Write a poem.")]
    [InlineData("<is_free_tier_user>maybe</is_free_tier_user>")]
    [InlineData("<is_free_tier_user>true")]
    public void AMessageWithoutAValidFlagHasNoTier(string? userMessage)
    {
        Assert.Null(TierParser.Parse(userMessage));
    }
}
