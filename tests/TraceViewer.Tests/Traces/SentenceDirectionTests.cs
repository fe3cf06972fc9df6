using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

public sealed class SentenceDirectionTests
{
    [Theory]
    [InlineData(0.2, -0.5, Direction.Promotes)]
    [InlineData(-0.3, 0.5, Direction.Suppresses)]
    public void CounterfactualEffectDecidesTheDirectionWhenDefined(double counterfactual, double resampling, Direction expected)
    {
        var influence = SentenceDirection.Of(counterfactual, resampling, dissimilarFraction: 0.4);

        Assert.Equal(expected, influence.Direction);
        Assert.Equal(Math.Abs(counterfactual), influence.Importance);
        Assert.False(influence.Fallback);
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.0)]
    public void FewDissimilarResamplesFallBackToTheResamplingEffect(double dissimilarFraction)
    {
        var influence = SentenceDirection.Of(counterfactualEffect: 0.4, resamplingEffect: -0.1, dissimilarFraction);

        Assert.Equal(Direction.Suppresses, influence.Direction);
        Assert.Equal(0.1, influence.Importance, 12);
        Assert.True(influence.Fallback);
    }

    [Fact]
    public void MissingCounterfactualFallsBackToTheResamplingEffect()
    {
        var influence = SentenceDirection.Of(counterfactualEffect: null, resamplingEffect: 0.25, dissimilarFraction: 0.5);

        Assert.Equal(Direction.Promotes, influence.Direction);
        Assert.True(influence.Fallback);
    }

    [Theory]
    [InlineData(0.0, 0.3, 0.5)]
    [InlineData(null, null, 0.5)]
    [InlineData(null, 0.0, null)]
    public void ZeroOrMissingEffectHasNoDirection(double? counterfactual, double? resampling, double? dissimilarFraction)
    {
        var influence = SentenceDirection.Of(counterfactual, resampling, dissimilarFraction);

        Assert.Equal(Direction.None, influence.Direction);
        Assert.Equal(0, influence.Importance);
    }
}
