using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Agreement;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.MetricSets;
using TraceViewer.Studies;
using TraceViewer.Tags;
using TraceViewer.Tests.Data;
using TraceViewer.Tests.Import;
using TraceViewer.Traces;
using TraceViewer.Workspaces;

namespace TraceViewer.Tests.Datasets;

/// <summary>
/// The stored dataset summaries (decision 0051) against the same figures counted from the tables, after every kind of
/// write, on SQLite and PostgreSQL; their filling by the migration; and the datasets page's reads, which touch only the
/// datasets, the summaries and the outcomes.
/// </summary>
[Collection(PostgresServerGroup.Name)]
public sealed partial class DatasetSummaryTests(PostgresServer server) : IDisposable
{
    private readonly List<TestApp> _apps = [];
    private readonly List<string> _directories = [];

    public void Dispose()
    {
        DatasetScope.Set(null);
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

    [Fact]
    public void TheDefaultVariantIsTheStudyPagesDefault() =>
        Assert.Equal(StudyStatistics.DefaultVariant, DatasetConditionSummary.DefaultVariant);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SummariesEqualTheTablesAfterEveryWritePath(bool postgres)
    {
        var app = App(postgres);
        await AssertInStepAsync(app, "empty");

        // Import, and the same import again.
        Assert.True((await app.ImportAsync(SharedPaths.Fixtures("thought-anchors"))).TracesAdded >= 2);
        await AssertInStepAsync(app, "import", expectTags: true);
        await app.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        await AssertInStepAsync(app, "import again");

        int traceId, otherTraceId, datasetId, otherDatasetId, taxonomyId, tagId;
        List<int> sentences;
        await using (var db = app.CreateDbContext())
        {
            var traces = await db.Set<Trace>().OrderBy(t => t.Id).Select(t => new { t.Id, t.DatasetId }).ToListAsync();
            (traceId, datasetId) = (traces[0].Id, traces[0].DatasetId);
            var other = traces.First(t => t.DatasetId != datasetId);
            (otherTraceId, otherDatasetId) = (other.Id, other.DatasetId);
            sentences = await db.Set<Sentence>().Where(s => s.TraceId == traceId).OrderBy(s => s.Index).Select(s => s.Id).Take(4).ToListAsync();
            var tag = await db.Set<Tag>().OrderBy(t => t.TaxonomyId).ThenBy(t => t.Id).FirstAsync();
            (taxonomyId, tagId) = (tag.TaxonomyId, tag.Id);
        }

        // Tagging: on, off, undone; the tag store's own writer.
        await using (var db = app.CreateDbContext())
        {
            var writer = new TagWriter(db, app.Clock);
            await writer.ToggleAsync(TagAuthor.Person("ann"), taxonomyId, [tagId], sentences, CancellationToken.None);
            await AssertInStepAsync(app, "tags on");
            await writer.ToggleAsync(TagAuthor.Person("ann"), taxonomyId, [tagId], sentences[..1], CancellationToken.None);
            await AssertInStepAsync(app, "a tag off");
            await writer.UndoAsync(TagAuthor.Person("ann"), CancellationToken.None);
            await AssertInStepAsync(app, "undone");
        }

        // Verdicts on a trace and on a resample, then one taken back.
        long resampleId;
        await using (var db = app.CreateDbContext())
        {
            resampleId = await db.Set<TraceViewer.Resampling.Resample>().Where(r => r.TraceId == traceId).Select(r => r.Id).FirstAsync();
            var verdicts = new VerdictStore(db, app.Clock);
            await verdicts.SetAsync("ann", traceId, null, true, null, CancellationToken.None);
            await verdicts.SetAsync("bob", traceId, resampleId, false, "note", CancellationToken.None);
            await AssertInStepAsync(app, "verdicts");
            await verdicts.SetAsync("ann", traceId, null, null, null, CancellationToken.None);
            await AssertInStepAsync(app, "a verdict cleared");
        }

        // What jobs write: a collected trace with a tier and prompt variant, its labels, a label changed and one deleted.
        await using (var db = app.CreateDbContext())
        {
            var outcomes = await db.Set<TraceViewer.Outcomes.Outcome>().OrderBy(o => o.Id).Select(o => o.Id).ToListAsync();
            foreach (var (tier, variant) in new[] { ("free", (string?)null), ("paid", null), ("free", "v2"), ("free", "default") })
            {
                var trace = new Trace
                {
                    DatasetId = datasetId, ExternalKey = $"collected-{tier}-{variant}", Title = "collected", Model = "m", SourceFormat = "collect",
                    Tier = tier, PromptVariant = variant,
                };
                db.Add(trace);
                await db.SaveChangesAsync();
                db.Add(new TraceLabel { TraceId = trace.Id, OutcomeId = outcomes[^1], Value = "true", IsPositive = true });
            }

            await db.SaveChangesAsync();
            await AssertInStepAsync(app, "collected traces and labels");
            await db.Set<TraceLabel>().Where(l => l.TraceId == traceId).ExecuteUpdateAsync(s => s.SetProperty(l => l.IsPositive, false));
            await db.Set<Trace>().Where(t => t.ExternalKey == "collected-paid-").ExecuteUpdateAsync(s => s.SetProperty(t => t.PromptVariant, "v2"));
            await AssertInStepAsync(app, "labels and a condition changed");
            await db.Set<TraceLabel>().Where(l => l.TraceId == otherTraceId).ExecuteDeleteAsync();
            await AssertInStepAsync(app, "labels deleted");
        }

        // Recompute, then a metric set deleted in bulk.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<MetricsRecomputer>().RecomputeTraceAsync(traceId, CancellationToken.None);
            await AssertInStepAsync(app, "recompute");
            var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
            await db.Set<MetricSet>().Where(m => m.TraceId == otherTraceId).ExecuteDeleteAsync();
            await AssertInStepAsync(app, "metric sets deleted");
        }

        // Tag files: every tag exported, the people's tags deleted, the file imported again.
        var file = Path.Combine(app.DirectoryPath, "tags.csv");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var transfer = scope.ServiceProvider.GetRequiredService<TagTransfer>();
            await using (var writer = new StreamWriter(file))
            {
                Assert.True(await transfer.ExportAsync(writer, TagFileFormat.Csv, null, null, CancellationToken.None) > 0);
            }

            var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
            await db.Set<SentenceTag>().Where(t => t.AnnotatorKind == AnnotatorKind.Person).ExecuteDeleteAsync();
            await AssertInStepAsync(app, "people's tags deleted");
            Assert.True((await transfer.ImportAsync(file, CancellationToken.None)).Added > 0);
            await AssertInStepAsync(app, "tag file imported");
        }

        // Moves: a trace (with its tags, verdicts, labels and metric sets) to another dataset, a dataset to another workspace.
        await using (var db = app.CreateDbContext())
        {
            await db.Set<Trace>().Where(t => t.Id == traceId).ExecuteUpdateAsync(s => s.SetProperty(t => t.DatasetId, otherDatasetId));
            await AssertInStepAsync(app, "trace moved");
            await db.Set<Trace>().Where(t => t.Id == traceId).ExecuteUpdateAsync(s => s.SetProperty(t => t.DatasetId, datasetId));
            await AssertInStepAsync(app, "trace moved back");
        }

        int workspaceId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var workspaces = scope.ServiceProvider.GetRequiredService<WorkspaceService>();
            workspaceId = (await workspaces.CreateAsync("lab")).Id!.Value;
            Assert.Null(await workspaces.PlaceAsync(otherDatasetId, workspaceId, DatasetVisibility.Workspace));
            await AssertInStepAsync(app, "dataset placed in another workspace");
        }

        // Visibility: a caller who reads one dataset sees that dataset's summaries only.
        await AssertVisibleAsync(app, [datasetId]);
        await AssertVisibleAsync(app, [otherDatasetId]);

        // Deletes: sentences with tags, a trace, a dataset.
        await using (var db = app.CreateDbContext())
        {
            await db.Set<Sentence>().Where(s => s.Id == sentences[1] || s.Id == sentences[2]).ExecuteDeleteAsync();
            await AssertInStepAsync(app, "sentences deleted");
            db.Remove(await db.Set<Trace>().SingleAsync(t => t.Id == traceId));
            await db.SaveChangesAsync();
            await AssertInStepAsync(app, "trace deleted");
            await db.Set<Dataset>().Where(d => d.Id == otherDatasetId).ExecuteDeleteAsync();
            await AssertInStepAsync(app, "dataset deleted");
        }
    }

    /// <summary>With <see cref="DatasetScope"/> set to <paramref name="visible"/>, the page's reads name those datasets only, with their stored figures.</summary>
    private static async Task AssertVisibleAsync(TestApp app, int[] visible)
    {
        DatasetScope.Set(visible);
        try
        {
            await using var db = app.CreateDbContext();
            var rows = await new TraceQueries(db).ListDatasetsAsync(CancellationToken.None);
            Assert.Equal(visible, rows.Select(r => r.Id));
            var traces = await db.Set<Trace>().IgnoreQueryFilters().CountAsync(t => t.DatasetId == visible[0]);
            Assert.Equal(traces, rows[0].TraceCount);
            Assert.All(await new AgreementQueries(db).ListTaggedDatasetsAsync(CancellationToken.None), id => Assert.Contains(id, visible));
            Assert.All(await new StudyQueries(db).ListStudyDatasetsAsync(CancellationToken.None), id => Assert.Contains(id, visible));
            Assert.All(await db.Set<DatasetOutcomeSummary>().ToListAsync(), s => Assert.Contains(s.DatasetId, visible));
        }
        finally
        {
            DatasetScope.Set(null);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheMigrationFillsTheSummariesOfDataStoredBefore(bool postgres)
    {
        // A database with data on the schema before DatasetSummaries: made with today's app, written to, then taken
        // back, which drops the summaries and their triggers; more is written on the old schema.
        var database = PostgresServer.NewDatabaseName();
        var directory = Directory.CreateTempSubdirectory("traceviewer-test-summaries-").FullName;
        _directories.Add(directory);
        var first = App(postgres, directory, database);
        await first.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        var path = first.DatabasePath;
        first.Dispose();
        _apps.Remove(first);
        await using (var db = postgres
            ? new PostgresTraceViewerDbContext(new DbContextOptionsBuilder<PostgresTraceViewerDbContext>().UseNpgsql(server.ConnectionString(database)).Options)
            : TestApp.OpenDatabase(path))
        {
            var migrations = db.Database.GetMigrations().ToList();
            var index = migrations.FindIndex(m => m.EndsWith("_DatasetSummaries", StringComparison.Ordinal));
            Assert.True(index > 0);
            await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().MigrateAsync(migrations[index - 1]);
            Assert.Contains(migrations[index], await db.Database.GetPendingMigrationsAsync());

            var trace = await db.Set<Trace>().OrderBy(t => t.Id).FirstAsync();
            var sentence = await db.Set<Sentence>().Where(s => s.TraceId == trace.Id).OrderBy(s => s.Index).FirstAsync();
            var tag = await db.Set<Tag>().OrderBy(t => t.Id).FirstAsync();
            db.Add(new SentenceTag { SentenceId = sentence.Id, TagId = tag.Id, AnnotatorKind = AnnotatorKind.Person, Annotator = "ann" });
            db.Add(new HumanVerdict { TraceId = trace.Id, Annotator = "ann", Verdict = true });
            db.Add(new Trace { DatasetId = trace.DatasetId, ExternalKey = "old-free", Title = "t", Model = "m", SourceFormat = "collect", Tier = "free" });
            db.Add(new Trace { DatasetId = trace.DatasetId, ExternalKey = "old-paid", Title = "t", Model = "m", SourceFormat = "collect", Tier = "paid", PromptVariant = "v" });
            await db.SaveChangesAsync();
        }

        var upgraded = App(postgres, directory, database);
        await using (var db = upgraded.CreateDbContext())
        {
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.True(await db.Set<DatasetConditionSummary>().CountAsync() >= 2);
            Assert.True(await db.Set<DatasetSummary>().AnyAsync(s => s.SentenceTags > 0 && s.Verdicts > 0));
        }

        await AssertInStepAsync(upgraded, "migrated", expectTags: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheDatasetsPageReadsOnlyDatasetsSummariesAndOutcomes(bool postgres)
    {
        var app = App(postgres);
        await app.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        var capture = new CommandCapture();
        await using var db = QueryPlans.ContextWith(app, postgres, capture);
        await db.Database.OpenConnectionAsync();
        foreach (var visible in new int[]?[] { null, [1] })
        {
            DatasetScope.Set(visible);
            try
            {
                await new TraceQueries(db).ListDatasetsAsync(CancellationToken.None);
                await new StudyQueries(db).ListStudyDatasetsAsync(CancellationToken.None);
                await new AgreementQueries(db).ListTaggedDatasetsAsync(CancellationToken.None);
            }
            finally
            {
                DatasetScope.Set(null);
            }
        }

        Assert.Equal(8, capture.Commands.Count);
        string[] small = ["Dataset", "DatasetSummary", "DatasetOutcomeSummary", "DatasetConditionSummary", "Outcome"];
        foreach (var (sql, parameters) in capture.Commands)
        {
            var tables = TableNames().Matches(sql).Select(m => (Alias: m.Groups[2].Value, Table: m.Groups[1].Value)).ToList();
            Assert.All(tables, t => Assert.Contains(t.Table, small));
            var text = await QueryPlans.ExplainAsync(db, postgres, sql, parameters);
            // No table the plan reads in full is one that grows with the traces: SQLite names them by alias, PostgreSQL by name.
            var aliases = tables.ToDictionary(t => t.Alias, t => t.Table);
            foreach (Match scan in (postgres ? PostgresScans() : SqliteScans()).Matches(text))
            {
                var name = scan.Groups[1].Value;
                Assert.False(Large.Contains(aliases.GetValueOrDefault(name, name)), $"scan of {name}:\n{text}");
            }
        }
    }

    /// <summary>The tables that grow with the traces.</summary>
    private static readonly string[] Large =
        ["Trace", "Sentence", "SentenceTag", "TraceLabel", "MetricSet", "SentenceMetric", "HumanVerdict", "Resample", "ResampleLabel", "SearchEffect"];

    [GeneratedRegex("""(?:FROM|JOIN) "(\w+)" AS "?(\w+)"?""")]
    private static partial Regex TableNames();

    [GeneratedRegex("""(?m)SCAN "?(\w+)"?""")]
    private static partial Regex SqliteScans();

    [GeneratedRegex("""(?m)Scan on "?(\w+)"?""")]
    private static partial Regex PostgresScans();

    /// <summary>The stored summaries equal the ones counted from the tables (every dataset, with the filters off).</summary>
    private static async Task AssertInStepAsync(TestApp app, string after, bool expectTags = false)
    {
        await using var db = app.CreateDbContext();
        var expected = await ExpectedAsync(db);
        var stored = await StoredAsync(db);
        Assert.True(expected.SequenceEqual(stored), $"after {after}:\nexpected\n{string.Join('\n', expected)}\nstored\n{string.Join('\n', stored)}");
        if (expectTags)
        {
            Assert.Contains(stored, line => line.StartsWith("dataset", StringComparison.Ordinal) && !line.Contains("tags 0,", StringComparison.Ordinal));
        }
    }

    /// <summary>The summaries counted straight from the tables: the reference the stored ones are held to.</summary>
    private static async Task<List<string>> ExpectedAsync(TraceViewerDbContext db)
    {
        var datasets = await db.Set<Dataset>().IgnoreQueryFilters().Select(d => d.Id).ToListAsync();
        var traces = await db.Set<Trace>().IgnoreQueryFilters().Select(t => new { t.Id, t.DatasetId, t.Tier, t.PromptVariant }).ToListAsync();
        var datasetOf = traces.ToDictionary(t => t.Id, t => t.DatasetId);
        var sentenceTrace = await db.Set<Sentence>().IgnoreQueryFilters().ToDictionaryAsync(s => s.Id, s => s.TraceId);
        var tags = (await db.Set<SentenceTag>().IgnoreQueryFilters().Select(t => t.SentenceId).ToListAsync())
            .CountBy(s => datasetOf[sentenceTrace[s]]).ToDictionary();
        var verdicts = (await db.Set<HumanVerdict>().IgnoreQueryFilters().Select(v => v.TraceId).ToListAsync())
            .CountBy(t => datasetOf[t]).ToDictionary();
        var labels = (await db.Set<TraceLabel>().IgnoreQueryFilters().Select(l => new { l.TraceId, l.OutcomeId }).ToListAsync())
            .CountBy(l => (datasetOf[l.TraceId], l.OutcomeId)).ToDictionary();
        var sets = (await db.Set<MetricSet>().IgnoreQueryFilters().Select(m => new { m.TraceId, m.OutcomeId }).ToListAsync())
            .CountBy(m => (datasetOf[m.TraceId], m.OutcomeId)).ToDictionary();

        var lines = datasets.ConvertAll(d => DatasetLine(d, traces.Count(t => t.DatasetId == d), tags.GetValueOrDefault(d), verdicts.GetValueOrDefault(d)));
        lines.AddRange(labels.Keys.Union(sets.Keys).Select(k => OutcomeLine(k.Item1, k.OutcomeId, labels.GetValueOrDefault(k), sets.GetValueOrDefault(k))));
        lines.AddRange(traces.Where(t => t.Tier is not null)
            .CountBy(t => (t.DatasetId, Variant: t.PromptVariant ?? StudyStatistics.DefaultVariant, Tier: t.Tier!))
            .Select(c => ConditionLine(c.Key.DatasetId, c.Key.Variant, c.Key.Tier, c.Value)));
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static async Task<List<string>> StoredAsync(TraceViewerDbContext db)
    {
        var lines = (await db.Set<DatasetSummary>().IgnoreQueryFilters().ToListAsync()).ConvertAll(s => DatasetLine(s.DatasetId, s.Traces, s.SentenceTags, s.Verdicts));
        lines.AddRange((await db.Set<DatasetOutcomeSummary>().IgnoreQueryFilters().ToListAsync()).Select(s => OutcomeLine(s.DatasetId, s.OutcomeId, s.TraceLabels, s.MetricSets)));
        lines.AddRange((await db.Set<DatasetConditionSummary>().IgnoreQueryFilters().ToListAsync()).Select(s => ConditionLine(s.DatasetId, s.Variant, s.Tier, s.Traces)));
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static string DatasetLine(int dataset, int traces, int tags, int verdicts) =>
        string.Create(CultureInfo.InvariantCulture, $"dataset {dataset}: traces {traces}, tags {tags}, verdicts {verdicts}");

    private static string OutcomeLine(int dataset, int outcome, int labels, int sets) =>
        string.Create(CultureInfo.InvariantCulture, $"outcome {dataset}/{outcome}: labels {labels}, metric sets {sets}");

    private static string ConditionLine(int dataset, string variant, string tier, int traces) =>
        string.Create(CultureInfo.InvariantCulture, $"condition {dataset}/{variant}/{tier}: traces {traces}");
}
