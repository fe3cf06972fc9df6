using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TraceViewer.Data;
using TraceViewer.Tests;

namespace TraceViewer.BrowserTests;

/// <summary>The real app on Kestrel at a loopback port, seeded with one long trace, and Debian's Chromium driving it.</summary>
public class BrowserApp : IAsyncLifetime, IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Model output that would run script if it were rendered as markup.</summary>
    public const string HostileSentence = "I will <script>window.__pwned = 'script'</script> and <img src=x onerror=\"window.__pwned = 'img'\"> comply.";

    public const int SentenceCount = 60;

    public const int HostileIndex = 7;

    public const int ResamplesPerSentence = 20;

    private readonly TestApp _app;
    private IPlaywright? _playwright;

    public BrowserApp()
        : this(null)
    {
    }

    /// <summary>The app with more services, e.g. a test-only endpoint.</summary>
    protected BrowserApp(Action<IServiceCollection>? services) =>
        _app = new TestApp().WithServices(s =>
        {
            s.ConfigureDbContext<SqliteTraceViewerDbContext>(options => options.AddInterceptors(Queries));
            services?.Invoke(s);
        });

    /// <summary>The real app behind the browser, for seeding more data.</summary>
    internal TestApp App => _app;

    /// <summary>Every database command the app runs.</summary>
    internal QueryLog Queries { get; } = new();

    public IBrowser Browser { get; private set; } = default!;

    public Uri BaseAddress { get; private set; } = default!;

    internal SeededTrace Trace { get; private set; } = default!;

    /// <summary>Screenshots and other artifacts land beside the test binaries, in artifacts/.</summary>
    public static string ArtifactsDirectory { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public async Task InitializeAsync()
    {
        RequireChromium();

        _app.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _app.StartServer();
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.Single());

        Trace = await TraceSeeder.SeedAsync(_app, new TraceSeed
        {
            Title = "Long trace",
            Sentences = [.. Enumerable.Range(0, SentenceCount).Select(k => k == HostileIndex ? HostileSentence : $"Step {k} of the argument goes here, long enough to wrap across the pane.")],
            ResamplesPerSentence = ResamplesPerSentence,
            Successes = i => (int)Math.Round(ResamplesPerSentence * (0.15 + 0.7 * i / SentenceCount + (i % 5 == 0 ? 0.1 : 0))),
            Counterfactual = k => k % 3 == 0 ? 0.3 : k % 3 == 1 ? -0.2 : 0,
            Alternative = (i, j) => i == HostileIndex && j % 2 == 0 ? HostileSentence : $"Variant {j % 3} of step {i}.",
        });

        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchChromiumAsync(_playwright);
    }

    /// <summary>Fails fast, before any server starts, when the browser is missing.</summary>
    internal static void RequireChromium()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Browser tests need Chromium at {ChromiumPath} (apt-get install -y chromium; .ci/run installs it).");
        }
    }

    /// <summary>Debian's Chromium, headless, with the flags that keep it off the network.</summary>
    internal static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright)
    {
        RequireChromium();
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A fresh page that records script errors and failed requests, so a test can assert there were none.</summary>
    public Task<BrowserPage> NewPageAsync() => OpenPageAsync(Browser, BaseAddress);

    /// <summary>A fresh page in a new browser context (no cookies, empty cache) at a viewport of <see cref="Viewports"/>.</summary>
    public Task<BrowserPage> NewPageAsync(string viewport) => OpenPageAsync(Browser, BaseAddress, viewport);

    internal static async Task<BrowserPage> OpenPageAsync(IBrowser browser, Uri baseAddress, string? viewport = null)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = viewport is null ? new ViewportSize { Width = 1280, Height = 800 } : Viewports.Size(viewport),
            IsMobile = viewport == Viewports.Phone,
            HasTouch = viewport == Viewports.Phone,
        });
        var page = await context.NewPageAsync();
        var result = new BrowserPage(context, page);
        page.PageError += (_, error) => result.Errors.Add("page error: " + error);
        page.Console += (_, message) =>
        {
            // A failed load is reported below with its address.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                result.Errors.Add("console: " + message.Text);
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                result.Errors.Add($"HTTP {response.Status}: {response.Url}");
            }
        };
        page.Dialog += async (_, dialog) =>
        {
            result.Errors.Add("dialog: " + dialog.Message);
            await dialog.DismissAsync();
        };
        return result;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

    }

    /// <summary>xunit calls this after <see cref="DisposeAsync"/>.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _playwright?.Dispose();
            _app.Dispose();
        }
    }
}

public sealed class BrowserPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    public List<string> Errors { get; } = [];

    public ValueTask DisposeAsync() => new(context.CloseAsync());
}
