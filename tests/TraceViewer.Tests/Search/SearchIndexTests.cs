using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Data;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Search;
using TraceViewer.Tests.Data;
using TraceViewer.Tests.Import;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Search;

/// <summary>
/// The stored shown effects and the full-text index against the query they replace, on the fixtures and both
/// providers: the same hits in the same order, effects that follow every change of metric sets, and plans that use
/// the indexes.
/// </summary>
[Collection(PostgresServerGroup.Name)]
public sealed partial class SearchIndexTests(PostgresServer server) : IDisposable
{
    private readonly List<TestApp> _apps = [];
    private readonly List<string> _directories = [];

    public void Dispose()
    {
        foreach (var app in _apps)
        {
            app.Dispose();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var directory in _directories)
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private TestApp App(bool postgres, string? directory = null, string? database = null)
    {
        var app = directory is null ? new TestApp() : new TestApp(directory);
        if (postgres)
        {
            app.WithPostgres(server, database);
        }

        _apps.Add(app);
        return app;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ADatabaseFromBeforeTheIndexGetsItsShownEffectsAndTextIndexOnStart(bool postgres)
    {
        // A database with the fixtures on the schema of the migration before SearchIndex: made with today's app, then
        // taken back, which drops the table, the full-text index and its triggers.
        var database = PostgresServer.NewDatabaseName();
        var directory = Directory.CreateTempSubdirectory("traceviewer-test-upgrade-").FullName;
        _directories.Add(directory);
        var first = await ImportedAsync(App(postgres, directory, database));
        var path = first.DatabasePath;
        first.Dispose();
        _apps.Remove(first);
        await using (var db = postgres
            ? new PostgresTraceViewerDbContext(new DbContextOptionsBuilder<PostgresTraceViewerDbContext>().UseNpgsql(server.ConnectionString(database)).Options)
            : TestApp.OpenDatabase(path))
        {
            var migrations = db.Database.GetMigrations().ToList();
            var index = migrations.FindIndex(m => m.EndsWith("_SearchIndex", StringComparison.Ordinal));
            Assert.True(index > 0);
            await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().MigrateAsync(migrations[index - 1]);
            Assert.Contains(migrations[index], await db.Database.GetPendingMigrationsAsync());
            Assert.True(await db.Set<MetricSet>().AnyAsync());
        }

        var upgraded = App(postgres, directory, database);
        await using (var db = upgraded.CreateDbContext())
        {
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        }

        await AssertInStepAsync(upgraded);
        var outcome = (await OutcomesAsync(upgraded))[0];
        foreach (var filter in new SentenceSearchFilter[] { new(Text: "the"), new(Outcome: outcome), new(Text: "so", Outcome: outcome) })
        {
            await using var db = upgraded.CreateDbContext();
            var expected = await PreviousQuery.FindAsync(db, filter);
            Assert.NotEmpty(expected);
            Assert.Equal(expected, await FindAllAsync(upgraded, filter));
        }
    }

    private static async Task<TestApp> ImportedAsync(TestApp app)
    {
        var summary = await app.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        Assert.True(summary.TracesAdded >= 2);
        return app;
    }

    private static async Task<List<(int TraceId, int Index)>> FindAllAsync(TestApp app, SentenceSearchFilter filter, int rareWordLimit = SearchQueries.DefaultRareWordLimit)
    {
        var hits = new List<(int, int)>();
        for (var page = 1; ; page++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var queries = scope.ServiceProvider.GetRequiredService<SearchQueries>();
            queries.RareWordLimit = rareWordLimit;
            var result = await queries.FindAsync(filter with { Page = page }, CancellationToken.None);
            hits.AddRange(result.Items.Select(h => (h.TraceId, h.Index)));
            if (hits.Count >= result.Total || result.Items.Count == 0)
            {
                Assert.Equal(result.Total, hits.Count);
                return hits;
            }
        }
    }

    private static async Task<List<string>> OutcomesAsync(TestApp app)
    {
        await using var db = app.CreateDbContext();
        return await db.Set<Outcome>().Where(o => db.Set<MetricSet>().Any(m => m.OutcomeId == o.Id)).Select(o => o.Key).OrderBy(k => k).ToListAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HitsEqualTheQueryBeforeTheIndexOnTheFixtures(bool postgres)
    {
        var app = await ImportedAsync(App(postgres));
        var outcomes = await OutcomesAsync(app);
        Assert.NotEmpty(outcomes);
        var filters = new List<SentenceSearchFilter> { new(Text: "the"), new(Text: "So"), new(Text: "blackmail"), new(Text: "answer"), new(Text: "ans*") };
        foreach (var outcome in outcomes)
        {
            filters.Add(new(Outcome: outcome));
            filters.Add(new(Outcome: outcome, Direction: Direction.Promotes));
            filters.Add(new(Outcome: outcome, Direction: Direction.Suppresses, MinImportance: 0.05));
            filters.Add(new(Outcome: outcome, MinImportance: 0.1));
            filters.Add(new(Outcome: outcome, Effect: EffectKind.Resampling, Direction: Direction.Promotes));
            filters.Add(new(Outcome: outcome, Effect: EffectKind.Resampling, MinImportance: 0.1));
            filters.Add(new(Outcome: outcome, Effect: EffectKind.Kl));
            filters.Add(new(Outcome: outcome, Effect: EffectKind.Kl, MinImportance: 0.05));
            filters.Add(new(Text: "the", Outcome: outcome));
            filters.Add(new(Text: "so", Outcome: outcome, Direction: Direction.Suppresses));
            filters.Add(new(Text: "the", Outcome: outcome, Effect: EffectKind.Kl, MinImportance: 0.05));
            filters.Add(new(Text: "the", Outcome: outcome, Effect: EffectKind.Resampling, Direction: Direction.Promotes));
        }

        var nonEmpty = 0;
        foreach (var filter in filters)
        {
            await using var db = app.CreateDbContext();
            var expected = await PreviousQuery.FindAsync(db, filter);
            var actual = await FindAllAsync(app, filter);
            Assert.True(expected.SequenceEqual(actual), $"{filter}: expected {expected.Count} hits, got {actual.Count}");
            // The fixtures' words are rare; counted as common, the other plan must find the same hits in the same order.
            var asCommon = await FindAllAsync(app, filter, rareWordLimit: 0);
            Assert.True(expected.SequenceEqual(asCommon), $"{filter} as a common word: expected {expected.Count} hits, got {asCommon.Count}");
            nonEmpty += expected.Count > 0 ? 1 : 0;
        }

        // The comparison means something only when most searches find sentences.
        Assert.True(nonEmpty >= filters.Count * 3 / 4, $"{nonEmpty} of {filters.Count} searches found sentences");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ShownEffectsFollowMetricSetsAddedRecomputedAndDeletedAndImportedTraces(bool postgres)
    {
        var app = await ImportedAsync(App(postgres));
        // Imported traces: every sentence of a trace that shows a set for an outcome has a row, from that set.
        await AssertInStepAsync(app);
        int traceId, outcomeId, shownId;
        MetricSetChoice choice;
        await using (var db = app.CreateDbContext())
        {
            var shown = await ShownMetricSets.LoadAsync(db.Set<MetricSet>(), MetricSetPolicy.Default, CancellationToken.None);
            ((traceId, outcomeId), choice) = shown.OrderBy(p => p.Key).First();
            shownId = choice.Id;
        }

        // The imported set has a coverage a small computed set falls short of.
        Assert.Equal(MetricSource.Imported, choice.Source);
        Assert.True(choice.Positions > 0, "the shown imported set has prefix rates");
        var before = await EffectsAsync(app, traceId, outcomeId);
        Assert.All(before, e => Assert.Equal(shownId, e.MetricSetId));

        // Added, covering less: a newer computed set with fewer positions and resamples than the imported one is not
        // shown (the coverage rule of ShownMetricSets), so the stored effects stay those of the imported set.
        await AddComputedSetAsync(app, traceId, outcomeId, sign: 1, covers: null);
        Assert.Equal(before.Select(Key), (await EffectsAsync(app, traceId, outcomeId)).Select(Key));
        await AssertInStepAsync(app);

        // Added, covering as well: a newer computed set with as many positions and resamples is shown, with its own numbers.
        var added = await AddComputedSetAsync(app, traceId, outcomeId, sign: 1, covers: choice);
        var afterAdd = await EffectsAsync(app, traceId, outcomeId);
        Assert.All(afterAdd, e => Assert.Equal(added, e.MetricSetId));
        Assert.Contains(afterAdd, e => e.Directional == 0.5 + (e.SentenceIndex % 7) / 100.0);
        await AssertInStepAsync(app);

        // Recomputed: the set is replaced as the recomputer replaces it (delete in bulk, add the new one, one transaction).
        await using (var db = app.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.Set<MetricSet>().Where(m => m.Id == added).ExecuteDeleteAsync();
            db.Add(ComputedSet(traceId, outcomeId, await SentenceCountAsync(db, traceId), sign: -1, covers: choice));
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        var afterRecompute = await EffectsAsync(app, traceId, outcomeId);
        Assert.All(afterRecompute, e => Assert.NotEqual(added, e.MetricSetId));
        Assert.All(afterRecompute, e => Assert.True(e.Directional < 0));
        var recomputed = afterRecompute[0].MetricSetId;
        await AssertInStepAsync(app);
        Assert.Contains(await FindAllAsync(app, new(Outcome: await OutcomeKeyAsync(app, outcomeId), Direction: Direction.Suppresses)), h => h.TraceId == traceId);

        // Deleted: the set shown before comes back, with exactly its rows (the computed set that covers less stays unshown).
        await using (var db = app.CreateDbContext())
        {
            db.Remove(await db.Set<MetricSet>().SingleAsync(m => m.Id == recomputed));
            await db.SaveChangesAsync();
        }

        Assert.Equal(before.Select(Key), (await EffectsAsync(app, traceId, outcomeId)).Select(Key));
        await AssertInStepAsync(app);
    }

    private static async Task<string> OutcomeKeyAsync(TestApp app, int outcomeId)
    {
        await using var db = app.CreateDbContext();
        return await db.Set<Outcome>().Where(o => o.Id == outcomeId).Select(o => o.Key).SingleAsync();
    }

    private static async Task<int> SentenceCountAsync(TraceViewerDbContext db, int traceId) =>
        await db.Set<Sentence>().CountAsync(s => s.TraceId == traceId);

    /// <summary>
    /// A computed set with effects on every sentence. With <paramref name="covers"/>, it has as many resamples and
    /// positions with a prefix rate as that set (so it covers the trace as well); without, neither.
    /// </summary>
    private static MetricSet ComputedSet(int traceId, int outcomeId, int sentences, int sign, MetricSetChoice? covers)
    {
        var set = new MetricSet
        {
            TraceId = traceId, OutcomeId = outcomeId, Source = MetricSource.Computed, Threshold = 0.8, EmbeddingModel = "test",
            ComputedAt = DateTimeOffset.UtcNow, ResampleCount = covers?.ResampleCount ?? 0,
        };
        for (var k = 0; k < sentences; k++)
        {
            var value = sign * (0.5 + (k % 7) / 100.0);
            set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.CounterfactualEffect, Value = value });
            set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.ResamplingEffect, Value = value / 2 });
            set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.DissimilarFraction, Value = 0.5 });
        }

        for (var k = 0; covers is { } other && k < Math.Max(sentences, other.Positions); k++)
        {
            set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.PrefixRate, Value = 0.5 });
        }

        return set;
    }

    private static async Task<int> AddComputedSetAsync(TestApp app, int traceId, int outcomeId, int sign, MetricSetChoice? covers)
    {
        await using var db = app.CreateDbContext();
        var set = ComputedSet(traceId, outcomeId, await SentenceCountAsync(db, traceId), sign, covers);
        db.Add(set);
        await db.SaveChangesAsync();
        return set.Id;
    }

    private static async Task<List<SearchEffect>> EffectsAsync(TestApp app, int traceId, int outcomeId)
    {
        await using var db = app.CreateDbContext();
        var rows = await db.Set<SearchEffect>().AsNoTracking().Where(e => e.TraceId == traceId && e.OutcomeId == outcomeId)
            .OrderBy(e => e.SentenceIndex).ToListAsync();
        Assert.Equal(await SentenceCountAsync(db, traceId), rows.Count);
        return rows;
    }

    /// <summary>The stored rows equal what the shown-set rule gives from the stored metric sets, for every trace.</summary>
    private static async Task AssertInStepAsync(TestApp app)
    {
        await using var db = app.CreateDbContext();
        var traceIds = await db.Set<Trace>().Select(t => t.Id).ToListAsync();
        var expected = (await SearchEffectsSync.ComputeAsync(db, traceIds, CancellationToken.None)).Select(Key).Order().ToList();
        var stored = (await db.Set<SearchEffect>().AsNoTracking().ToListAsync()).Select(Key).Order().ToList();
        Assert.NotEmpty(stored);
        Assert.Equal(expected, stored);
    }

    private static string Key(SearchEffect e) => FormattableString.Invariant(
            $"{e.SentenceId}/{e.OutcomeId}/{e.TraceId}/{e.SentenceIndex}/{e.MetricSetId}/{e.Directional:R}/{e.Resampling:R}/{e.DirectionalRank:R}/{e.ResamplingRank:R}/{e.KlRank:R}");

    public static TheoryData<bool, string> PlanCases()
    {
        var data = new TheoryData<bool, string>();
        foreach (var postgres in new[] { false, true })
        {
            foreach (var search in new[] { "text", "text+outcome", "common text+outcome", "outcome", "outcome+min" })
            {
                data.Add(postgres, search);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PlanCases))]
    public async Task HotSearchesUseTheIndexesNotAFullScan(bool postgres, string search)
    {
        var app = await ImportedAsync(App(postgres));
        var outcome = (await OutcomesAsync(app))[0];
        SentenceSearchFilter filter = search switch
        {
            "text" => new(Text: "the answer"),
            "text+outcome" or "common text+outcome" => new(Text: "the", Outcome: outcome, Direction: Direction.Promotes),
            "outcome" => new(Outcome: outcome),
            _ => new(Outcome: outcome, MinImportance: 0.1, Page: 2),
        };

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        await db.Database.OpenConnectionAsync();
        if (postgres)
        {
            // The fixtures are small enough that a sequential scan is cheapest; switched off, the plan shows whether an
            // index can serve the query at all, which is what holds on a large database.
            await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off");
        }

        var queries = scope.ServiceProvider.GetRequiredService<SearchQueries>();
        // "the" is rare in the fixtures; with no word counted rare, the plan for a common word is read.
        queries.RareWordLimit = search.StartsWith("common", StringComparison.Ordinal) ? 0 : SearchQueries.DefaultRareWordLimit;
        // The page's rows and the count up to the limit: both must be read from the indexes.
        foreach (var counting in new[] { false, true })
        {
            await using var command = counting
                ? await queries.CountCommandAsync(filter, CancellationToken.None)
                : await queries.PageCommandAsync(filter, CancellationToken.None);
            AssertUsesIndexes(postgres, search, counting, await PlanAsync(db, command, postgres));
        }
    }

    private static async Task<string> PlanAsync(TraceViewerDbContext db, System.Data.Common.DbCommand command, bool postgres)
    {
        command.Connection = db.Database.GetDbConnection();
        command.CommandText = (postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + command.CommandText;
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(reader.FieldCount - 1));
            }
        }

        return string.Join('\n', plan) + "\n\n" + command.CommandText;
    }

    private static void AssertUsesIndexes(bool postgres, string search, bool counting, string text)
    {
        var textSearch = search.Contains("text", StringComparison.Ordinal);
        var outcomeSearch = search.Contains("outcome", StringComparison.Ordinal);
        // A rare word with an outcome: its sentences were read from the full-text index before, and each is looked up
        // in SearchEffect by its key. A common word: the outcome's rank index drives and each row is checked against the
        // full-text index, so the page and the count stop early (docs/decisions/0052).
        var rareWithOutcome = search == "text+outcome";
        var commonWithOutcome = search == "common text+outcome";
        if (postgres)
        {
            Assert.False(text.Contains("Seq Scan", StringComparison.Ordinal), text);
            // Rows are checked against the stored vector (Sentence.SearchVector): no plan parses a sentence's text again,
            // which cost tens of microseconds a row when a common word's count walked the sentences (docs/decisions/0058).
            Assert.False(text.Contains("to_tsvector", StringComparison.Ordinal), text);
            // With both a text and an outcome the planner may drive from either index; each can serve the query.
            if (textSearch && !outcomeSearch)
            {
                Assert.True(text.Contains("IX_Sentence_Text_FullText", StringComparison.Ordinal), text);
            }

            if (outcomeSearch)
            {
                // PostgreSQL weighs the two plans by its statistics, which on the fixtures need not be those of a large study.
                Assert.True(Regex.IsMatch(text, "IX_SearchEffect_OutcomeId_|PK_SearchEffect"), text);
            }
        }
        else
        {
            // SQLite: "SCAN x" without an index reads all of table x; a subquery's own rows (CO-ROUTINE, MATERIALIZE)
            // are already narrowed, and the full-text table is read by MATCH.
            var subqueries = Regex.Matches(text, @"(?:CO-ROUTINE|MATERIALIZE) (\S+)").Select(m => m.Groups[1].Value).ToHashSet();
            var scanned = FullScan().Matches(text).Select(m => m.Groups[2].Value).Where(name => !subqueries.Contains(name)).ToList();
            Assert.True(scanned.Count == 0, text);
            Assert.True(text.Contains("VIRTUAL TABLE INDEX", StringComparison.Ordinal) == (textSearch && !rareWithOutcome), text);

            // The count stops at the limit and a page of words is read in the full-text index's order: neither sorts
            // every hit first (docs/decisions/0045). A page ranked by effect takes its order from the rank index, but
            // for a rare word, whose few rows are sorted.
            if (counting || !rareWithOutcome)
            {
                Assert.False(text.Contains("TEMP B-TREE", StringComparison.Ordinal), text);
            }

            if (outcomeSearch)
            {
                // A page of a common word walks the rank index; its count may instead go through the list of matches by key.
                Assert.True(Regex.IsMatch(text, rareWithOutcome ? "sqlite_autoindex_SearchEffect"
                    : commonWithOutcome && counting ? "IX_SearchEffect_OutcomeId_|sqlite_autoindex_SearchEffect" : "IX_SearchEffect_OutcomeId_"), text);
            }
        }
    }

    [GeneratedRegex(@"(?m)^\s*SCAN (?!\S+ (VIRTUAL TABLE|USING))(\S+)\s*$")]
    private static partial Regex FullScan();
}
