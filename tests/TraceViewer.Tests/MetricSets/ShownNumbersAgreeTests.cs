using System.Net.Http.Json;
using System.Text.Json;
using TraceViewer.Exports;
using TraceViewer.Kinds;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Search;
using TraceViewer.Traces;
using TraceViewer.Web;

namespace TraceViewer.Tests.MetricSets;

/// <summary>
/// A trace with several metric sets for one outcome (imported and computed, at several thresholds, ids and times in
/// different orders) and a set of another outcome: every page, endpoint and export shows the same set and the same
/// direction per sentence, the one <see cref="ShownMetricSets"/> chooses.
/// </summary>
public abstract class ShownNumbersAgreeTests(PostgresServer? postgres) : ProviderAppTests(postgres)
{
    private static readonly string[] Sentences = ["First we look.", "Then we doubt.", "A pause here.", "Finally we decide."];

    /// <summary>Counterfactual effects, resampling effects and dissimilar fractions of one set, per sentence.</summary>
    private sealed record SetValues(double[] Counterfactual, double[] Resampling, double[] Dissimilar);

    // The shown set: computed, newest by time, but not the largest id. Sentence 2 has no measurable effect, sentence 3 falls back.
    private static readonly SetValues Shown = new([0.3, -0.2, 0.0, 0.4], [0.1, 0.1, 0.1, -0.25], [0.5, 0.5, 0.5, 0.02]);

    // Computed at another threshold, a larger id, an older time: every direction the opposite.
    private static readonly SetValues OlderLargerId = new([-0.3, 0.2, -0.1, -0.4], [0.1, 0.1, 0.1, 0.1], [0.5, 0.5, 0.5, 0.5]);

    // Imported, the newest time and an even larger id.
    private static readonly SetValues NewestImported = new([0.0, 0.0, 0.5, -0.5], [0.1, 0.1, 0.1, 0.1], [0.5, 0.5, 0.5, 0.5]);

    private static readonly string[] ExpectedDirections = ["promotes", "suppresses", "none", "suppresses"];

    private static readonly double[] ExpectedEffects = [0.3, -0.2, 0.0, -0.25];

    private async Task<(SeededTrace Trace, MetricSet Shown)> SeedAsync()
    {
        var seeded = await TraceSeeder.SeedAsync(App, new TraceSeed
        {
            DatasetKey = $"agree/{Guid.NewGuid():N}",
            Sentences = Sentences,
            Tags = k => [$"kind-{k}"],
        });
        var now = App.Clock.GetUtcNow();
        await using var db = App.CreateDbContext();
        var other = await db.GetOrAddAsync(OutcomeRegistry.ContainsBlackmail, CancellationToken.None);
        await db.SaveChangesAsync();

        async Task<MetricSet> AddAsync(int outcomeId, MetricSource source, double threshold, DateTimeOffset at, SetValues values)
        {
            var set = new MetricSet
            {
                TraceId = seeded.TraceId, OutcomeId = outcomeId, Source = source, Threshold = threshold, EmbeddingModel = "all-MiniLM-L6-v2",
                Alpha = 1e-9, ResampleCount = 40, ComputedAt = at, SourceFile = source == MetricSource.Imported ? "chunks_labeled.json" : null,
                Values = [.. Enumerable.Range(0, Sentences.Length).SelectMany(k => new[]
                {
                    new SentenceMetric { SentenceIndex = k, Name = MetricNames.CounterfactualEffect, Value = values.Counterfactual[k] },
                    new SentenceMetric { SentenceIndex = k, Name = MetricNames.ResamplingEffect, Value = values.Resampling[k] },
                    new SentenceMetric { SentenceIndex = k, Name = MetricNames.DissimilarFraction, Value = values.Dissimilar[k] },
                    new SentenceMetric { SentenceIndex = k, Name = MetricNames.CounterfactualKl, Value = Math.Abs(values.Counterfactual[k]) },
                    new SentenceMetric { SentenceIndex = k, Name = MetricNames.ResamplingKl, Value = Math.Abs(values.Resampling[k]) },
                })],
            };
            db.Add(set);
            await db.SaveChangesAsync();
            return set;
        }

        // Saved one by one, so the ids grow in this order while the times do not.
        var shown = await AddAsync(seeded.OutcomeId, MetricSource.Computed, 0.8, now.AddHours(2), Shown);
        await AddAsync(seeded.OutcomeId, MetricSource.Computed, 0.7, now.AddHours(1), OlderLargerId);
        await AddAsync(seeded.OutcomeId, MetricSource.Imported, 0.9, now.AddHours(3), NewestImported);
        await AddAsync(other.Id, MetricSource.Computed, 0.8, now.AddHours(5), OlderLargerId);
        return (seeded, shown);
    }

    [Fact]
    public async Task EveryPageEndpointAndExportShowsTheSameSetAndDirections()
    {
        var (trace, shown) = await SeedAsync();
        var client = App.CreateClient();

        // The trace page, prerendered.
        var html = await client.GetStringAsync($"/traces/{trace.TraceId}");
        var page = ComponentRenderer.Parse(html);
        var pageDirections = page.QuerySelectorAll("#sentences > a.sentence").Select(s => s.GetAttribute("data-direction")).ToList();

        // GET /api/traces/{id}.
        using var api = JsonDocument.Parse(await client.GetStringAsync($"/api/traces/{trace.TraceId}"));
        var outcome = api.RootElement.GetProperty("outcomes").EnumerateArray().Single(o => o.GetProperty("key").GetString() == OutcomeRegistry.IsCorrect);
        var provenance = outcome.GetProperty("provenance");
        var apiEffects = outcome.GetProperty("effects").EnumerateArray().ToList();
        var apiDirections = apiEffects.Select(e => e.GetProperty("direction").GetString()).ToList();
        var apiValues = apiEffects.Select(e => e.GetProperty(e.GetProperty("fallback").GetBoolean() ? "resamplingEffect" : "counterfactualEffect").GetProperty("value").GetDouble()).ToList();

        // The sentence exports.
        var exported = (await client.GetFromJsonAsync<List<Dictionary<string, JsonElement>>>($"/api/traces/{trace.TraceId}/sentences.json"))!
            .Where(r => r["outcome"].GetString() == OutcomeRegistry.IsCorrect).ToList();
        var csv = await client.GetStringAsync($"/api/traces/{trace.TraceId}/sentences.csv");
        var csvRows = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(','))
            .Where(c => c[3] == OutcomeRegistry.IsCorrect).ToList();
        var directionColumn = ExportTables.SentenceHeader.ToList().IndexOf("direction");

        // Sentence search, ranked by the outcome, and its export.
        var hits = (await client.GetFromJsonAsync<List<SentenceHit>>(
            $"/api/search.json?dataset={trace.DatasetId}&outcome={OutcomeRegistry.IsCorrect}", JsonSerializerOptions.Web))!
            .OrderBy(h => h.Index).ToList();

        // Which kinds of sentences matter: each sentence carries its own tag, so a tag's mean is that sentence's effect.
        var kinds = (await client.GetFromJsonAsync<KindsView>(
            $"/api/kinds?dataset={trace.DatasetId}&outcome={OutcomeRegistry.IsCorrect}&effect=counterfactual", JsonSerializerOptions.Web))!;
        var kindValues = Enumerable.Range(0, Sentences.Length).Select(k => kinds.Find($"kind-{k}")?.Tagged.MeanSigned.Value).ToList();

        Assert.Equal(ExpectedDirections, pageDirections);

        Assert.Equal("Computed", provenance.GetProperty("source").GetString());
        Assert.Equal(0.8, provenance.GetProperty("threshold").GetDouble());
        Assert.Equal(shown.ComputedAt, provenance.GetProperty("computedAt").GetDateTimeOffset());
        Assert.Equal(ExpectedDirections, apiDirections);
        Assert.Equal(ExpectedEffects, apiValues);

        Assert.Equal(ExpectedDirections, exported.Select(r => r["direction"].GetString()));
        Assert.Equal(ExpectedDirections, csvRows.Select(c => c[directionColumn]));

        Assert.Equal([0, 1, 2, 3], hits.Select(h => h.Index));
        Assert.All(hits, h => Assert.Equal(("computed", 0.8), (h.Effect!.Source, h.Effect.Threshold!.Value)));
        Assert.Equal(ExpectedDirections, hits.Select(h => h.Effect!.Shown.Direction.CssName()));
        Assert.Equal(ExpectedEffects, hits.Select(h => h.Effect!.Value!.Value));

        Assert.Equal(new Dictionary<string, int> { ["computed"] = 1 }, kinds.Basis!.MetricSets);
        Assert.Equal(ExpectedEffects.Select(e => (double?)e), kindValues);
        Assert.Equal(ExpectedDirections, kindValues.Select(v => ShownMetricSets.DirectionOf(v).CssName()));
    }

    [Fact]
    public async Task TheSearchDirectionFilterKeepsTheSentencesOfThatDirection()
    {
        var (trace, _) = await SeedAsync();
        var client = App.CreateClient();

        async Task<int[]> IndicesAsync(string direction) =>
            [.. (await client.GetFromJsonAsync<List<SentenceHit>>(
                $"/api/search.json?dataset={trace.DatasetId}&outcome={OutcomeRegistry.IsCorrect}&direction={direction}", JsonSerializerOptions.Web))!
                .Select(h => h.Index).Order()];

        var promotes = await IndicesAsync("promotes");
        var suppresses = await IndicesAsync("suppresses");

        Assert.Equal([0], promotes);
        Assert.Equal([1, 3], suppresses);
    }

    [Fact]
    public async Task LoadingChoosesByTimeOnTheDatabase()
    {
        var (trace, shown) = await SeedAsync();
        await using var db = App.CreateDbContext();

        var chosen = await ShownMetricSets.LoadAsync(db.Set<MetricSet>().Where(m => m.TraceId == trace.TraceId), MetricSetPolicy.Default, CancellationToken.None);
        var atSeven = await ShownMetricSets.LoadAsync(db.Set<MetricSet>().Where(m => m.TraceId == trace.TraceId), new MetricSetPolicy(Threshold: 0.7), CancellationToken.None);
        var imported = await ShownMetricSets.LoadAsync(
            db.Set<MetricSet>().Where(m => m.TraceId == trace.TraceId), new MetricSetPolicy(MetricSource.Imported), CancellationToken.None);

        Assert.Equal(2, chosen.Count);
        Assert.Equal(shown.Id, chosen[(trace.TraceId, trace.OutcomeId)].Id);
        Assert.Equal(shown.ComputedAt, chosen[(trace.TraceId, trace.OutcomeId)].ComputedAt);
        Assert.Equal(0.7, atSeven[(trace.TraceId, trace.OutcomeId)].Threshold);
        Assert.Equal((MetricSource.Imported, 0.9), (imported[(trace.TraceId, trace.OutcomeId)].Source, imported[(trace.TraceId, trace.OutcomeId)].Threshold));
    }
}

public sealed class SqliteShownNumbersAgreeTests() : ShownNumbersAgreeTests(null);

[Collection(TraceViewer.Tests.Data.PostgresServerGroup.Name)]
public sealed class PostgresShownNumbersAgreeTests(PostgresServer server) : ShownNumbersAgreeTests(server);
