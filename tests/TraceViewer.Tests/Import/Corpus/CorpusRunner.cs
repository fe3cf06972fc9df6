using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Import;

namespace TraceViewer.Tests.Import.Corpus;

/// <summary>Which ways in a case goes through.</summary>
public enum CorpusPaths
{
    /// <summary>The import command's handler and the upload form.</summary>
    Both,

    /// <summary>Links, pipes, sockets and devices exist only in a file system; a browser uploads file contents.</summary>
    CommandOnly,

    /// <summary>Zip files are unpacked by the upload; the command imports folders and files.</summary>
    UploadOnly,
}

/// <summary>What a case must end in: a named error, or a documented acceptance.</summary>
public sealed record CorpusExpectation(bool Accepted, int Traces, string[] Parts)
{
    /// <summary>Refused with a message that contains every part ("{line}" is the edited JSONL line).</summary>
    public static CorpusExpectation Error(params string[] parts) => new(false, 0, parts);

    /// <summary>Imported with this many traces and a warning or summary that contains every part.</summary>
    public static CorpusExpectation Accept(int traces, params string[] parts) => new(true, traces, parts);
}

/// <summary>One line of the corpus.</summary>
public sealed record CorpusCase(string Name, Action<CorpusTree> Build, CorpusExpectation Expect, CorpusPaths Paths = CorpusPaths.Both, bool Huge = false, string? CommandTarget = null)
{
    public override string ToString() => Name;
}

/// <summary>What one path of one case measured.</summary>
public sealed record CorpusRun(string Case, string Path, bool Accepted, TimeSpan Elapsed, long AllocatedBytes, long PeakGrowthBytes);

/// <summary>
/// The app the corpus runs against: the real app on its own SQLite file, reached through the import command's
/// handler and through HTTP as the import page uploads, with the page's antiforgery token. Rows are wiped after an accepted case, so every
/// case starts from an empty database.
/// </summary>
public sealed class CorpusApp : IDisposable
{
    /// <summary>Every case must end within this, or it fails as a hang.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A lower file limit than the default 256 MiB so the over-the-limit case uploads 65 MB, not 257 MB; every other
    /// limit is the default.
    /// </summary>
    public const long MaxFileBytes = 64L << 20;

    public TestApp App { get; } = new TestApp().WithSetting("Import:MaxFileBytes", MaxFileBytes.ToString(CultureInfo.InvariantCulture));

    public List<CorpusRun> Runs { get; } = [];

    public CorpusApp()
    {
        if (CorpusTree.ExportedJsonl is null)
        {
            using var source = new TestApp();
            source.ImportAsync(SharedPaths.Fixtures("thought-anchors")).GetAwaiter().GetResult();
            using var scope = source.Services.CreateScope();
            using var stream = new MemoryStream();
            scope.ServiceProvider.GetRequiredService<NativeJsonlExporter>().ExportAsync(stream, null, CancellationToken.None).GetAwaiter().GetResult();
            CorpusTree.ExportedJsonl = System.Text.Encoding.UTF8.GetString(stream.ToArray()).TrimEnd('\n');
        }
    }

    public async Task<(int Exit, string Output, string Error)> CommandAsync(string target)
    {
        var root = new RootCommand { ImportCommands.Import(App.Services) };
        using var output = new StringWriter();
        using var error = new StringWriter();
        // On a pool thread, so a blocking open (a named pipe) hangs that thread, not the timeout below.
        var exit = await Task.Run(() => root.Parse(["import", target]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }))
            .WaitAsync(Timeout);
        return (exit, output.ToString(), error.ToString());
    }

    public async Task<(HttpStatusCode Status, string? Error, string? Added, string Page)> UploadAsync(CorpusTree tree)
    {
        var client = App.CreateClient();
        var token = await UploadClient.TokenAsync(client);
        using var content = new MultipartFormDataContent();
        var streams = new List<Stream>();
        foreach (var file in Directory.EnumerateFiles(tree.Root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(tree.Root, file).Replace('\\', '/');
            var stream = File.OpenRead(file);
            streams.Add(stream);
            var isZip = relative.EndsWith(".zip", StringComparison.Ordinal);
            content.Add(new StreamContent(stream), isZip ? "archive" : "folder", isZip ? relative : "corpus/" + relative);
        }

        try
        {
            var answer = await UploadClient.PostAsync(client, content, token).WaitAsync(Timeout);
            return (answer.Status, answer.Error ?? (answer.Result is null ? answer.Body : null),
                answer.Result?.GetProperty("tracesAdded").GetInt32().ToString(CultureInfo.InvariantCulture), answer.Summary);
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    /// <summary>Row count of every table.</summary>
    public Task<Dictionary<string, long>> CountRowsAsync() => App.CountRowsAsync();

    /// <summary>Values of REAL columns that are not finite (SQLite keeps ±Infinity; NaN cannot be stored at all).</summary>
    public async Task<List<string>> NonFiniteValuesAsync()
    {
        using var db = App.CreateDbContext();
        await db.Database.OpenConnectionAsync();
        var found = new List<string>();
        foreach (var table in ImportDatabase.Tables(db))
        {
            var columns = new List<string>();
            await using (var info = db.Database.GetDbConnection().CreateCommand())
            {
                info.CommandText = $"SELECT name FROM pragma_table_info('{table}') WHERE type = 'REAL'";
                await using var reader = await info.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    columns.Add(reader.GetString(0));
                }
            }

            foreach (var column in columns)
            {
                await using var command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = $"SELECT COUNT(*) FROM \"{table}\" WHERE \"{column}\" > 1.7e308 OR \"{column}\" < -1.7e308";
                if (Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) is > 0 and var n)
                {
                    found.Add($"{table}.{column}: {n}");
                }
            }
        }

        return found;
    }

    public async Task WipeAsync()
    {
        using var db = App.CreateDbContext();
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = OFF");
        foreach (var table in ImportDatabase.Tables(db))
        {
#pragma warning disable EF1002 // table names come from the model, not from input
            await db.Database.ExecuteSqlRawAsync($"DELETE FROM \"{table}\"");
#pragma warning restore EF1002
        }

        await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = ON");
        // What the migrations and start-up seed comes back, as in a fresh database: the Default workspace every new
        // dataset is placed in, and the built-in taxonomies.
        await ImportDatabase.RestoreSchemaSeedAsync(db);
        await TraceViewer.Tags.TaxonomySeeder.SeedAsync(db, CancellationToken.None);
    }

    /// <summary>Runs <paramref name="action"/> and measures the bytes it allocated and how far it raised the process's peak resident memory.</summary>
    public static async Task<(T Result, TimeSpan Elapsed, long Allocated, long PeakGrowth)> MeasureAsync<T>(Func<Task<T>> action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        ResetPeak();
        var resident = Status("VmRSS:");
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var result = await action();
        clock.Stop();
        var peak = Status("VmHWM:");
        return (result, clock.Elapsed, GC.GetTotalAllocatedBytes(precise: true) - allocated, Math.Max(0, peak - resident));
    }

    /// <summary>Linux resets the peak resident size (VmHWM) when 5 is written to clear_refs.</summary>
    private static void ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without it the growth is measured from the process's earlier peak, which only understates it.
        }
    }

    private static long Status(string key)
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    public void Dispose() => App.Dispose();
}
