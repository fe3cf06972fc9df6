using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Trace = TraceViewer.Traces.Trace;
using Xunit.Abstractions;

namespace TraceViewer.Tests.Import;

/// <summary>
/// The real command in a child process (<c>dotnet TraceViewer.dll import folder</c> on its own SQLite file), killed with
/// SIGKILL at several points of an import and run out of disk by a file-size limit. Each time the database stays intact
/// with no row of the failed import, and a later import stores every trace exactly as an undisturbed import does.
/// </summary>
[Collection(Corpus.CorpusGroup.Name)]
public sealed class ImportFaultTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Item copies of each fixture bundle: 4 traces, about 31,000 resamples and 80,000 links, seconds of writing.</summary>
    private const int Copies = 2;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly string _folder = Directory.CreateTempSubdirectory("traceviewer-faults-").FullName;

    private string Source => Path.Combine(_folder, "source");

    private string Database => Path.Combine(_folder, "faults.db");

    [Fact]
    public async Task KillingTheImportAtAnyPointLeavesAnIntactDatabaseWithoutItsRowsAndAReimportIsExact()
    {
        WriteSource();
        var expected = await ReferenceAsync();
        await MigrateAsync();

        // Progress lines on stderr mark the points: while parsing, early, halfway and late in the write transaction.
        foreach (var point in new[] { "parsed 1/", "written 1/", $"written {Copies}/", $"written {2 * Copies - 1}/" })
        {
            var run = await RunAsync(until: point);

            Assert.True(run.Killed, $"the import ended before '{point}': {run.Error}");
            Assert.Equal("ok", await IntegrityAsync());
            Assert.All(await CountRowsAsync(), table => Assert.Equal(0, table.Value));
            output.WriteLine($"killed at '{point}' after {run.Elapsed.TotalMilliseconds:F0} ms: intact, 0 rows");
        }

        var import = await RunAsync();

        Assert.True(import.Exit == 0, import.Error);
        Assert.Contains($"traces: {2 * Copies} added", import.Output, StringComparison.Ordinal);
        Assert.Equal(expected.Rows, await CountRowsAsync());
        Assert.Equal(expected.Traces, await TraceHashesAsync());
        output.WriteLine($"re-import: {import.Elapsed.TotalMilliseconds:F0} ms, {expected.Rows.Sum(r => r.Value)} rows as expected");
    }

    [Fact]
    public async Task AFullDiskDuringImportIsNamedAndWritesNothing()
    {
        WriteSource();
        // Migrated first, so the limit falls on the import's writes.
        await MigrateAsync();

        var full = await RunAsync(fileSizeLimitKiB: 8 * 1024);

        Assert.Equal(1, full.Exit);
        Assert.Empty(full.Output);
        Assert.DoesNotContain("Unhandled", full.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", full.Error, StringComparison.Ordinal);
        Assert.Contains("error: the database could not be written: disk full", full.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was imported", full.Error, StringComparison.Ordinal);
        Assert.Equal("ok", await IntegrityAsync());
        Assert.All(await CountRowsAsync(), table => Assert.Equal(0, table.Value));
        output.WriteLine(full.Error.Split('\n').Last(l => l.StartsWith("error:", StringComparison.Ordinal)));

        var import = await RunAsync();

        Assert.True(import.Exit == 0, import.Error);
        Assert.Contains($"traces: {2 * Copies} added", import.Output, StringComparison.Ordinal);
    }

    /// <summary>Migrates the database here, which is quicker than in each child.</summary>
    private async Task MigrateAsync()
    {
        using var db = TestApp.OpenDatabase(Database);
        await db.Database.MigrateAsync();
    }

    private sealed record Run(int? Exit, bool Killed, string Output, string Error, TimeSpan Elapsed);

    /// <summary>Runs the import command; with <paramref name="until"/>, kills it (SIGKILL) when a stderr line starts so.</summary>
    private async Task<Run> RunAsync(string? until = null, int? fileSizeLimitKiB = null)
    {
        var dll = Path.Combine(SharedPaths.RepositoryRoot, "src", "TraceViewer", "bin", Configuration, "net10.0", "TraceViewer.dll");
        Assert.True(File.Exists(dll), $"{dll} is built with the tests");
        var command = $"exec dotnet '{dll}' import '{Source}'";
        if (fileSizeLimitKiB is { } limit)
        {
            // Ignore SIGXFSZ, so writing past the limit fails with EFBIG as on a full disk instead of ending the process.
            command = $"ulimit -f {limit.ToString(CultureInfo.InvariantCulture)}; trap '' XFSZ; " + command;
        }

        var start = new ProcessStartInfo("bash", ["-c", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ConnectionStrings__TraceViewer"] = $"Data Source={Database}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // The runtime maps executable memory through a file it sizes up front, which a file-size limit refuses ("Out of memory").
        start.Environment["DOTNET_EnableWriteXorExecute"] = "0";

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var error = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (error)
            {
                error.AppendLine(e.Data);
            }

            if (until is not null && e.Data.StartsWith(until, StringComparison.Ordinal))
            {
                reached.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var exited = process.WaitForExitAsync();

        var killed = false;
        if (until is not null && await Task.WhenAny(reached.Task, exited).WaitAsync(Timeout) == reached.Task)
        {
            process.Kill(entireProcessTree: true);
            killed = true;
        }

        await exited.WaitAsync(Timeout);
        var text = await stdout;
        lock (error)
        {
            return new Run(killed ? null : process.ExitCode, killed, text, error.ToString(), clock.Elapsed);
        }
    }

    /// <summary>Debug or Release: the folder above the tests' net10.0 folder.</summary>
    private static string Configuration => Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)))!;

    /// <summary>The fixture bundles, each copied <see cref="Copies"/> times under its own item name.</summary>
    private void WriteSource()
    {
        var fixtures = SharedPaths.Fixtures("thought-anchors");
        foreach (var item in new[] { "deepseek-r1-distill-qwen-14b/correct_base_solution/problem_330", "qwq-32b/yes_base_solution/scenario_0" })
        {
            var from = Path.Combine(fixtures, item);
            for (var i = 0; i < Copies; i++)
            {
                var to = Path.Combine(Source, Path.GetDirectoryName(item)!, $"{Path.GetFileName(item)}{i}");
                Directory.CreateDirectory(to);
                foreach (var file in Directory.GetFiles(from))
                {
                    File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
                }
            }
        }
    }

    /// <summary>What an undisturbed import of the source stores: rows per table and each trace's content hash.</summary>
    private async Task<(Dictionary<string, long> Rows, List<string> Traces)> ReferenceAsync()
    {
        using var app = new TestApp();
        await app.ImportAsync(Source, namesAboveRoot: false);
        using var db = app.CreateDbContext();
        return (await app.CountRowsAsync(), await db.Set<Trace>().OrderBy(t => t.ExternalKey).Select(t => t.ExternalKey + " " + t.ContentHash).ToListAsync());
    }

    private async Task<List<string>> TraceHashesAsync()
    {
        using var db = TestApp.OpenDatabase(Database);
        return await db.Set<Trace>().OrderBy(t => t.ExternalKey).Select(t => t.ExternalKey + " " + t.ContentHash).ToListAsync();
    }

    private async Task<string> IntegrityAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task<Dictionary<string, long>> CountRowsAsync()
    {
        using var db = TestApp.OpenDatabase(Database);
        var counts = new Dictionary<string, long>();
        await db.Database.OpenConnectionAsync();
        foreach (var table in ImportDatabase.DataTables(db))
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            counts[table] = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) - ImportDatabase.Seeded(db, table);
        }

        return counts;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
