using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using TraceViewer.Data;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

public sealed class TraceQueriesTests(TestApp app) : IClassFixture<TestApp>
{
    private sealed class CommandLog : DbCommandInterceptor
    {
        public List<string> Commands { get; } = [];

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Commands.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }
    }

    private async Task<List<string>> CommandsForTraceAsync(int traceId)
    {
        var log = new CommandLog();
        var options = new DbContextOptionsBuilder<SqliteTraceViewerDbContext>()
            .UseSqlite($"Data Source={app.DatabasePath}").AddInterceptors(log).Options;
        await using var db = new SqliteTraceViewerDbContext(options);

        var document = await new TraceQueries(db).GetTraceAsync(traceId, CancellationToken.None);

        Assert.NotNull(document);
        return log.Commands;
    }

    [Fact]
    public async Task TraceDocumentTakesAFixedNumberOfQueriesAndNoResamples()
    {
        var small = await TraceSeeder.SeedAsync(app, new TraceSeed { Sentences = ["One.", "Two."] });
        var large = await TraceSeeder.SeedAsync(app, new TraceSeed { Sentences = [.. Enumerable.Range(0, 40).Select(i => $"Sentence {i}.")] });

        var smallCommands = await CommandsForTraceAsync(small.TraceId);
        var largeCommands = await CommandsForTraceAsync(large.TraceId);

        Assert.Equal(smallCommands.Count, largeCommands.Count);
        Assert.InRange(largeCommands.Count, 1, 6);
        Assert.DoesNotContain(largeCommands, c => c.Contains("\"Resample\"", StringComparison.Ordinal));
    }
}
