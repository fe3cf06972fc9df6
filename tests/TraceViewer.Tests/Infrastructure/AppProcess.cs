using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace TraceViewer.Tests;

/// <summary>How the child app is launched.</summary>
internal enum Launch
{
    /// <summary><c>dotnet TraceViewer.dll</c>.</summary>
    Plain,

    /// <summary>Under a file-size limit (<see cref="AppProcess.FileSizeLimitKiB"/>) with SIGXFSZ ignored, so a write past it fails with EFBIG like a full disk.</summary>
    FileSizeLimit,

    /// <summary>As the unprivileged user nobody when the tests run as root, so file permissions apply.</summary>
    Unprivileged,
}

/// <summary>
/// The built app (TraceViewer.dll beside the tests) as a child process on its own content root: a test can kill it
/// with SIGKILL at any moment, restart it, run it under a file-size limit or as another user. Settings are passed as
/// environment variables; all output is kept for assertions.
/// </summary>
internal sealed partial class AppProcess : IAsyncDisposable
{
    // Generous: with the suite's collections running side by side on two cores, a start has taken over a minute.
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private AppProcess(Process process) => _process = process;

    public static string AppDll { get; } = Path.Combine(AppContext.BaseDirectory, "TraceViewer.dll");

    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>
    /// The app as the user nobody can run it: the build output itself when every folder above it lets others in,
    /// otherwise a copy in a world-readable temporary folder (a clone inside a private <c>mktemp -d</c> folder, say).
    /// </summary>
    private static readonly Lazy<string> UnprivilegedAppDll = new(() => OperatingSystem.IsWindows() ? AppDll : ReachableByOthers());

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string ReachableByOthers()
    {
        if (OthersCanReach(AppContext.BaseDirectory))
        {
            return AppDll;
        }

        var copy = Directory.CreateTempSubdirectory("traceviewer-app-").FullName;
        File.SetUnixFileMode(copy, (UnixFileMode)0b111_101_101);
        // Empty folders too: the app expects its wwwroot even when the build left it empty.
        foreach (var folder in Directory.EnumerateDirectories(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(copy, Path.GetRelativePath(AppContext.BaseDirectory, folder)), (UnixFileMode)0b111_101_101);
        }

        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(copy, Path.GetRelativePath(AppContext.BaseDirectory, file)));
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(copy, recursive: true);
        return Path.Combine(copy, "TraceViewer.dll");
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static bool OthersCanReach(string folder)
    {
        for (var current = new DirectoryInfo(folder); current is not null; current = current.Parent)
        {
            if ((current.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                return false;
            }
        }

        return true;
    }

    public int Id => _process.Id;

    public Uri BaseAddress { get; private set; } = default!;

    public HttpClient Client { get; private set; } = default!;

    public int? FileSizeLimitKiB { get; private init; }

    public string Output => string.Join('\n', _lines);

    public IEnumerable<string> Lines => _lines;

    public bool HasExited => _process.HasExited;

    /// <param name="directory">Content root (working directory); relative paths in settings resolve against it.</param>
    /// <param name="settings">Configuration keys (Jobs:WorkerEnabled...), passed as environment variables.</param>
    public static AppProcess Start(string directory, IReadOnlyDictionary<string, string?> settings, Launch launch = Launch.Plain, int? fileSizeLimitKiB = null, params string[] arguments)
    {
        var start = new ProcessStartInfo { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        switch (launch)
        {
            case Launch.FileSizeLimit:
                // A soft limit, so `prlimit --pid` can lift it again without privileges; W^X double mapping off, because
                // the runtime would otherwise size its memory-mapped file past the limit and fail to start.
                start.FileName = "bash";
                start.ArgumentList.Add("-c");
                start.ArgumentList.Add($"trap '' XFSZ; ulimit -S -f {fileSizeLimitKiB}; exec dotnet \"$@\"");
                start.ArgumentList.Add("dotnet");
                start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
                break;
            case Launch.Unprivileged when IsRoot:
                start.FileName = "setpriv";
                foreach (var argument in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet" })
                {
                    start.ArgumentList.Add(argument);
                }

                start.Environment["HOME"] = directory;
                // The build's static web assets manifest points into root's NuGet cache, which nobody cannot read; a
                // manifest path that does not exist turns those assets off (the tests of this launch fetch none).
                start.Environment["ASPNETCORE_STATICWEBASSETS"] = Path.Combine(directory, "no-static-web-assets.json");
                break;
            default:
                start.FileName = "dotnet";
                break;
        }

        start.ArgumentList.Add(launch == Launch.Unprivileged && IsRoot ? UnprivilegedAppDll.Value : AppDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Urls"] = "http://127.0.0.1:0";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = new Process { StartInfo = start };
        var app = new AppProcess(process) { FileSizeLimitKiB = fileSizeLimitKiB };
        process.OutputDataReceived += (_, e) => app.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => app.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }

    /// <summary>Waits for "Now listening on", then points <see cref="Client"/> at that address.</summary>
    public async Task<AppProcess> WaitUntilListeningAsync()
    {
        Match? match = null;
        await Wait.UntilAsync(() =>
        {
            match = _lines.Select(l => ListeningOn().Match(l)).FirstOrDefault(m => m.Success);
            return match is not null || _process.HasExited;
        }, StartTimeout, "the app to listen");
        if (match is null)
        {
            throw new InvalidOperationException($"The app exited with code {_process.ExitCode} before listening:\n{Output}");
        }

        // Bound to every interface (0.0.0.0, [::]), it is reached on 127.0.0.1 at the same port.
        var address = new UriBuilder(match.Groups[1].Value);
        if (address.Host is "0.0.0.0" or "[::]")
        {
            address.Host = "127.0.0.1";
        }

        BaseAddress = address.Uri;
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        return this;
    }

    public Task WaitForOutputAsync(Func<string, bool> line, string what) =>
        Wait.UntilAsync(() => _lines.Any(line) || _process.HasExited, StartTimeout, what);

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or an OOM kill.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, then waits for a graceful exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(StartTimeout);
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>Lifts the file-size limit of the running process (the soft limit goes back up to the hard one).</summary>
    public async Task LiftFileSizeLimitAsync()
    {
        using var prlimit = Process.Start("prlimit", ["--pid", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--fsize=unlimited"]);
        await prlimit.WaitForExitAsync();
        Assert.Equal(0, prlimit.ExitCode);
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (!_process.HasExited)
        {
            Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();
}
