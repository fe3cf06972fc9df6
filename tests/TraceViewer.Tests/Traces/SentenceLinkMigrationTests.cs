using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Import;
using TraceViewer.Tests.Data;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

/// <summary>
/// The PackedSentenceLinks migration on a database built at the migration before it, with SentenceLink rows as the
/// importers wrote them (the fixture's step-importance files) and scores at the edges of the double: every link comes
/// back bit for bit, packed per source sentence, and the way down gives the rows back.
/// </summary>
public abstract class SentenceLinkMigrationTests : IDisposable
{
    private const string Migration = "_PackedSentenceLinks";
    private const string Bundle = "deepseek-r1-distill-qwen-14b/correct_base_solution/problem_330";

    /// <summary>Zero, the smallest and largest subnormals, the smallest normal, both sides of 1 and 2, the largest finite, infinities.</summary>
    private static readonly double[] Edges =
    [
        0, -0.0, double.Epsilon, -double.Epsilon, BitConverter.Int64BitsToDouble(0x000F_FFFF_FFFF_FFFF), 2.2250738585072014E-308, -2.2250738585072014E-308,
        1e-310, 3 * double.Epsilon, 1, -1, Math.BitDecrement(1.0), Math.BitIncrement(1.0), Math.BitDecrement(2.0), 2, 0.1, -0.1, 1.0 / 3, Math.PI, -Math.E,
        1e300, -1e-300, double.MaxValue, double.MinValue, double.PositiveInfinity, double.NegativeInfinity, 0.5, -0.25, 1.5 * 2.2250738585072014E-308,
    ];

    private protected abstract TraceViewerDbContext CreateContext();

    public abstract void Dispose();

    [Fact]
    public async Task EveryLinkComesOverBitForBitPackedPerSourceSentence()
    {
        await using var db = CreateContext();
        var previous = await MigrateToPreviousAsync(db);
        var (bundleTrace, expected) = await SeedAsync(db);

        await db.Database.MigrateAsync();

        var rows = await db.Set<SentenceLinkRow>().AsNoTracking().ToListAsync();
        Assert.Equal(expected.Select(l => (l.TraceId, l.Kind, l.Source)).Distinct().Count(), rows.Count);
        var links = rows.SelectMany(r => PackedLinks.Unpack(r).Select(c => (r.TraceId, r.Kind, Source: r.SourceIndex, c.Target, Bits: BitConverter.DoubleToInt64Bits(c.Score))));
        Assert.Equal(Sorted(expected), Sorted(links));
        Assert.All(rows, r => Assert.Equal(PackedLinks.Unpack(r).Select(c => c.Target).Order(), PackedLinks.Unpack(r).Select(c => c.Target)));
        Assert.DoesNotContain("SentenceLink", await TablesAsync(db));

        // The sentence panel's read gives what the old rows give: per kind the strongest links either way.
        var queries = new TraceQueries(db);
        var old = expected.Where(l => l.TraceId == bundleTrace)
            .Select(l => new SentenceLinkView(l.Kind, l.Source, l.Target, BitConverter.Int64BitsToDouble(l.Bits))).ToList();
        foreach (var index in new[] { 0, 1, 40, 70, 138 })
        {
            var shown = (await queries.GetSentenceResamplesAsync(bundleTrace, index, null, CancellationToken.None)).Links;
            var want = old.Where(l => (l.Source == index && l.Target > index) || (l.Target == index && l.Source < index))
                .GroupBy(l => (l.Kind, Later: l.Source == index))
                .SelectMany(g => g.OrderByDescending(l => Math.Abs(l.Score)).ThenBy(l => g.Key.Later ? l.Target : l.Source).Take(TraceQueries.LinksShown));
            Assert.Equal(Shown(want), Shown(shown));
            Assert.NotEmpty(shown);
        }

        Assert.NotEqual(previous, (await db.Database.GetAppliedMigrationsAsync()).Last());
    }

    [Fact]
    public async Task MigratingDownGivesEveryLinkRowBack()
    {
        await using var db = CreateContext();
        var previous = await MigrateToPreviousAsync(db);
        var (_, expected) = await SeedAsync(db);
        await db.Database.MigrateAsync();

        await db.GetService<IMigrator>().MigrateAsync(previous);

        Assert.Equal(Sorted(expected), Sorted(await ReadOldRowsAsync(db)));
        Assert.DoesNotContain("SentenceLinkRow", await TablesAsync(db));
    }

    private static async Task<string> MigrateToPreviousAsync(TraceViewerDbContext db)
    {
        var migrations = db.Database.GetMigrations().ToList();
        var index = migrations.FindIndex(m => m.EndsWith(Migration, StringComparison.Ordinal));
        Assert.True(index > 0, "a PackedSentenceLinks migration with one before it");
        await db.GetService<IMigrator>().MigrateAsync(migrations[index - 1]);
        return migrations[index - 1];
    }

    /// <summary>
    /// Two traces: the fixture bundle's links of both kinds, and a trace of edge-case and random scores (random bits,
    /// every finite double equally likely by bit pattern) under a kind of a native file's own. Returns the rows as the
    /// old table gives them back (SQLite keeps no negative zero in a REAL column).
    /// </summary>
    private static async Task<(int BundleTrace, List<(int TraceId, string Kind, int Source, int Target, long Bits)> Rows)> SeedAsync(TraceViewerDbContext db)
    {
        var dataset = new Dataset { Key = "links", Name = "links", Model = "m", Kind = DatasetKind.Math, SourceFormat = SourceFormats.ViewerBundle };
        var bundle = new Trace { ExternalKey = "problem_330", Title = "problem_330", Model = "m", SourceFormat = SourceFormats.ViewerBundle, Dataset = dataset };
        var edges = new Trace { ExternalKey = "edges", Title = "edges", Model = "m", SourceFormat = SourceFormats.NativeJsonl, Dataset = dataset };
        db.AddRange(bundle, edges);
        await db.SaveChangesAsync();

        var links = new List<(int TraceId, string Kind, int Source, int Target, double Score)>();
        foreach (var (file, kind) in new[] { ("step_importance.json", SentenceLinkKinds.ResamplingMatch), ("step_importance_supp.json", SentenceLinkKinds.AttentionSuppression) })
        {
            var steps = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(SharedPaths.Fixtures("thought-anchors"), Bundle, file))).RootElement;
            links.AddRange(steps.EnumerateArray().SelectMany(s => s.GetProperty("target_impacts").EnumerateArray().Select(t =>
                (bundle.Id, kind, s.GetProperty("source_chunk_idx").GetInt32(), t.GetProperty("target_chunk_idx").GetInt32(), t.GetProperty("importance_score").GetDouble()))));
        }

        var random = new Random(61);
        var scores = Edges.Concat(Enumerable.Range(0, 3000).Select(_ => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue))).Where(double.IsFinite)).ToList();
        // Targets out of order within a source, so the conversion has to sort them.
        links.AddRange(scores.Select((score, i) => (edges.Id, "own kind", i / 100, 99 - (i % 100), score)));

        foreach (var batch in links.Chunk(400))
        {
            var values = string.Join(", ", batch.Select((_, i) => $"({{{5 * i}}}, {{{(5 * i) + 1}}}, {{{(5 * i) + 2}}}, {{{(5 * i) + 3}}}, {{{(5 * i) + 4}}})"));
#pragma warning disable EF1002 // only placeholders are put in; the values are parameters
            await db.Database.ExecuteSqlRawAsync(
                $"INSERT INTO \"SentenceLink\" (\"TraceId\", \"Kind\", \"SourceIndex\", \"TargetIndex\", \"Score\") VALUES {values}",
                batch.SelectMany(l => new object[] { l.TraceId, l.Kind, l.Source, l.Target, l.Score }));
#pragma warning restore EF1002
        }

        db.ChangeTracker.Clear();
        var stored = await ReadOldRowsAsync(db);
        Assert.Equal(links.Count, stored.Count);
        return (bundle.Id, stored);
    }

    private static async Task<List<(int TraceId, string Kind, int Source, int Target, long Bits)>> ReadOldRowsAsync(TraceViewerDbContext db)
    {
        var rows = new List<(int, string, int, int, long)>();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT \"TraceId\", \"Kind\", \"SourceIndex\", \"TargetIndex\", \"Score\" FROM \"SentenceLink\"";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt32(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), BitConverter.DoubleToInt64Bits(reader.GetDouble(4))));
        }

        return rows;
    }

    private static async Task<List<string>> TablesAsync(TraceViewerDbContext db)
    {
        await db.Database.OpenConnectionAsync();
        await using DbCommand command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = db.Database.IsNpgsql()
            ? "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()"
            : "SELECT name FROM sqlite_master WHERE type = 'table'";
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private static List<(int, string, int, int, long)> Sorted(IEnumerable<(int TraceId, string Kind, int Source, int Target, long Bits)> links) =>
        [.. links.OrderBy(l => l.TraceId).ThenBy(l => l.Kind, StringComparer.Ordinal).ThenBy(l => l.Source).ThenBy(l => l.Target)];

    private static List<string> Shown(IEnumerable<SentenceLinkView> links) =>
        [.. links.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Kind} {l.Source}->{l.Target} {BitConverter.DoubleToInt64Bits(l.Score)}")).Order(StringComparer.Ordinal)];
}

public sealed class SqliteSentenceLinkMigrationTests : SentenceLinkMigrationTests
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("traceviewer-migration-");

    private protected override TraceViewerDbContext CreateContext() => TestApp.OpenDatabase(Path.Combine(_directory.FullName, "old.db"));

    public override void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }
}

[Collection(PostgresServerGroup.Name)]
public sealed class PostgresSentenceLinkMigrationTests(PostgresServer server) : SentenceLinkMigrationTests
{
    private readonly string _database = PostgresServer.NewDatabaseName();

    private protected override TraceViewerDbContext CreateContext() =>
        new PostgresTraceViewerDbContext(new DbContextOptionsBuilder<PostgresTraceViewerDbContext>().UseNpgsql(server.ConnectionString(_database)).Options);

    public override void Dispose()
    {
    }
}
