using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace TraceViewer.Bench;

/// <summary>
/// The interactive trace page as readers meet it, on the 150-sentence × 100-resample trace of <see cref="TracePageBenchmark"/>:
/// the app on Kestrel at a loopback port (in this process, so its memory can be measured after a GC) and Debian's
/// Chromium through Playwright. Prints (a) the prerendered deep link's server time and bytes, (b) navigation to a drawn
/// chart with a live circuit, (c) server memory per open page, (d) key-press latency with many pages open, and the
/// database commands each of these costs.
/// </summary>
internal static class PagesBenchmark
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private const int Selected = TracePageBenchmark.Sentences / 2;
    private const int OpenPages = 50;
    private const int PressesPerPage = 10;
    private static readonly int[] Concurrency = [1, 10, 25, 50];

    public static async Task<int> RunAsync(string[] args)
    {
        var requests = args.Length > 0 && int.TryParse(args[0], out var r) ? r : 50;
        var views = args.Length > 1 && int.TryParse(args[1], out var v) ? v : 20;
        if (!File.Exists(ChromiumPath))
        {
            Console.Error.WriteLine($"pages needs Chromium at {ChromiumPath}");
            return 1;
        }

        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TRACEVIEWER", BenchPaths.AppFolder());
        var directory = Directory.CreateTempSubdirectory("traceviewer-bench-pages-");
        using var commands = CommandCounter.Start();
        try
        {
            await using var app = new AppOnFile(Path.Combine(directory.FullName, "bench.db"));
            app.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
            app.StartServer();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
            var seed = Stopwatch.StartNew();
            var traceId = await TracePageBenchmark.SeedAsync(app.Services);
            var path = $"/traces/{traceId}/sentences/{Selected}";
            Console.WriteLine($"seeded 1 trace, {TracePageBenchmark.Sentences} sentences × {TracePageBenchmark.ResamplesPerPosition} resamples in {seed.Elapsed.TotalSeconds:F1} s");
            Console.WriteLine($"Kestrel on {address} in this process, SQLite file, Chromium {ChromiumPath}, {Environment.ProcessorCount} cores, load average {BenchPaths.LoadAverage()}");

            await MeasurePrerenderAsync(address, path, requests, commands);

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            await MeasureNavigationAsync(browser, address, path, views, warm: false, commands);
            await MeasureNavigationAsync(browser, address, path, views, warm: true, commands);
            var pages = await MeasureMemoryAsync(browser, address, path, commands);
            await MeasureLatencyAsync(pages, commands);
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    /// <summary>(a) GET of the deep link over loopback: the server's prerender, the HTML and the state it carries.</summary>
    private static async Task MeasurePrerenderAsync(Uri address, string path, int requests, CommandCounter commands)
    {
        using var client = new HttpClient { BaseAddress = address };
        var html = "";
        for (var i = 0; i < 30; i++)
        {
            html = await client.GetStringAsync(path);
        }

        var times = new double[requests];
        var before = commands.Count;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < requests; i++)
        {
            var watch = Stopwatch.StartNew();
            html = await client.GetStringAsync(path);
            times[i] = watch.Elapsed.TotalMilliseconds;
        }

        var cpuPerRequest = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / requests;
        var perRequest = (commands.Count - before) / (double)requests;
        Array.Sort(times);
        Console.WriteLine(
            $"(a) prerendered GET {path}: median {Timing.Median(times):F1} ms, p90 {Timing.Percentile(times, 0.9):F1} ms, min {times[0]:F1} ms, CPU {cpuPerRequest:F1} ms/request " +
            $"({requests} requests after 30 warm-up; target median <= 50 ms); {Kb(Encoding.UTF8.GetByteCount(html))} of HTML; {perRequest:F1} database commands per request");
    }

    /// <summary>
    /// (b) From the address to a drawn chart whose circuit answers a key: each view in a fresh browser context (empty
    /// cache, as a first visit) or all in one context (scripts cached, as a reader's next trace).
    /// </summary>
    private static async Task MeasureNavigationAsync(IBrowser browser, Uri address, string path, int views, bool warm, CommandCounter commands)
    {
        var shown = new List<double>();
        var drawn = new List<double>();
        var interactive = new List<double>();
        var viewCommands = new List<int>();
        var circuits = new List<double>();
        var timings = new List<JsonElement>();
        var shared = warm ? await NewContextAsync(browser, address) : null;
        for (var i = -2; i < views; i++)
        {
            var context = shared ?? await NewContextAsync(browser, address);
            var page = await context.NewPageAsync();
            var before = commands.Count;
            var watch = Stopwatch.StartNew();
            await page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
            await page.Locator($"#s-{Selected}[aria-selected='true']").WaitForAsync(new() { Timeout = 60_000 });
            var sentence = watch.Elapsed.TotalMilliseconds;
            await page.Locator("#curve-chart .js-plotly-plot .main-svg").First.WaitForAsync(new() { Timeout = 60_000 });
            var chart = watch.Elapsed.TotalMilliseconds;
            await page.Locator("[data-interactive='true']").WaitForAsync(new() { Timeout = 60_000 });
            // In the page's clock, just after the circuit rendered the layout.
            var circuit = await page.EvaluateAsync<double>("() => performance.now()");
            await WaitLiveAsync(page);
            await PressAsync(page, "j", Selected + 1);
            var live = watch.Elapsed.TotalMilliseconds;
            if (i >= 0)
            {
                timings.Add(await page.EvaluateAsync<JsonElement>(
                    """
                    () => {
                      const n = performance.getEntriesByType('navigation')[0];
                      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                      const first = performance.getEntriesByName('tv-chart-drawn-before-circuit')[0];
                      return { response: n.responseEnd, dom: n.domContentLoadedEventEnd, load: n.loadEventEnd, paint: fcp ? fcp.startTime : -1, chartFirst: first ? first.startTime : -1 };
                    }
                    """));
                circuits.Add(circuit);
                shown.Add(sentence);
                drawn.Add(chart);
                interactive.Add(live);
                viewCommands.Add(commands.Count - before);
            }

            await page.CloseAsync();
            if (shared is null)
            {
                await context.DisposeAsync();
            }
        }

        if (shared is not null)
        {
            await shared.DisposeAsync();
        }

        var p = shown.Order().ToArray();
        var d = drawn.Order().ToArray();
        var l = interactive.Order().ToArray();
        var c = viewCommands.Order().ToArray();
        double PageClock(string name) => Timing.Median([.. timings.Select(t => t.GetProperty(name).GetDouble()).Order()]);
        Console.WriteLine(
            $"(b) navigation in Chromium, {(warm ? "scripts cached" : "empty cache")}, {views} views: prerendered sentence shown median {Timing.Median(p):F0} ms; " +
            $"chart drawn median {Timing.Median(d):F0} ms (p90 {Timing.Percentile(d, 0.9):F0}); drawn and interactive (a key press changed the selection) " +
            $"median {Timing.Median(l):F0} ms, p90 {Timing.Percentile(l, 0.9):F0} ms (target <= 1500 ms); database commands per view incl. the key press: median {c[c.Length / 2]}");
        var firstDrawn = timings.Zip(circuits).Count(t => t.First.GetProperty("chartFirst").GetDouble() is >= 0 and var at && at < t.Second);
        Console.WriteLine(
            $"    in the page's own clock (medians): HTML received {PageClock("response"):F0} ms, first paint {PageClock("paint"):F0} ms, " +
            $"DOMContentLoaded {PageClock("dom"):F0} ms, load {PageClock("load"):F0} ms, chart drawn from the prerendered figure {PageClock("chartFirst"):F0} ms " +
            $"(before the circuit in {firstDrawn} of {timings.Count} views), circuit live {Timing.Median([.. circuits.Order()]):F0} ms");
    }

    /// <summary>(c) Fifty live pages in one context: the server's working set and managed heap after a full GC, before and after.</summary>
    private static async Task<IReadOnlyList<IPage>> MeasureMemoryAsync(IBrowser browser, Uri address, string path, CommandCounter commands)
    {
        var context = await NewContextAsync(browser, address);
        var (set0, heap0) = Settle();
        var pages = new List<IPage>();
        var before = commands.Count;
        for (var i = 0; i < OpenPages; i++)
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(path);
            await WaitLiveAsync(page);
            pages.Add(page);
        }

        var opened = commands.Count - before;
        var (set1, heap1) = Settle();
        Console.WriteLine(
            $"(c) {OpenPages} open trace pages (one context): working set {Mb(set0)} -> {Mb(set1)} after GC, {Mb((set1 - set0) / OpenPages)} per page " +
            $"(target <= 5 MB); managed heap {Mb(heap0)} -> {Mb(heap1)}, {Mb((heap1 - heap0) / OpenPages)} per page; {opened / (double)OpenPages:F1} database commands per page opened");
        return pages;
    }

    /// <summary>
    /// (d) With n pages open (n live circuits): time from the key event to the selected sentence changing, measured in
    /// the page, first for one page pressing while the others sit open, then for all n pressing at once (on this machine
    /// the n Chromium pages then compete with the server for the same two cores). A press that is not shown within 10 s
    /// counts as failed.
    /// </summary>
    private static async Task MeasureLatencyAsync(IReadOnlyList<IPage> pages, CommandCounter commands)
    {
        foreach (var n in Concurrency.Where(n => n <= pages.Count))
        {
            await MeasurePressesAsync(pages.Take(1).ToList(), n, $"{n,2} pages open, one pressing", commands);
            if (n > 1)
            {
                await MeasurePressesAsync(pages.Take(n).ToList(), n, $"{n,2} pages open, all pressing ", commands);
            }
        }
    }

    private static async Task MeasurePressesAsync(List<IPage> pressing, int open, string label, CommandCounter commands)
    {
        var before = commands.Count;
        var feedBefore = commands.Feed;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var samples = await Task.WhenAll(pressing.Select(async page =>
        {
            var times = new List<double>();
            // One page alone presses more often, so its p95 rests on more than a handful of presses.
            for (var i = 0; i < (pressing.Count == 1 ? 3 * PressesPerPage : PressesPerPage); i++)
            {
                // Down from the sentence shown, then back up, so each page stays around where it started.
                var from = await page.EvaluateAsync<int>("() => Number(document.getElementById('sentences').dataset.selected)");
                var (key, to) = i % 2 == 0 ? ("j", from + 1) : ("k", from - 1);
                try
                {
                    times.Add(await PressAsync(page, key, to));
                }
                catch (PlaywrightException)
                {
                    times.Add(double.PositiveInfinity);
                    // The circuit may be gone: the reader would reload.
                    await page.ReloadAsync(new PageReloadOptions { Timeout = 120_000 });
                    await WaitLiveAsync(page);
                }
            }

            return times;
        }));
        var all = samples.SelectMany(t => t).Order().ToArray();
        var failed = all.Count(double.IsPositiveInfinity);
        var cpuPerPress = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / all.Length;
        Console.WriteLine(
            $"(d) {label}: key press to selection shown p50 {Timing.Median(all):F0} ms, p95 {Timing.Percentile(all, 0.95):F0} ms, max {all[^1]:F0} ms " +
            $"({all.Length} presses, {failed} not shown within 10 s; target p95 < 100 ms); server CPU {cpuPerPress:F1} ms and " +
            $"{(commands.Count - before) / (double)all.Length:F1} database commands per press, " +
            $"{(commands.Count - before - (commands.Feed - feedBefore)) / (double)all.Length:F1} without the jobs feed's once-a-second look");
    }

    private static Task<IBrowserContext> NewContextAsync(IBrowser browser, Uri address) =>
        browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = address.ToString(), ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });

    /// <summary>The circuit has rendered the layout and the page's script has bound its keys (it links the chart).</summary>
    private static async Task WaitLiveAsync(IPage page)
    {
        await page.Locator("[data-interactive='true']").WaitForAsync(new() { Timeout = 60_000 });
        await page.Locator("#curve-chart .js-plotly-plot[data-linked='true']").WaitForAsync(new() { Timeout = 60_000, State = WaitForSelectorState.Attached });
    }

    /// <summary>Sends a key as the reader's keyboard would reach the page and returns the milliseconds until sentence <paramref name="to"/> is shown selected.</summary>
    private static Task<double> PressAsync(IPage page, string key, int to) =>
        page.EvaluateAsync<double>(
            """
            ([key, to]) => new Promise((resolve, reject) => {
              const list = document.getElementById('sentences');
              const selected = () => list.querySelector(".sentence[aria-selected='true']")?.id === `s-${to}`;
              const start = performance.now();
              const observer = new MutationObserver(() => {
                if (selected()) { observer.disconnect(); clearTimeout(timer); resolve(performance.now() - start); }
              });
              const timer = setTimeout(() => { observer.disconnect(); reject(new Error(`s-${to} not selected after 10 s`)); }, 10000);
              observer.observe(list, { attributes: true, subtree: true, attributeFilter: ['aria-selected'] });
              document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
            })
            """, new object[] { key, to });

    private static (long WorkingSet, long Heap) Settle()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        using var process = Process.GetCurrentProcess();
        return (process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: true));
    }

    private static string Kb(int bytes) => $"{bytes / 1024.0:F1} KB";

    private static string Mb(long bytes) => $"{bytes / (1024.0 * 1024):F1} MB";

    /// <summary>Counts the commands EF Core sends to the database, from its diagnostic events.</summary>
    private sealed class CommandCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly List<IDisposable> _subscriptions = [];
        private int _count;
        private int _feed;

        public int Count => Volatile.Read(ref _count);

        /// <summary>Of <see cref="Count"/>, the commands that read the jobs table: the jobs panel's progress feed, once a second while pages are open.</summary>
        public int Feed => Volatile.Read(ref _feed);

        public static CommandCounter Start()
        {
            var counter = new CommandCounter();
            counter._subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(counter));
            return counter;
        }

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == "Microsoft.EntityFrameworkCore")
            {
                lock (_subscriptions)
                {
                    _subscriptions.Add(listener.Subscribe(this, name => name == "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuting"));
                }
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            Interlocked.Increment(ref _count);
            if (value.Value is Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData { Command.CommandText: var text } && text.Contains("FROM \"Job\" AS", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _feed);
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }
        }
    }
}
