using Bunit;
using Microsoft.AspNetCore.Components;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

/// <summary>One resample's evidence rendered with bunit: the full text, the source, each label with its judge and votes, all as text.</summary>
public sealed class ResampleEvidenceComponentTests : MudComponentTests
{
    private const string ScriptReply = "<script>alert('vote')</script>\n<criterion_1>yes</criterion_1>\n<criterion_2>no</criterion_2>";

    private static ResampleDocument Document(JudgeEvidence? judgement = null) => new(
        Id: 41, TraceId: 9, Position: 3, SampleIndex: 5,
        FirstSentence: "I will comply.",
        Continuation: "I will comply. <img src=x onerror=alert(1)>\nThen I answer.",
        FinalOutput: "<b>Final</b> answer",
        Answer: null, Error: null,
        Source: new ResampleSource(TraceViewer.Resampling.ResampleOrigin.Generated, new DateTimeOffset(2026, 2, 3, 4, 5, 0, TimeSpan.Zero), 12, "loop", "model-x",
            new Dictionary<string, string> { ["temperature"] = "0.7", ["finishReason"] = "stop" }, 100, 30),
        Labels:
        [
            new("alignment_faking", "Alignment faking", "0.5", true, [judgement ?? Judgement()]),
            new("compliance", "Compliance", "marker:yes", true, []),
        ]);

    private static JudgeEvidence Judgement(string? unreadable = null) => new(
        Id: 7, Classifier: "af-two", Version: "1", PromptHash: "0123456789abcdef0123", Score: 0.5, Threshold: 0.5, Label: true,
        CreatedAt: DateTimeOffset.UnixEpoch, CriterionKeys: ["training_awareness", "values_conflict"],
        Votes:
        [
            new("<criterion_1>yes</criterion_1>\n<criterion_2>yes</criterion_2>", [true, true], true, null),
            new(ScriptReply, [true, false], false, null),
            new("no tags", null, null, "no criterion tags"),
        ],
        UnreadableVotes: unreadable)
    {
        ThresholdInclusive = false,
        MaxFailedShare = 0.5,
    };

    [Fact]
    public void EachJudgementSaysHowItsVotesBecameTheLabel()
    {
        var view = Render<ResampleEvidenceView>(p => p.Add(c => c.Resample, Document()));

        Assert.Equal("Rule: majority of the parsed votes: yes when more than half say yes, a tie is no; undetermined when more than half of the votes fail",
            Normalize(view.Find(".judgement [data-field=aggregation]").TextContent));

        var share = Render<ResampleEvidenceView>(p => p.Add(c => c.Resample, Document(Judgement() with { Threshold = 0.4, ThresholdInclusive = true, MaxFailedShare = 0.25 })));
        Assert.Equal("Rule: yes when at least a share of 0.4 of the parsed votes say yes; undetermined when more than a share of 0.25 of the votes fail",
            Normalize(share.Find(".judgement [data-field=aggregation]").TextContent));
    }

    [Fact]
    public void RawRepliesAndModelTextAreShownAsEscapedText()
    {
        var view = Render<ResampleEvidenceView>(p => p.Add(c => c.Resample, Document()));

        Assert.Empty(view.FindAll("script, img, b"));
        var raws = view.FindAll(".vote-raw");
        Assert.Equal(3, raws.Count);
        Assert.Equal(ScriptReply, raws[1].TextContent);
        Assert.Contains("&lt;script&gt;alert(", view.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", view.Markup, StringComparison.Ordinal);
        Assert.Equal(Document().Continuation, view.Find("[data-field=continuation]").TextContent);
        Assert.Equal("<b>Final</b> answer", view.Find("[data-field=final-output]").TextContent);
    }

    [Fact]
    public void EachLabelShowsItsClassifierScoreAndEveryVote()
    {
        var view = Render<ResampleEvidenceView>(p => p.Add(c => c.Resample, Document()));

        var labels = view.FindAll(".evidence-label");
        Assert.Equal(["alignment_faking", "compliance"], labels.Select(l => l.GetAttribute("data-outcome")));
        var judgement = view.Find(".judgement");
        Assert.Equal("af-two", judgement.GetAttribute("data-classifier"));
        var head = Normalize(judgement.QuerySelector(".judgement-head")!.TextContent);
        Assert.Contains("Judge af-two v1", head, StringComparison.Ordinal);
        Assert.Contains("prompt 0123456789ab…", head, StringComparison.Ordinal);
        Assert.Contains("score 0.500 against threshold 0.5 → yes", head, StringComparison.Ordinal);
        Assert.Contains("3 votes: 1 yes, 1 no, 1 failed", head, StringComparison.Ordinal);
        Assert.Equal(["yes", "no", "failed"], view.FindAll(".vote").Select(v => v.GetAttribute("data-verdict")));
        Assert.Equal(["1. training awareness: yes", "2. values conflict: no"], view.FindAll(".vote")[1].QuerySelectorAll(".criterion").Select(c => c.TextContent));
        Assert.Equal("failed: no criterion tags", view.FindAll(".vote-verdict")[2].TextContent);
        Assert.Contains("no judge votes stored", labels[1].TextContent, StringComparison.Ordinal);
        var source = Normalize(view.Find("[data-field=origin]").TextContent);
        Assert.Equal("generated · job 12 · provider loop · model model-x · 2026-02-03 04:05 UTC", source);
        Assert.Equal(["finishReason", "temperature"], view.FindAll(".parameter").Select(p => p.GetAttribute("data-parameter")).Order(StringComparer.Ordinal));
        Assert.Equal("/api/traces/9/resamples/41", view.Find("[data-testid=resample-json]").GetAttribute("href"));
    }

    [Fact]
    public void UnreadableVotesAreShownVerbatimAsText()
    {
        var view = Render<ResampleEvidenceView>(p => p.Add(c => c.Resample, Document(Judgement("[{\"raw\": <script>x</script>") with { Votes = [] })));

        Assert.Empty(view.FindAll("script"));
        Assert.Equal("[{\"raw\": <script>x</script>", Assert.Single(view.FindAll(".vote-raw")).TextContent);
    }

    [Fact]
    public void AnAlternativeIsOpenedWithAButtonThatNamesWhatItOpens()
    {
        Alternative[] alternatives = [new("Two plus two is four.", 6, false, []), new("<script>x</script>", 1, false, [])];
        var opened = new List<Alternative>();
        var detail = Render<SentenceDetail>(p => p
            .Add(c => c.Detail, new SentenceDetailView(9, 1, "Second step.", [], null, [], 7, alternatives, []))
            .Add(c => c.SentenceCount, 3)
            .Add(c => c.OnOpenAlternative, EventCallback.Factory.Create<Alternative>(this, opened.Add)));

        var buttons = detail.FindAll("li.alternative button[data-testid=open-alternative]");
        Assert.Equal(["button", "button"], buttons.Select(b => b.GetAttribute("type")));
        Assert.Equal("Open the 6 resamples that begin with this sentence: their full text, labels and judge votes", buttons[0].GetAttribute("aria-label"));
        Assert.Equal("Open resample", buttons[1].TextContent);
        buttons[1].Click();

        Assert.Equal([alternatives[1]], opened);

        var without = Render<SentenceDetail>(p => p
            .Add(c => c.Detail, new SentenceDetailView(9, 1, "Second step.", [], null, [], 7, alternatives, []))
            .Add(c => c.SentenceCount, 3));
        Assert.Empty(without.FindAll("[data-testid=open-alternative]"));
    }

    private IRenderedComponent<SentenceDetail> RenderWithSimilarities(double? threshold, params Alternative[] alternatives) =>
        Render<SentenceDetail>(p => p
            .Add(c => c.Detail, new SentenceDetailView(9, 1, "Two plus two is four.", [], null, [], alternatives.Sum(a => a.Count), alternatives, []))
            .Add(c => c.SentenceCount, 3)
            .Add(c => c.SimilarityThreshold, threshold)
            .Add(c => c.SimilarityModel, "lexical:word-count-cosine"));

    private static readonly Alternative[] Measured =
    [
        new("Two plus two is four.", 5, true, [], 1.0),
        new("Two plus two makes four.", 3, false, [], 0.8),
        new("Something else.", 2, false, [], 0.1),
        new("Unmeasured.", 1, false, []),
    ];

    private static string[] Texts(IRenderedComponent<SentenceDetail> detail) =>
        [.. detail.FindAll("li.alternative .alternative-text").Select(e => e.TextContent)];

    [Fact]
    public void AlternativesFilterBySimilarityToTheOriginalAtTheShownThreshold()
    {
        var detail = RenderWithSimilarities(0.8, Measured);

        var options = detail.FindAll("[data-testid=similarity-filter] button");
        Assert.Equal(["All 11", "Similar (≥ 0.8) 8", "Dissimilar (< 0.8) 2"], options.Select(o => Normalize(o.TextContent)));
        Assert.Equal(["true", "false", "false"], options.Select(o => o.GetAttribute("aria-pressed")));
        Assert.Equal(["true", "true", "false", null], detail.FindAll("li.alternative").Select(li => li.GetAttribute("data-similar")));
        Assert.Equal("similarity 0.800", detail.FindAll(".alternative-similarity")[1].TextContent);
        Assert.Equal(4, Texts(detail).Length);

        detail.Find("[data-filter=dissimilar]").Click();
        Assert.Equal(["Something else."], Texts(detail));
        Assert.Equal("true", detail.Find("[data-filter=dissimilar]").GetAttribute("aria-pressed"));

        detail.Find("[data-filter=similar]").Click();
        Assert.Equal(["Two plus two is four.", "Two plus two makes four."], Texts(detail));

        detail.Find("[data-filter=all]").Click();
        Assert.Equal(4, Texts(detail).Length);
    }

    [Fact]
    public void AFilterThatMatchesNothingSaysSo()
    {
        var detail = RenderWithSimilarities(0.05, Measured);

        detail.Find("[data-filter=dissimilar]").Click();

        Assert.Empty(Texts(detail));
        Assert.Contains("dissimilar to the original at τ = 0.05", detail.Find("[data-testid=no-alternatives-shown]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutAThresholdOrSimilaritiesThereIsNoFilter()
    {
        Assert.Empty(RenderWithSimilarities(null, Measured).FindAll("[data-testid=similarity-filter], .alternative-similarity"));
        Assert.Empty(RenderWithSimilarities(0.8, [.. Measured.Select(a => a with { Similarity = null })]).FindAll("[data-testid=similarity-filter]"));
    }

    private static string Normalize(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
