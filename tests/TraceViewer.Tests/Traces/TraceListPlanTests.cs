using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Tests.Data;
using TraceViewer.Tests.Import;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

/// <summary>
/// The trace list's reads never walk the traces' long rows (prompt and reasoning) on either provider: its first page in
/// the default order comes along an index in that order, not from sorting every trace, and its filter options (models,
/// tiers, prompt variants) from indexes. Measured on a 2,000-trace study these were most of what grew with the data.
/// </summary>
[Collection(PostgresServerGroup.Name)]
public sealed partial class TraceListPlanTests(PostgresServer server) : IDisposable
{
    private readonly List<TestApp> _apps = [];

    public void Dispose()
    {
        foreach (var app in _apps)
        {
            app.Dispose();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheFirstPageAndTheFilterOptionsReadTracesOnlyThroughIndexes(bool postgres)
    {
        var app = new TestApp();
        _apps.Add(app);
        if (postgres)
        {
            app.WithPostgres(server);
        }

        await app.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        var capture = new CommandCapture();
        await using var db = QueryPlans.ContextWith(app, postgres, capture);
        await db.Database.OpenConnectionAsync();
        var queries = new TraceQueries(db);
        var page = await queries.ListTracesAsync(new TraceFilter(), CancellationToken.None);
        var listCommands = capture.Commands.Count;
        var options = await queries.ListFilterOptionsAsync(CancellationToken.None);
        Assert.NotEmpty(page.Items);
        Assert.NotEmpty(options.Models);

        if (postgres)
        {
            // A table of a few rows is cheapest to read whole; with full scans and sorts priced out, the planner still
            // picks one only where no index can serve.
            await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off; SET enable_sort = off;");
        }

        var traceCommands = 0;
        foreach (var (i, (sql, parameters)) in capture.Commands.Index())
        {
            if (!sql.Contains("FROM \"Trace\"", StringComparison.Ordinal))
            {
                continue;
            }

            traceCommands++;
            var plan = await QueryPlans.ExplainAsync(db, postgres, sql, parameters);
            var planLines = plan[..plan.IndexOf("\n\n", StringComparison.Ordinal)];
            // SQLite names a scanned table by its alias; a scan of a subquery's rows ("SCAN t0" of a co-routine) is not one.
            var aliases = TraceAliases().Matches(sql).Select(m => m.Groups[1].Value).ToHashSet();
            var readWhole = postgres
                ? PostgresTraceScan().IsMatch(planLines)
                : SqliteFullScan().Matches(planLines).Any(m => aliases.Contains(m.Groups[1].Value));
            Assert.False(readWhole, $"the traces are read whole:\n{plan}");
            if (i < listCommands && sql.Contains("ORDER BY", StringComparison.Ordinal))
            {
                // The page itself: read in the index's order, so no sort of every trace.
                Assert.False(postgres ? planLines.Contains("Sort", StringComparison.Ordinal) : planLines.Contains("TEMP B-TREE FOR ORDER BY", StringComparison.Ordinal),
                    $"the page sorts every trace:\n{plan}");
            }
        }

        Assert.True(traceCommands >= 5, $"{traceCommands} commands read the traces");
    }

    /// <summary>
    /// A search's count and page, in relevance order and in the default order, read the traces the full-text index
    /// matched (SQLite's <c>TraceText</c>, PostgreSQL's GIN index on the stored vector): no plan reads every trace or
    /// parses a trace's text, as the LIKE over prompt and reasoning did (docs/decisions/0062).
    /// </summary>
    [Theory]
    [InlineData(false, null)]
    [InlineData(false, "importance")]
    [InlineData(true, null)]
    [InlineData(true, "importance")]
    public async Task ASearchReadsTracesThroughTheFullTextIndex(bool postgres, string? sort)
    {
        var app = new TestApp();
        _apps.Add(app);
        if (postgres)
        {
            app.WithPostgres(server);
        }

        await app.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        var capture = new CommandCapture();
        await using var db = QueryPlans.ContextWith(app, postgres, capture);
        await db.Database.OpenConnectionAsync();
        var page = await new TraceQueries(db).ListTracesAsync(new TraceListQuery(Q: "the answer", Sort: sort).ToFilter(), CancellationToken.None);
        Assert.NotEmpty(page.Items);
        if (postgres)
        {
            await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off;");
        }

        var searches = 0;
        // The list's own commands (the page's labels are read by trace id, through a filter on Trace by key).
        foreach (var (sql, parameters) in capture.Commands.Where(c => c.Sql.Contains("FROM \"Trace\"", StringComparison.Ordinal) && !c.Sql.Contains("FROM \"TraceLabel\"", StringComparison.Ordinal)))
        {
            var plan = await QueryPlans.ExplainAsync(db, postgres, sql, parameters);
            var planLines = plan[..plan.IndexOf("\n\n", StringComparison.Ordinal)];
            var aliases = TraceAliases().Matches(sql).Select(m => m.Groups[1].Value).ToHashSet();
            var readWhole = postgres
                ? PostgresTraceScan().IsMatch(planLines)
                : SqliteFullScan().Matches(planLines).Any(m => aliases.Contains(m.Groups[1].Value));
            Assert.False(readWhole, $"the traces are read whole:\n{plan}");
            // No trace's text is parsed or compared per row: the words are looked up in the full-text index.
            Assert.False(Regex.IsMatch(planLines, "to_tsvector|~~|lower\\(", RegexOptions.IgnoreCase), $"a trace's text is read per row:\n{plan}");
            Assert.True(postgres ? planLines.Contains("IX_Trace_SearchVector", StringComparison.Ordinal) : planLines.Contains("VIRTUAL TABLE INDEX", StringComparison.Ordinal),
                $"the words are not read from the full-text index:\n{plan}");
            searches++;
        }

        // The count and the page.
        Assert.True(searches >= 2, $"{searches} commands searched the traces");
    }

    /// <summary>SQLite reading a table without an index: "SCAN t" with nothing after the alias.</summary>
    [GeneratedRegex(@"(?m)^SCAN (\w+)$")]
    private static partial Regex SqliteFullScan();

    [GeneratedRegex(@"(?:FROM|JOIN) ""Trace"" AS ""(\w+)""")]
    private static partial Regex TraceAliases();

    [GeneratedRegex("""(?m)Seq Scan on "?Trace"?\b""")]
    private static partial Regex PostgresTraceScan();
}
