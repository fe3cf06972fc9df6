using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using TraceViewer.Data;
using TraceViewer.Tests.Data;
using TraceViewer.Tests.Import;
using TraceViewer.Text;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

/// <summary>
/// The trace list's words, matched through each provider's full-text index (docs/decisions/0062): whole words of the
/// title, prompt, reasoning and final output, <c>word*</c> a prefix, every word required; a substring inside a word no
/// longer matches; full-text syntax typed by the user is only punctuation; the index follows inserts, updates and
/// deletes, and the migration indexes the traces already stored.
/// </summary>
[Collection(PostgresServerGroup.Name)]
public sealed partial class TraceTextSearchTests(PostgresServer server) : IDisposable
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

    /// <summary>Six traces, each with its words in one place; the final output is written by an update of the stored trace.</summary>
    private static async Task<Dictionary<string, int>> SeedAsync(TestApp app)
    {
        var ids = new Dictionary<string, int>
        {
            ["title"] = (await TraceSeeder.SeedAsync(app, new TraceSeed { Title = "Zebra count" })).TraceId,
            ["prompt"] = (await TraceSeeder.SeedAsync(app, new TraceSeed { Title = "Problem B", Prompt = "Count the zebras in the picture." })).TraceId,
            ["reasoning"] = (await TraceSeeder.SeedAsync(app, new TraceSeed { Title = "Problem C", Sentences = ["A ZEBRA appears near the river.", "Done."] })).TraceId,
            ["output"] = (await TraceSeeder.SeedAsync(app, new TraceSeed { Title = "Problem D" })).TraceId,
            ["inside"] = (await TraceSeeder.SeedAsync(app, new TraceSeed { Title = "Problem E", Sentences = ["A zebrafish swims."] })).TraceId,
            ["across"] = (await TraceSeeder.SeedAsync(app, new TraceSeed { Title = "Quagga", Sentences = ["Its stripes fade."] })).TraceId,
        };
        await using var db = app.CreateDbContext();
        var output = await db.Set<Trace>().SingleAsync(t => t.Id == ids["output"]);
        output.FinalOutput = "The okapi.";
        await db.SaveChangesAsync();
        return ids;
    }

    private static async Task<PagedResult<TraceRow>> ListAsync(TestApp app, string? q, string? sort = null)
    {
        await using var db = app.CreateDbContext();
        return await new TraceQueries(db).ListTracesAsync(new TraceListQuery(Q: q, Sort: sort).ToFilter(), CancellationToken.None);
    }

    private static async Task<List<string>> MatchedAsync(TestApp app, Dictionary<string, int> ids, string? q)
    {
        var result = await ListAsync(app, q);
        Assert.Equal(result.Items.Count, result.Total);
        var names = ids.ToDictionary(p => p.Value, p => p.Key);
        return [.. result.Items.Select(t => names[t.Id]).Order(StringComparer.Ordinal)];
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WholeWordsAndPrefixesMatchButNotASubstringInsideAWord(bool postgres)
    {
        var app = App(postgres);
        var ids = await SeedAsync(app);

        Assert.Equal(["reasoning", "title"], await MatchedAsync(app, ids, "zebra"));
        Assert.Equal(["reasoning", "title"], await MatchedAsync(app, ids, "ZEBRA"));
        Assert.Equal(["inside", "prompt", "reasoning", "title"], await MatchedAsync(app, ids, "zebra*"));
        Assert.Equal(["output"], await MatchedAsync(app, ids, "okapi"));
        // A substring inside a word is no longer a match (the list read every trace's text for one).
        Assert.Empty(await MatchedAsync(app, ids, "ebra"));
        Assert.Empty(await MatchedAsync(app, ids, "zebras count picture river"));
        // Every word is required, wherever in the trace each one is.
        Assert.Equal(["title"], await MatchedAsync(app, ids, "zebra count"));
        Assert.Equal(["across"], await MatchedAsync(app, ids, "quagga stripes"));

        // Deleted and changed traces leave and enter the index with their rows.
        await using (var db = app.CreateDbContext())
        {
            await db.Set<Trace>().Where(t => t.Id == ids["title"]).ExecuteDeleteAsync();
            var inside = await db.Set<Trace>().SingleAsync(t => t.Id == ids["inside"]);
            inside.Title = "Zebra again";
            await db.SaveChangesAsync();
        }

        Assert.Equal(["inside", "reasoning"], await MatchedAsync(app, ids, "zebra"));
        Assert.Empty(await MatchedAsync(app, ids, "problem e"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FullTextSyntaxInTheSearchIsOnlyPunctuation(bool postgres)
    {
        var app = App(postgres);
        var ids = await SeedAsync(app);

        // Quotes, stars, minus, NEAR, column filters, brackets and tsquery operators separate words and nothing more.
        foreach (var q in new[] { "-zebra", "\"zebra", "zebra\"", "(zebra", "zebra)", "zebra:", "zebra:*", "'zebra'", "\\zebra", "!zebra", "zebra &", "|zebra" })
        {
            Assert.True((await MatchedAsync(app, ids, q)).SequenceEqual(["reasoning", "title"]), q);
        }

        Assert.Equal(["reasoning"], await MatchedAsync(app, ids, "NEAR"));
        Assert.Equal(["reasoning"], await MatchedAsync(app, ids, "zebra NEAR river"));
        Assert.Empty(await MatchedAsync(app, ids, "zebra NEAR(count)"));
        Assert.Empty(await MatchedAsync(app, ids, "title:zebra"));
        Assert.Empty(await MatchedAsync(app, ids, "zebra OR okapi"));
        Assert.Empty(await MatchedAsync(app, ids, "zebra <-> okapi"));

        // A search without a word matches no trace (not every one, which a job over "these" traces would then take).
        foreach (var q in new[] { "\"", "*", "-", ":", "(", ")", "'", "\\", "\"\"", "* - : ( )", "%", "_", "&|!<->" })
        {
            var result = await ListAsync(app, q);
            Assert.True(result.Total == 0 && result.Items.Count == 0, $"{q}: {result.Total}");
        }

        // No search at all: every trace.
        foreach (var q in new[] { "", "   ", null })
        {
            Assert.Equal(ids.Count, (await ListAsync(app, q)).Total);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WordsRankByRelevanceUnlessASortIsNamed(bool postgres)
    {
        var app = App(postgres);
        var ids = await SeedAsync(app);

        // A word in the title counts more than one in the reasoning; with no sort named, the most relevant comes first.
        var ranked = await ListAsync(app, "zebra");
        var newest = await ListAsync(app, "zebra", "newest");
        var byTitle = await ListAsync(app, "zebra", "title");
        var withoutWords = await ListAsync(app, "", "relevance");

        Assert.Equal([ids["title"], ids["reasoning"]], ranked.Items.Select(t => t.Id));
        Assert.Equal([ids["reasoning"], ids["title"]], newest.Items.Select(t => t.Id));
        Assert.Equal(["Problem C", "Zebra count"], byTitle.Items.Select(t => t.Title));
        Assert.Equal(TraceSort.Relevance, new TraceListQuery(Q: "zebra").ToFilter().Sort);
        Assert.Equal(TraceSort.Importance, new TraceListQuery(Q: "zebra", Sort: "importance").ToFilter().Sort);
        // Relevance without words is the default order.
        Assert.Equal(TraceSort.Importance, new TraceListQuery(Q: "--", Sort: "relevance").ToFilter().Sort);
        Assert.Equal(ids.Count, withoutWords.Total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheMigrationIndexesTheTracesAlreadyStored(bool postgres)
    {
        // The fixtures imported, then the database taken back to the migration before the index, which drops it.
        var database = PostgresServer.NewDatabaseName();
        var directory = Directory.CreateTempSubdirectory("traceviewer-test-tracetext-").FullName;
        _directories.Add(directory);
        var first = App(postgres, directory, database);
        Assert.True((await first.ImportAsync(SharedPaths.Fixtures("thought-anchors"))).TracesAdded >= 2);
        var path = first.DatabasePath;
        first.Dispose();
        _apps.Remove(first);
        await using (var db = postgres
            ? new PostgresTraceViewerDbContext(new DbContextOptionsBuilder<PostgresTraceViewerDbContext>().UseNpgsql(server.ConnectionString(database)).Options)
            : TestApp.OpenDatabase(path))
        {
            var migrations = db.Database.GetMigrations().ToList();
            var index = migrations.FindIndex(m => m.EndsWith("_TraceTextSearch", StringComparison.Ordinal));
            Assert.True(index > 0);
            await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().MigrateAsync(migrations[index - 1]);
            Assert.Contains(migrations[index], await db.Database.GetPendingMigrationsAsync());
        }

        var upgraded = App(postgres, directory, database);
        await using (var db = upgraded.CreateDbContext())
        {
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        }

        var nonEmpty = 0;
        foreach (var q in new[] { "the", "answer", "ans*", "so the", "blackmail", "problem", "zzzz" })
        {
            var expected = await ExpectedAsync(upgraded, q);
            var result = await ListAsync(upgraded, q, "newest");
            Assert.True(expected.SequenceEqual(result.Items.Select(t => t.Id)), $"{q}: expected {string.Join(',', expected)}, got {string.Join(',', result.Items.Select(t => t.Id))}");
            nonEmpty += expected.Count > 0 ? 1 : 0;
        }

        Assert.True(nonEmpty >= 4, $"{nonEmpty} searches found traces");
    }

    /// <summary>The traces, newest first, whose title, prompt as shown, reasoning or final output has every word: read here, word by word.</summary>
    private static async Task<List<int>> ExpectedAsync(TestApp app, string q)
    {
        var terms = SearchTerms.Parse(q);
        await using var db = app.CreateDbContext();
        var traces = await db.Set<Trace>().AsNoTracking().OrderByDescending(t => t.Id)
            .Select(t => new { t.Id, t.Title, t.Prompt, t.SystemPrompt, t.UserPrompt, t.Reasoning, t.FinalOutput })
            .ToListAsync();
        return [.. traces
            .Where(t =>
            {
                var prompt = t.Prompt != "" ? t.Prompt : $"{t.SystemPrompt}\n{t.UserPrompt}";
                var words = Words().Matches(string.Join('\n', t.Title, prompt, t.Reasoning, t.FinalOutput)).Select(m => m.Value.ToLowerInvariant()).ToHashSet();
                return terms.All(term => SearchTerms.IsPrefix(term)
                    ? words.Any(w => w.StartsWith(SearchTerms.Word(term), StringComparison.Ordinal))
                    : words.Contains(term));
            })
            .Select(t => t.Id)];
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Words();
}
