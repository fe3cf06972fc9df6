using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using TraceViewer.Data;
using TraceViewer.Tags;
using TraceViewer.Tests.Data;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Tags;

/// <summary>
/// The Tags migration on a database built at the migration before it, with Sentence.FunctionTags as the importers wrote
/// it: the fixtures' real function tags and the edge cases a newline-joined list can hold.
/// </summary>
public abstract class FunctionTagMigrationTests : IDisposable
{
    private static readonly DateTimeOffset ImportedAt = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    /// <summary>Lists the column could hold besides the fixtures': several tags, repeats, empty entries, names outside the built-in eight.</summary>
    private static readonly string?[] EdgeCases =
    [
        "plan_generation\nself_checking", "self_checking\nplan_generation", "fact_retrieval\nfact_retrieval", "", null,
        "\nactive_computation\n\nresult_consolidation\n", "unknown", "étape_1", "two words", "final_answer_emission",
    ];

    private protected abstract TraceViewerDbContext CreateContext();

    public abstract void Dispose();

    [Fact]
    public async Task EveryImportedFunctionTagBecomesAnImportTagOfTheBuiltInTaxonomyAndTheColumnGoes()
    {
        await using var db = CreateContext();
        var migrations = db.Database.GetMigrations().ToList();
        var tags = migrations.FindIndex(m => m.EndsWith("_Tags", StringComparison.Ordinal));
        Assert.True(tags > 0, "a Tags migration with one before it");
        await db.GetService<IMigrator>().MigrateAsync(migrations[tags - 1]);

        var expected = await SeedAtPreviousMigrationAsync(db);
        await db.Database.MigrateAsync();
        await TaxonomySeeder.SeedAsync(db, CancellationToken.None);

        var stored = await (
            from st in db.Set<SentenceTag>().AsNoTracking()
            join t in db.Set<Tag>() on st.TagId equals t.Id
            join x in db.Set<Taxonomy>() on t.TaxonomyId equals x.Id
            orderby st.Id
            select new { st.SentenceId, Taxonomy = x.Name, t.Name, st.AnnotatorKind, st.Annotator, st.Note, st.CreatedAt, st.UpdatedAt })
            .ToListAsync();
        Assert.All(stored, t => Assert.Equal((BuiltInTaxonomies.Functions, AnnotatorKind.Import, (string?)null, ImportedAt, ImportedAt),
            (t.Taxonomy, t.AnnotatorKind, t.Note, t.CreatedAt, t.UpdatedAt)));
        var actual = stored.GroupBy(t => t.SentenceId).ToDictionary(g => g.Key, g => (g.First().Annotator, Tags: string.Join('\n', g.Select(t => t.Name))));
        Assert.Equal(expected.Where(e => e.Value.Tags.Length > 0).OrderBy(e => e.Key), actual.OrderBy(e => e.Key));

        // The page's reader gives them back per sentence, in order, with the built-in colours.
        var traceId = await db.Set<Trace>().Where(t => t.ExternalKey == "problem_330").Select(t => t.Id).SingleAsync();
        var onPage = await TagReads.ForTraceAsync(db, traceId, CancellationToken.None);
        var problem = JsonDocument.Parse(await File.ReadAllTextAsync(Fixture("deepseek-r1-distill-qwen-14b/correct_base_solution/problem_330"))).RootElement;
        Assert.Equal(
            problem.EnumerateArray().Select(c => string.Join('\n', c.GetProperty("function_tags").EnumerateArray().Select(t => t.GetString()))),
            problem.EnumerateArray().Select(c => string.Join('\n', onPage[c.GetProperty("chunk_idx").GetInt32()].Select(t => t.Tag))));
        Assert.Equal(TraceViewer.Components.ProductColors.FunctionTags["plan_generation"].Hex, onPage.Values.SelectMany(v => v).First(t => t.Tag == "plan_generation").Colour);

        // Start-up seeding completed the taxonomy the migration added: the built-in eight with hotkeys 1-8, the data's extra names without.
        var taxonomy = await db.Set<Taxonomy>().Include(t => t.Tags).SingleAsync(t => t.Name == BuiltInTaxonomies.Functions);
        Assert.Equal((1, true, true), (taxonomy.Version, taxonomy.BuiltIn, taxonomy.MultiChoice));
        Assert.Equal(BuiltInTaxonomies.ThoughtAnchorsFunctions.Tags.Select(t => (t.Name, (int?)t.Hotkey, (string?)t.Colour)),
            taxonomy.Tags.Where(t => t.Hotkey is not null).OrderBy(t => t.Hotkey).Select(t => (t.Name, t.Hotkey, t.Colour)));
        Assert.Equal(["two words", "unknown", "étape_1"], taxonomy.Tags.Where(t => t.Hotkey is null).Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task MigratingDownPutsTheImportedFunctionTagsBackIntoTheColumn()
    {
        await using var db = CreateContext();
        var migrations = db.Database.GetMigrations().ToList();
        var previous = migrations[migrations.FindIndex(m => m.EndsWith("_Tags", StringComparison.Ordinal)) - 1];
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(previous);
        var expected = await SeedAtPreviousMigrationAsync(db);
        await db.Database.MigrateAsync();

        await migrator.MigrateAsync(previous);

        var restored = new List<(int Id, string? Tags)>();
        await db.Database.OpenConnectionAsync();
        await using (var command = db.Database.GetDbConnection().CreateCommand())
        {
            command.CommandText = "SELECT \"Id\", \"FunctionTags\" FROM \"Sentence\" ORDER BY \"Id\"";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                restored.Add((reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
            }
        }

        Assert.Equal(expected.OrderBy(e => e.Key).Select(e => (e.Key, e.Value.Tags.Length == 0 ? null : e.Value.Tags)), restored);
    }

    private static string Fixture(string item) => SharedPaths.Fixtures("thought-anchors", item, "chunks_labeled.json");

    /// <summary>
    /// Two datasets (one without a source format) with the fixtures' sentences and the edge cases, written as the
    /// importers wrote them; returns per sentence id the annotator and newline-joined tags the migration must give.
    /// </summary>
    private static async Task<Dictionary<int, (string Annotator, string Tags)>> SeedAtPreviousMigrationAsync(TraceViewerDbContext db)
    {
        var expected = new Dictionary<int, (string, string)>();
        (string Key, string Format, string Item)[] sources =
        [
            ("thought-anchors-viewer/deepseek-r1-distill-qwen-14b/correct_base_solution", "thought-anchors-viewer", "deepseek-r1-distill-qwen-14b/correct_base_solution/problem_330"),
            ("thought-anchors-viewer/qwq-32b/yes_base_solution", " ", "qwq-32b/yes_base_solution/scenario_0"),
        ];
        foreach (var (key, format, item) in sources)
        {
            // The dataset in that migration's columns: today's entity has columns added since (its workspace and visibility).
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT INTO \"Dataset\" (\"Key\", \"Name\", \"Model\", \"Kind\", \"SourceFormat\", \"CreatedAt\") VALUES ({key}, {key}, {"m"}, {"math"}, {format}, {ImportedAt})");
            var datasetId = await db.Database.SqlQuery<int>($"SELECT \"Id\" AS \"Value\" FROM \"Dataset\" WHERE \"Key\" = {key}").SingleAsync();
            var trace = new Trace { ExternalKey = Path.GetFileName(item), Title = item, Model = "m", SourceFormat = format, ImportedAt = ImportedAt, DatasetId = datasetId };
            db.Add(trace);
            await db.SaveChangesAsync();
            var chunks = JsonDocument.Parse(await File.ReadAllTextAsync(Fixture(item))).RootElement.EnumerateArray()
                .Select(c => (Index: c.GetProperty("chunk_idx").GetInt32(), Text: c.GetProperty("chunk").GetString()!,
                    Tags: (string?)string.Join('\n', c.GetProperty("function_tags").EnumerateArray().Select(t => t.GetString()))))
                .ToList();
            var next = chunks.Max(c => c.Index) + 1;
            chunks.AddRange(EdgeCases.Select((tags, i) => (next + i, $"Edge case {i}.", tags)));
            foreach (var (index, text, tags) in chunks)
            {
                await db.Database.ExecuteSqlInterpolatedAsync(
                    $"INSERT INTO \"Sentence\" (\"TraceId\", \"Index\", \"Text\", \"Separator\", \"Start\", \"End\", \"FunctionTags\") VALUES ({trace.Id}, {index}, {text}, {" "}, {0}, {0}, {tags})");
                var id = await db.Database.SqlQuery<int>($"SELECT \"Id\" AS \"Value\" FROM \"Sentence\" WHERE \"TraceId\" = {trace.Id} AND \"Index\" = {index}").SingleAsync();
                var entries = tags is null ? [] : tags.Split('\n').Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
                expected[id] = (string.IsNullOrWhiteSpace(format) ? "import" : format, string.Join('\n', entries));
            }
        }

        db.ChangeTracker.Clear();
        return expected;
    }
}

public sealed class SqliteFunctionTagMigrationTests : FunctionTagMigrationTests
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
public sealed class PostgresFunctionTagMigrationTests(PostgresServer server) : FunctionTagMigrationTests
{
    private readonly string _database = PostgresServer.NewDatabaseName();

    private protected override TraceViewerDbContext CreateContext() =>
        new PostgresTraceViewerDbContext(new DbContextOptionsBuilder<PostgresTraceViewerDbContext>().UseNpgsql(server.ConnectionString(_database)).Options);

    public override void Dispose()
    {
    }
}
