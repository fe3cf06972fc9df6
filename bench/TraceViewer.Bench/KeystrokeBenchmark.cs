using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TraceViewer.Data;
using TraceViewer.Tags;

namespace TraceViewer.Bench;

/// <summary>
/// The tagging workbench's key press: from the key event in Chromium to the sentence showing the tag as saved (its
/// change committed in its own transaction, the trace's tags read again and rendered, the page's queue empty), over
/// the local circuit to the app on Kestrel at a loopback port, on a SQLite file, for the 150-sentence trace of
/// <see cref="TracePageBenchmark"/>. Presses alternate on and off, on one sentence and on a range of five.
/// </summary>
internal static class KeystrokeBenchmark
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private const int Selected = TracePageBenchmark.Sentences / 2;

    public static async Task<int> RunAsync(string[] args)
    {
        var presses = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 200;
        if (!File.Exists(ChromiumPath))
        {
            Console.Error.WriteLine($"keystroke needs Chromium at {ChromiumPath}");
            return 1;
        }

        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TRACEVIEWER", BenchPaths.AppFolder());
        var directory = Directory.CreateTempSubdirectory("traceviewer-bench-keystroke-");
        try
        {
            await using var app = new AppOnFile(Path.Combine(directory.FullName, "bench.db"));
            app.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
            app.StartServer();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
            var traceId = await TracePageBenchmark.SeedAsync(app.Services);
            int taxonomy;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                taxonomy = await scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>().Set<Taxonomy>()
                    .Where(t => t.Name == BuiltInTaxonomies.Reasoning).Select(t => t.Id).SingleAsync();
            }

            Console.WriteLine($"Kestrel on {address} in this process, SQLite file, Chromium {ChromiumPath}, {Environment.ProcessorCount} cores, load average {BenchPaths.LoadAverage()}");
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = address.ToString(), ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
            var page = await context.NewPageAsync();
            await page.GotoAsync($"/traces/{traceId}/sentences/{Selected}?tagging={taxonomy}");
            await page.Locator(".trace-page[data-keys='ready']").WaitForAsync(new() { Timeout = 60_000, State = WaitForSelectorState.Attached });
            await page.Locator($"#s-{Selected}").FocusAsync();

            await MeasureAsync(page, "one sentence", "1", Selected, Selected, 20, presses);
            await page.Keyboard.PressAsync("Shift+ArrowDown");
            await page.Keyboard.PressAsync("Shift+ArrowDown");
            await page.Keyboard.PressAsync("Shift+ArrowDown");
            await page.Keyboard.PressAsync("Shift+ArrowDown");
            await MeasureAsync(page, "range of 5", "2", Selected, Selected + 4, 20, presses);
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static async Task MeasureAsync(IPage page, string label, string key, int from, int to, int warmUp, int presses)
    {
        var times = new List<double>();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < warmUp + presses; i++)
        {
            var ms = await PressAsync(page, key, from, to);
            if (i >= warmUp)
            {
                times.Add(ms);
            }
        }

        var cpuPerPress = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / (warmUp + presses);
        var sorted = times.Order().ToArray();
        Console.WriteLine(
            $"keystroke, {label}: key press to saved and shown median {sorted[sorted.Length / 2]:F1} ms, p95 {Timing.Percentile(sorted, 0.95):F1} ms, " +
            $"max {sorted[^1]:F1} ms ({sorted.Length} presses after {warmUp} to warm up; target p95 <= 100 ms); server and browser CPU in this process {cpuPerPress:F1} ms per press");
    }

    /// <summary>
    /// Sends the key as the keyboard would and resolves once sentences <paramref name="from"/>-<paramref name="to"/>
    /// all show the tag toggled (on when it was off, off when it was on), marked saved, with nothing left in the queue.
    /// </summary>
    private static Task<double> PressAsync(IPage page, string key, int from, int to) =>
        page.EvaluateAsync<double>(
            """
            ([key, from, to]) => new Promise((resolve, reject) => {
              const root = document.querySelector('.trace-page');
              const sentences = [];
              for (let k = from; k <= to; k++) sentences.push(document.getElementById(`s-${k}`));
              const tag = root.querySelector(`[data-testid=tag-keys] li:nth-child(${key})`).dataset.tag;
              const has = s => !!s.querySelector(`.tag-chip[data-tag='${tag}'][data-mine='true']`);
              const want = !sentences.every(has);
              const done = () => root.dataset.tagQueue === '0'
                && sentences.every(s => document.getElementById(s.id)?.dataset.save === 'saved' && has(document.getElementById(s.id)) === want);
              const start = performance.now();
              const observer = new MutationObserver(() => {
                if (done()) { observer.disconnect(); clearTimeout(timer); resolve(performance.now() - start); }
              });
              const timer = setTimeout(() => { observer.disconnect(); reject(new Error('not saved and shown after 10 s')); }, 10000);
              observer.observe(root, { attributes: true, childList: true, subtree: true });
              document.getElementById(`s-${to}`).dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
            })
            """, new object[] { key, from, to });
}
