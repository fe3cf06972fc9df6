using System.Globalization;
using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

/// <summary>The trace page's metric controls over HTTP: effect, threshold, "needs more samples", provenance, comparison, recompute.</summary>
public sealed class TraceMetricsViewTests(TestApp app) : IClassFixture<TestApp>
{
    // Four words each, so the lexical similarity of the alternatives below is exactly 1, 0.5 or 0.
    private static readonly string[] Sentences = ["alpha beta gamma delta.", "epsilon zeta eta theta.", "iota kappa lambda mu.", "nu xi omicron pi."];

    /// <summary>Resamples 0-3 repeat the sentence, 4-6 share half its words, 7-9 share none.</summary>
    private static string Alternative(int i, int j)
    {
        var words = Sentences[i].TrimEnd('.').Split(' ');
        return j < 4 ? Sentences[i] : j < 7 ? $"{words[0]} {words[1]} other words." : "completely unrelated text here.";
    }

    private static readonly int[] DefaultSuccesses = [2, 3, 7, 8];

    private static readonly double?[] ImportedCounterfactuals = [0.1, -0.2, -0.3, null];

    private static readonly double?[] ImportedFractions = [0.5, 0.5, 0.02, 0.5];

    private Task<SeededTrace> SeedAsync(Func<int, double?>? counterfactual = null, Func<int, int>? successes = null) =>
        TraceSeeder.SeedAsync(app, new TraceSeed
        {
            DatasetKey = $"metrics-view/{Guid.NewGuid():N}",
            Sentences = Sentences,
            Successes = successes ?? (i => DefaultSuccesses[i]),
            Counterfactual = counterfactual ?? (k => ImportedCounterfactuals[k]),
            DissimilarFraction = k => ImportedFractions[k],
            Alternative = Alternative,
        });

    /// <summary>A seeded trace whose resamples carry labels: position i has <paramref name="successes"/>[i] positives of 10.</summary>
    private async Task<SeededTrace> SeedLabelledAsync(int[] successes)
    {
        var trace = await SeedAsync(successes: i => successes[i]);
        await MetricsLabels.LabelAsync(app, trace.TraceId, OutcomeRegistry.IsCorrect, (i, j) => j < successes[i]);
        return trace;
    }

    private async Task<IDocument> GetAsync(string url)
    {
        var response = await app.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ComponentRenderer.Parse(await response.Content.ReadAsStringAsync());
    }

    private static double Strength(IElement sentence) =>
        double.Parse(sentence.GetAttribute("style")!.Replace("--w: ", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    private static string DirectionOf(double? value) => value switch { > 0 => "promotes", < 0 => "suppresses", _ => "none" };

    private static string DetailValue(IDocument document, string term) =>
        document.QuerySelectorAll(".sentence-detail .metrics dt").First(dt => dt.TextContent == term).NextElementSibling!.TextContent.Trim();

    [Fact]
    public async Task EffectSwitchRetintsSentencesAndRecoloursTheChart()
    {
        var trace = await SeedAsync();

        var counterfactual = await GetAsync($"/traces/{trace.TraceId}");
        var resampling = await GetAsync($"/traces/{trace.TraceId}?effect=resampling");

        var resamplingEffects = Enumerable.Range(0, Sentences.Length).Select(k => trace.Metric(k, MetricNames.ResamplingEffect)!.Value).ToArray();
        Assert.Equal(resamplingEffects.Select(v => DirectionOf(v)), resampling.QuerySelectorAll(".sentence").Select(s => s.GetAttribute("data-direction")));
        var max = resamplingEffects.Max(Math.Abs);
        Assert.Equal(resamplingEffects.Select(v => Math.Round(Math.Abs(v) / max, 2)), resampling.QuerySelectorAll(".sentence").Select(Strength));
        // Sentence 1 raises the rate when resampled but lowers it against genuinely different sentences.
        Assert.Equal("suppresses", counterfactual.GetElementById("s-1")!.GetAttribute("data-direction"));
        Assert.Equal("promotes", resampling.GetElementById("s-1")!.GetAttribute("data-direction"));
        Assert.Equal("true", resampling.QuerySelector("[data-testid=effect-switch] a[data-effect=resampling]")!.GetAttribute("aria-pressed"));
        // The top sentences follow the effect: the largest resampling effect comes first, signed.
        var largest = Enumerable.Range(0, Sentences.Length).MaxBy(k => Math.Abs(resamplingEffects[k]));
        var first = resampling.QuerySelector("[data-testid=top-sentences] li")!;
        Assert.Equal(largest.ToString(CultureInfo.InvariantCulture), first.GetAttribute("data-index"));
        Assert.Equal(MetricFormat.Signed(resamplingEffects[largest]), first.QuerySelector(".top-value")!.TextContent);
    }

    [Fact]
    public async Task KlViewScalesTintsByKlAndKeepsTheCounterfactualColour()
    {
        var trace = await SeedAsync();

        var document = await GetAsync($"/traces/{trace.TraceId}?effect=kl");

        // Sentences 2 and 3 fall back to the resampling effect, so their KL is the resampling KL.
        var kl = Enumerable.Range(0, Sentences.Length)
            .Select(k => (k >= 2 ? trace.Metric(k, MetricNames.ResamplingKl) : trace.Metric(k, MetricNames.CounterfactualKl))!.Value).ToArray();
        Assert.Equal(kl.Select(v => Math.Round(v / kl.Max(), 2)), document.QuerySelectorAll(".sentence").Select(Strength));
        Assert.Equal("suppresses", document.GetElementById("s-1")!.GetAttribute("data-direction"));
        Assert.Contains("stronger tint = larger KL", document.QuerySelector(".legend")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LinksKeepTheViewSettings()
    {
        var trace = await SeedAsync();

        var document = await GetAsync($"/traces/{trace.TraceId}?effect=kl&threshold=0.65");

        Assert.Equal(
            $"/traces/{trace.TraceId}?effect=resampling&threshold=0.65",
            document.QuerySelector("[data-testid=effect-switch] a[data-effect=resampling]")!.GetAttribute("href"));
        Assert.Equal(
            $"/traces/{trace.TraceId}/sentences/2?effect=kl&threshold=0.65",
            document.GetElementById("s-2")!.GetAttribute("href"));
        Assert.Equal(
            $"/traces/{trace.TraceId}?effect=kl&threshold=0.65&dim=0.25",
            document.QuerySelector("[data-testid=dim-filter] a[data-dim='0.25']")!.GetAttribute("href"));
    }

    [Fact]
    public async Task AnotherThresholdIsComputedFromTheResamplesWithoutBeingStored()
    {
        var trace = await SeedLabelledAsync(DefaultSuccesses);
        await MetricsLabels.RecomputeAsync(app, trace.TraceId, threshold: 0.8);

        var stored = await GetAsync($"/traces/{trace.TraceId}/sentences/0");
        var lower = await GetAsync($"/traces/{trace.TraceId}/sentences/0?threshold=0.4");

        // At 0.8 both the half-overlapping and the unrelated alternatives are dissimilar (6 of 10); at 0.4 only the unrelated (3).
        Assert.Equal("0.600", DetailValue(stored, "Dissimilar fraction"));
        Assert.Equal("0.300", DetailValue(lower, "Dissimilar fraction"));
        var form = lower.QuerySelector("form[data-testid=threshold-form]")!;
        Assert.Equal("get", form.GetAttribute("method"));
        Assert.Equal("0.4", form.QuerySelector("input[name=threshold]")!.GetAttribute("value"));
        var provenance = lower.QuerySelector("[data-testid=provenance]")!;
        Assert.Contains("not stored", provenance.QuerySelector("[data-field=source]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("0.4", provenance.QuerySelector("[data-field=threshold]")!.TextContent);
        Assert.Equal("Store these metrics", provenance.QuerySelector("form[data-testid=recompute-form] button")!.TextContent.Trim());
        await using var db = app.CreateDbContext();
        Assert.False(await db.Set<MetricSet>().AnyAsync(m => m.TraceId == trace.TraceId && m.Threshold == 0.4));
    }

    [Fact]
    public async Task AStoredThresholdIsReadNotComputed()
    {
        var trace = await SeedLabelledAsync(DefaultSuccesses);
        await MetricsLabels.RecomputeAsync(app, trace.TraceId, threshold: 0.4);
        await MetricsLabels.RecomputeAsync(app, trace.TraceId, threshold: 0.8);

        var document = await GetAsync($"/traces/{trace.TraceId}/sentences/0?threshold=0.4");

        Assert.Equal("0.300", DetailValue(document, "Dissimilar fraction"));
        Assert.Equal("computed from the stored resamples", document.QuerySelector("[data-field=source]")!.TextContent);
        Assert.Equal(["0.4", "0.8"], document.QuerySelectorAll("#stored-thresholds option").Select(o => o.GetAttribute("value")!));
    }

    [Fact]
    public async Task SentencesWhoseIntervalContainsZeroAreGreyed()
    {
        // Resampling effects: 0 (1 -> 1 of 10), +0.9 (1 -> 10), 0 (10 -> 10).
        var trace = await SeedLabelledAsync([1, 1, 10, 10]);
        var set = (await MetricsLabels.RecomputeAsync(app, trace.TraceId)).Single();
        var values = await MetricsLabels.ValuesAsync(app, set.MetricSetId);

        var document = await GetAsync($"/traces/{trace.TraceId}?effect=resampling");

        var expected = Enumerable.Range(0, Sentences.Length).Select(k =>
            values.SingleOrDefault(v => v.SentenceIndex == k && v.Name == MetricNames.ResamplingEffect) is { Low: <= 0, High: >= 0 } ? "true" : null);
        Assert.Equal(expected, document.QuerySelectorAll(".sentence").Select(s => s.GetAttribute("data-uncertain")));
        Assert.Null(document.GetElementById("s-1")!.GetAttribute("data-uncertain"));
        Assert.Equal("true", document.GetElementById("s-0")!.GetAttribute("data-uncertain"));
        Assert.Contains("needs more samples", document.QuerySelector("[data-testid=legend-uncertain]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvenancePanelExplainsAComputedSet()
    {
        var trace = await SeedLabelledAsync(DefaultSuccesses);
        await MetricsLabels.RecomputeAsync(app, trace.TraceId, threshold: 0.75);

        var panel = (await GetAsync($"/traces/{trace.TraceId}")).QuerySelector("[data-testid=provenance]")!;

        Assert.Equal("computed from the stored resamples", panel.QuerySelector("[data-field=source]")!.TextContent);
        Assert.Contains(OutcomeRegistry.IsCorrect, panel.QuerySelector("[data-field=outcome]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("0.75", panel.QuerySelector("[data-field=threshold]")!.TextContent);
        var similarity = panel.QuerySelector("[data-field=similarity]")!.TextContent;
        Assert.Contains("lexical word overlap, not semantic", similarity, StringComparison.Ordinal);
        Assert.Contains("lexical:word-count-cosine", similarity, StringComparison.Ordinal);
        Assert.Equal("1E-09", panel.QuerySelector("[data-field=alpha]")!.TextContent);
        Assert.StartsWith("40 of 40 resamples labelled on Correct answer · computed from 40", panel.QuerySelector("[data-field=counts]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(app.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture), panel.QuerySelector("[data-field=computed-at]")!.TextContent);
    }

    [Fact]
    public async Task ProvenancePanelNamesAnImportedSet()
    {
        var trace = await SeedAsync();

        var panel = (await GetAsync($"/traces/{trace.TraceId}")).QuerySelector("[data-testid=provenance]")!;

        Assert.Equal("imported from chunks_labeled.json", panel.QuerySelector("[data-field=source]")!.TextContent);
        Assert.Contains("embedding model", panel.QuerySelector("[data-field=similarity]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("all-MiniLM-L6-v2", panel.QuerySelector("[data-field=similarity]")!.TextContent, StringComparison.Ordinal);
        Assert.Null(panel.QuerySelector("[data-testid=comparison-summary]"));
    }

    [Fact]
    public async Task ComputedAndImportedValuesAreComparedAndDifferencesFlagged()
    {
        var trace = await SeedLabelledAsync(DefaultSuccesses);
        var set = (await MetricsLabels.RecomputeAsync(app, trace.TraceId)).Single();
        var computed = await MetricsLabels.ValuesAsync(app, set.MetricSetId);

        var document = await GetAsync($"/traces/{trace.TraceId}/sentences/1");

        string[] compared = [MetricNames.PrefixRate, MetricNames.ResamplingEffect, MetricNames.CounterfactualEffect, MetricNames.ResamplingKl, MetricNames.CounterfactualKl, MetricNames.DissimilarFraction];
        double Value(IEnumerable<SentenceMetric> values, int k, string name) => values.SingleOrDefault(v => v.SentenceIndex == k && v.Name == name)?.Value ?? 0;
        var expected = Enumerable.Range(0, Sentences.Length)
            .Select(k => compared.Any(name => Math.Abs(Value(computed, k, name) - Value(trace.Metrics, k, name)) > 1e-6) ? "true" : null)
            .ToList();
        Assert.Contains("true", expected);
        Assert.Equal(expected, document.QuerySelectorAll(".sentence").Select(s => s.GetAttribute("data-differs")));
        Assert.NotNull(document.QuerySelector("[data-testid=legend-differs]"));

        var rows = document.QuerySelectorAll(".sentence-detail [data-testid=comparison] tbody tr");
        var counterfactualRow = rows.Single(r => r.GetAttribute("data-metric") == "Counterfactual effect");
        Assert.Equal(MetricFormat.Number(Value(computed, 1, MetricNames.CounterfactualEffect)), counterfactualRow.Children[1].TextContent);
        Assert.Equal(MetricFormat.Number(Value(trace.Metrics, 1, MetricNames.CounterfactualEffect)), counterfactualRow.Children[2].TextContent);
        Assert.Equal(
            Math.Abs(Value(computed, 1, MetricNames.CounterfactualEffect) - Value(trace.Metrics, 1, MetricNames.CounterfactualEffect)) > 1e-6 ? "true" : "false",
            counterfactualRow.GetAttribute("data-differs"));
        // Labels match the imported successes, so the prefix rates agree.
        Assert.Equal("false", rows.Single(r => r.GetAttribute("data-metric") == "Prefix rate").GetAttribute("data-differs"));
    }

    [Fact]
    public async Task RecomputeWithoutAnAntiforgeryTokenIsRejected()
    {
        var trace = await SeedLabelledAsync(DefaultSuccesses);

        var response = await app.CreateClient().PostAsync(
            $"/traces/{trace.TraceId}/recompute", new FormUrlEncodedContent(new Dictionary<string, string> { ["threshold"] = "0.7" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await using var db = app.CreateDbContext();
        Assert.False(await db.Set<MetricSet>().AnyAsync(m => m.TraceId == trace.TraceId && m.Source == MetricSource.Computed));
    }

    [Fact]
    public async Task RecomputeWithTheTokenStoresAComputedSetAndShowsIt()
    {
        var trace = await SeedLabelledAsync(DefaultSuccesses);
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var page = ComponentRenderer.Parse(await client.GetStringAsync($"/traces/{trace.TraceId}?threshold=0.7&effect=resampling"));
        var form = page.QuerySelector("form[data-testid=recompute-form]")!;
        var fields = form.QuerySelectorAll("input[type=hidden]").ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value")!);

        var response = await client.PostAsync(form.GetAttribute("action"), new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/traces/{trace.TraceId}?outcome={OutcomeRegistry.IsCorrect}&effect=resampling&threshold=0.7", response.Headers.Location!.OriginalString);
        await using (var db = app.CreateDbContext())
        {
            var set = await db.Set<MetricSet>().SingleAsync(m => m.TraceId == trace.TraceId && m.Source == MetricSource.Computed);
            Assert.Equal(0.7, set.Threshold);
            Assert.Equal(40, set.ResampleCount);
        }

        var shown = ComponentRenderer.Parse(await client.GetStringAsync(response.Headers.Location.OriginalString));
        Assert.Equal("computed from the stored resamples", shown.QuerySelector("[data-field=source]")!.TextContent);
    }

    [Fact]
    public async Task RecomputeOfAnUnknownTraceIsNotFound()
    {
        var trace = await SeedLabelledAsync(DefaultSuccesses);
        var client = app.CreateClient();
        var page = ComponentRenderer.Parse(await client.GetStringAsync($"/traces/{trace.TraceId}"));
        var token = page.QuerySelector("form[data-testid=recompute-form] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        var response = await client.PostAsync("/traces/987654/recompute", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task AlignmentFakingTracesDrawBothCurvesColouredByTheSelectedOutcome()
    {
        var trace = await TraceSeeder.SeedAsync(app, new TraceSeed
        {
            DatasetKey = $"af/{Guid.NewGuid():N}", Kind = TraceViewer.Datasets.DatasetKind.AlignmentFaking, OutcomeKey = OutcomeRegistry.Compliance, Tier = "free",
            Sentences = Sentences, Alternative = Alternative,
        });
        int[] compliance = [1, 1, 10, 10];
        int[] faking = [9, 9, 0, 0];
        await MetricsLabels.LabelAsync(app, trace.TraceId, OutcomeRegistry.Compliance, (i, j) => j < compliance[i]);
        await MetricsLabels.LabelAsync(app, trace.TraceId, OutcomeRegistry.AlignmentFaking, (i, j) => j < faking[i]);
        await MetricsLabels.RecomputeAsync(app, trace.TraceId);

        var byCompliance = await GetAsync($"/traces/{trace.TraceId}?effect=resampling");
        var byFaking = await GetAsync($"/traces/{trace.TraceId}?effect=resampling&outcome={OutcomeRegistry.AlignmentFaking}");

        string?[] keys = [OutcomeRegistry.Compliance, OutcomeRegistry.AlignmentFaking];
        Assert.Equal(keys, byCompliance.QuerySelectorAll("[data-testid=outcome-switch] a").Select(a => a.GetAttribute("data-outcome")));
        Assert.Equal(["true", "false"], byCompliance.QuerySelectorAll("[data-testid=outcome-switch] a").Select(a => a.GetAttribute("aria-pressed")));
        Assert.Equal(["false", "true"], byFaking.QuerySelectorAll("[data-testid=outcome-switch] a").Select(a => a.GetAttribute("aria-pressed")));
        // The detail shows every outcome's numbers for the selected sentence.
        Assert.Equal(keys, byFaking.QuerySelectorAll(".sentence-detail .outcome-metrics").Select(o => o.GetAttribute("data-outcome")));
        // Sentence 1 raises compliance and lowers alignment faking: the sentence tint follows the outcome switch.
        Assert.Equal("promotes", byCompliance.GetElementById("s-1")!.GetAttribute("data-direction"));
        Assert.Equal("suppresses", byFaking.GetElementById("s-1")!.GetAttribute("data-direction"));
        Assert.Equal(2, byFaking.QuerySelectorAll("[data-testid=outcome-switch] a").Length);
    }
}
