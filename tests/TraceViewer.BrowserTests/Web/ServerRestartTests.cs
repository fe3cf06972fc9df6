using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using TraceViewer.Tests;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Web;

/// <summary>
/// The app as its own process, restarted under an open trace page: same port, same SQLite file. The circuit the page
/// had is gone with the old process; the page must come back by itself on the sentence the reader was on.
/// </summary>
public sealed class ServerRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("traceviewer-restart-").FullName;
    private IPlaywright _playwright = default!;
    private IBrowser _browser = default!;

    public async Task InitializeAsync()
    {
        BrowserApp.RequireChromium();
        _playwright = await Playwright.CreateAsync();
        _browser = await BrowserApp.LaunchChromiumAsync(_playwright);
    }

    [Fact]
    public async Task AnOpenTracePageComesBackOnItsSentenceAfterTheServerRestarts()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:TraceViewer"] = $"Data Source={Path.Combine(_directory, "tv.db")}",
            ["SampleData:ImportOnStart"] = "true",
            ["Urls"] = $"http://127.0.0.1:{FreePort()}",
        };
        int traceId;
        Uri address;
        await using var browser = await BrowserApp.OpenPageAsync(_browser, new Uri("http://127.0.0.1/"), Viewports.Laptop);
        var page = browser.Page;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using (var first = await AppProcess.Start(_directory, settings).WaitUntilListeningAsync())
        {
            address = first.BaseAddress;
            output.WriteLine($"first process listening after {clock.Elapsed.TotalSeconds:F1} s");
            traceId = await TraceIdAsync(first.Client, "Nested Multiplication");
            await page.GotoAsync(new Uri(address, $"/traces/{traceId}/sentences/3").ToString());
            await page.WaitForCircuitAsync();
            // The keys are bound once the page's script has attached, which links the chart.
            await Assertions.Expect(page.Locator("#curve-chart .js-plotly-plot[data-linked='true']")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
            await page.Keyboard.PressAsync("j");
            await AssertSelectedAsync(page, traceId, 4);
            await page.EvaluateAsync("() => window.__beforeRestart = true");

            clock.Restart();
            await first.StopAsync();
            output.WriteLine($"first process stopped in {clock.Elapsed.TotalSeconds:F1} s");
        }

        // The page notices the lost connection before the new process is up.
        await Assertions.Expect(page.Locator("#components-reconnect-modal")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await using var second = await AppProcess.Start(_directory, settings).WaitUntilListeningAsync();
        Assert.Equal(address, second.BaseAddress);
        var sinceRestart = System.Diagnostics.Stopwatch.StartNew();

        // Either the old document reconnected or it reloaded itself; in both cases it ends live again on sentence 4,
        // its keys bound (the chart is linked once the page's script has attached).
        var reloaded = false;
        await Wait.UntilAsync(async () =>
        {
            try
            {
                var state = await page.EvaluateAsync<JsonElement>(
                    """
                    () => {
                      const modal = document.getElementById('components-reconnect-modal');
                      return {
                        reloaded: window.__beforeRestart !== true,
                        reconnecting: !!modal && modal.checkVisibility(),
                        live: !!document.querySelector("[data-interactive='true'] #curve-chart .js-plotly-plot[data-linked='true']"),
                      };
                    }
                    """);
                reloaded = state.GetProperty("reloaded").GetBoolean();
                return !state.GetProperty("reconnecting").GetBoolean() && state.GetProperty("live").GetBoolean();
            }
            catch (PlaywrightException)
            {
                // The document went away under the call: it is reloading.
                return false;
            }
        }, TimeSpan.FromSeconds(90), "the page to be live again");
        output.WriteLine($"{(reloaded ? "the page reloaded itself" : "the page reconnected")}, {sinceRestart.Elapsed.TotalSeconds:F1} s after the new process listened");
        await AssertSelectedAsync(page, traceId, 4);

        await page.Keyboard.PressAsync("j");
        await AssertSelectedAsync(page, traceId, 5);
        output.WriteLine(await page.ScreenshotAsync("trace-after-restart", fullPage: false));
        await second.StopAsync();
    }

    private static async Task AssertSelectedAsync(IPage page, int traceId, int k)
    {
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/traces/{traceId}/sentences/{k}$"), new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#sentences .sentence[aria-selected='true']")).ToHaveAttributeAsync("id", $"s-{k}", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#sentences .sentence[aria-selected='true']")).ToHaveCountAsync(1);
    }

    private static async Task<int> TraceIdAsync(HttpClient client, string title)
    {
        var list = await client.GetFromJsonAsync<JsonElement>("/api/traces?pageSize=200");
        return list.GetProperty("items").EnumerateArray().First(t => t.GetProperty("title").GetString() == title).GetProperty("id").GetInt32();
    }

    /// <summary>A loopback port nothing listens on now, so both processes can be told to use it.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        await _browser.CloseAsync();
        _playwright.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
