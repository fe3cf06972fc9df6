using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace TraceViewer.Tests;

/// <summary>
/// A throwaway PostgreSQL server from the machine's packages (apt `postgresql`), on 127.0.0.1 and a free port,
/// in a temp folder that is deleted at the end. As root, initdb and pg_ctl run as the `postgres` user. Free of xunit,
/// so the benchmarks compile it too; the tests' fixture interface is added in PostgresServerFixture.cs.
/// </summary>
public sealed partial class PostgresServer
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "traceviewer-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private string _bin = "";
    private int _port;

    public string Version { get; private set; } = "";

    /// <summary>A connection string for a database of this name; EF creates it on migration.</summary>
    /// <summary>
    /// Each test's own database on the shared server. Idle pooled connections close within seconds, so the apps of
    /// earlier tests (every one with its own pool) do not hold the server's connections for the rest of the run.
    /// </summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = _port, Username = "postgres", Database = database, Pooling = true,
            ConnectionIdleLifetime = 5, ConnectionPruningInterval = 1,
        }.ConnectionString;

    /// <summary>A name for a new database, made by the migrations of the first app that connects.</summary>
    public static string NewDatabaseName() => "tv_" + Guid.NewGuid().ToString("N");

    /// <summary>A connection string for a new database of its own.</summary>
    public string NewDatabaseConnectionString() => ConnectionString(NewDatabaseName());

    public async Task InitializeAsync()
    {
        _bin = FindBinaries();
        _port = FreePort();
        Directory.CreateDirectory(_directory);
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", "postgres", _directory);
        }

        var data = Path.Combine(_directory, "data");
        await PgAsync($"{_bin}/initdb -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D {data}");
        await PgAsync($"{_bin}/pg_ctl start -w -t 60 -D {data} -l {_directory}/server.log -o \"-p {_port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300\"");
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        Version = connection.ServerVersion;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await PgAsync($"{_bin}/pg_ctl stop -m fast -w -D {_directory}/data");
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql: apt-get install -y postgresql (.ci/run does this).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task PgAsync(string command) =>
        Environment.UserName == "root" ? RunAsync("su", "postgres", "-s", "/bin/sh", "-c", command) : RunAsync("/bin/sh", "-c", command);

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
