using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace TraceViewer.Tests.Components;

/// <summary>
/// A published build started from an unrelated folder serves the framework script, the component libraries' assets
/// and its own css. The test publishes the build the tests already compiled (no rebuild, no precompression, a few
/// seconds) and runs it as a separate process.
/// </summary>
public sealed class PublishedAssetsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("traceviewer-publish-").FullName;
    private Process? _app;

    [Fact]
    public async Task APublishedBuildStartedFromAnotherFolderServesEveryAsset()
    {
        var published = Path.Combine(_root, "app");
        await RunAsync("dotnet", ["publish", Path.Combine(SharedPaths.RepositoryRoot, "src", "TraceViewer", "TraceViewer.csproj"),
            "-c", Configuration, "-o", published, "--no-build", "--no-restore", "-p:CompressionEnabled=false"]);
        var elsewhere = Directory.CreateDirectory(Path.Combine(_root, "elsewhere")).FullName;
        var port = FreePort();
        _app = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(published, "TraceViewer.dll"), $"--Urls=http://127.0.0.1:{port}", "--SampleData:ImportOnStart=false" },
            WorkingDirectory = elsewhere,
            Environment = { ["ConnectionStrings__TraceViewer"] = $"Data Source={Path.Combine(_root, "test.db")}", ["DOTNET_ENVIRONMENT"] = "Production" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _app.OutputDataReceived += (_, _) => { };
        _app.ErrorDataReceived += (_, _) => { };
        _app.BeginOutputReadLine();
        _app.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Wait.UntilAsync(async () => await StatusAsync(http, "/datasets") == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the published app answering");

        var page = await http.GetStringAsync("/datasets");
        var linked = System.Text.RegularExpressions.Regex.Matches(page, "(?:href|src)=\"([^\"]+\\.(?:css|js))\"").Select(m => "/" + m.Groups[1].Value).ToList();
        Assert.Contains(linked, l => l.StartsWith("/_framework/blazor.web.", StringComparison.Ordinal));
        Assert.Contains(linked, l => l.StartsWith("/_content/MudBlazor/MudBlazor.min.", StringComparison.Ordinal));
        foreach (var path in linked.Concat([
            "/_framework/blazor.web.js", "/_content/MudBlazor/MudBlazor.min.css", "/_content/MudBlazor/MudBlazor.min.js",
            "/_content/Plotly.Blazor/plotly-basic-3.7.0.min.js", "/_content/Plotly.Blazor/plotly-interop-7.2.0.js",
            "/css/site.css", "/TraceViewer.styles.css", "/lib/katex/katex.min.js", "/Components/Layout/ThemeToggle.razor.js"]))
        {
            using var response = await http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 100, $"{path} is empty");
        }

        // What the page links to comes compressed (the test publishes without brotli; gzip is built beside each file).
        foreach (var path in linked)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Accept-Encoding", "gzip" } } };
            using var response = await http.SendAsync(request);
            Assert.True(response.Content.Headers.ContentEncoding.Contains("gzip"), $"{path} is served uncompressed");
        }
    }

    private static string Configuration =>
        typeof(PublishedAssetsTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private static async Task<HttpStatusCode?> StatusAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task RunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} failed:\n{await output}\n{await error}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (_app is { HasExited: false })
        {
            _app.Kill(entireProcessTree: true);
            _app.WaitForExit();
        }

        _app?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the stopping process; the temp folder is cleaned by the OS.
        }
    }
}
