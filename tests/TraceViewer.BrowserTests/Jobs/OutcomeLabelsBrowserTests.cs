using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TraceViewer.Tests;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Jobs;

/// <summary>The MATH fixture problem on Kestrel with its job worker and a loopback provider that answers right, then wrong, per prefix.</summary>
public sealed class OutcomeLabelsBrowserApp : IAsyncLifetime, IDisposable
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private TestApp? _app;
    private IPlaywright? _playwright;

    public LoopbackOpenAIServer Server { get; private set; } = default!;

    public IBrowser Browser { get; private set; } = default!;

    public Uri BaseAddress { get; private set; } = default!;

    public int TraceId { get; private set; }

    public async Task InitializeAsync()
    {
        BrowserApp.RequireChromium();
        Server = await LoopbackOpenAIServer.StartAsync();
        // The first continuation of each prefix boxes the ground truth, the second a wrong answer.
        Server.Completion = body =>
        {
            var prefix = ((System.Text.Json.Nodes.JsonArray)body["messages"]!)[^1]!["content"]!.GetValue<string>();
            var n = _calls.AddOrUpdate(prefix, 0, (_, v) => v + 1);
            return " Adding up the layers gives the total.\n</think>\n\nThe answer is " + (n % 2 == 0 ? "\\boxed{88572}" : "\\boxed{88571}");
        };
        _app = new TestApp()
            .WithSystemClock()
            .WithSetting("Providers:loop:BaseUrl", Server.BaseUrl)
            .WithSetting("Providers:loop:Models:0", "model-x")
            .WithSetting("Providers:loop:PrefillFlag", "prefix")
            .WithSetting("Providers:loop:MaxConcurrentRequests", "1")
            .WithSetting("Jobs:PollInterval", "00:00:00.100")
            .WithSetting("Jobs:RecomputeInterval", "00:00:00.200")
            .WithSetting("Jobs:BaseBackoff", "00:00:00.050");
        _app.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _app.StartServer();
        BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<TraceViewer.Import.ImportService>().ImportAsync(
                SharedPaths.Fixtures("thought-anchors", "deepseek-r1-distill-qwen-14b", "correct_base_solution", "problem_330"), false, null, CancellationToken.None);
        }

        await using (var db = _app.CreateDbContext())
        {
            TraceId = await db.Set<TraceViewer.Traces.Trace>().Select(t => t.Id).SingleAsync();
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await BrowserApp.LaunchChromiumAsync(_playwright);
    }

    public Task<BrowserPage> NewPageAsync(string viewport) => BrowserApp.OpenPageAsync(Browser, BaseAddress, viewport);

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _app?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    public void Dispose() => _playwright?.Dispose();
}

/// <summary>
/// The resample form on a MATH problem says how its new continuations are labelled; after a small job the imported
/// values stay shown with the reason, and "all" counts the new continuations.
/// </summary>
public sealed class OutcomeLabelsBrowserTests(OutcomeLabelsBrowserApp app, ITestOutputHelper output) : IClassFixture<OutcomeLabelsBrowserApp>
{
    [Fact]
    public async Task ResamplingAMathProblemFromItsPageLabelsCorrectnessAndTheCountsFollowOnBothScreens()
    {
        await using var laptop = await app.NewPageAsync(Viewports.Laptop);
        var page = laptop.Page;
        await page.GotoAsync($"/traces/{app.TraceId}");
        await page.WaitForCircuitAsync();
        var form = page.Locator("[data-testid=resample-form]");
        await form.ScrollIntoViewIfNeededAsync();
        var labels = page.Locator("[data-testid=resample-labels] li");
        await Assertions.Expect(labels).ToHaveCountAsync(1);
        await Assertions.Expect(labels.First).ToContainTextAsync("Correct answer by answer equivalence with the ground truth 88572");
        await form.ScreenshotAsync(new LocatorScreenshotOptions { Path = Shot("resample-form-laptop.png") });
        var importedCount = (await page.Locator("[data-testid=resample-counts] [data-field=labelled-count]").TextContentAsync())!.Trim();

        await form.Locator("input[data-field=from]").FillAsync("1");
        await form.Locator("input[data-field=to]").FillAsync("3");
        await form.Locator("input[data-field=n]").FillAsync("2");
        await form.Locator("input[data-field=n]").PressAsync("Tab");
        await form.Locator("[data-testid=resample-submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=trace-jobs] .trace-job [data-field=status]").First)
            .ToHaveTextAsync("Completed", new() { Timeout = 60_000 });

        // Six new continuations, each labelled is_correct, at 3 positions: far fewer than the imported values rest on, so
        // those stay shown, the panel says why, and header and panel count alike.
        await Assertions.Expect(page.Locator("[data-testid=provenance] [data-field=why-shown]"))
            .ToContainTextAsync("the computed set rests on 6 resamples over 3 positions, less than the imported set's", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("[data-testid=resample-counts] [data-field=labelled-count]")).ToHaveTextAsync(importedCount);
        await Assertions.Expect(page.Locator("[data-testid=provenance] [data-field=labelled-count]")).ToHaveTextAsync(importedCount);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("trace-after-labelled-job-laptop.png") });

        // "all": the curve of the trace's own outcome from the recomputed set, the six generated continuations.
        await page.GotoAsync($"/traces/{app.TraceId}?resamples=all");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("[data-testid=resample-counts] [data-field=labelled-count]")).ToHaveTextAsync("6", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("[data-testid=provenance] [data-field=labelled-count]")).ToHaveTextAsync("6", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator(".chart-caption")).ToContainTextAsync("computed from resamples", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("[data-testid=provenance] [data-field=counts]")).ToContainTextAsync("computed from 6 (0 imported, 6 generated)", new() { Timeout = 20_000 });
        var total = await page.Locator("[data-testid=resample-counts] [data-field=resample-count]").TextContentAsync();
        await Assertions.Expect(page.Locator("[data-testid=provenance] [data-field=resample-total]")).ToHaveTextAsync(total!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("trace-all-resamples-laptop-full.png"), FullPage = true });

        // The reader brings back the imported curve by choosing the source in the address.
        await page.GotoAsync($"/traces/{app.TraceId}?resamples=imported");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator(".chart-caption")).ToContainTextAsync("imported from chunks_labeled.json", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("[data-testid=resample-source] a[data-resamples=imported]")).ToHaveAttributeAsync("aria-current", "true");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("trace-imported-source-laptop.png") });
        Assert.Empty(laptop.Errors);

        await using var phone = await app.NewPageAsync(Viewports.Phone);
        await phone.Page.GotoAsync($"/traces/{app.TraceId}");
        await phone.Page.WaitForCircuitAsync();
        await Assertions.Expect(phone.Page.Locator("[data-testid=resample-counts] [data-field=labelled-count]")).ToHaveTextAsync(importedCount);
        await Assertions.Expect(phone.Page.Locator("[data-testid=provenance] [data-field=why-shown]")).ToContainTextAsync("6 resamples over 3 positions");
        await phone.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("trace-after-labelled-job-phone.png") });
        var phoneForm = phone.Page.Locator("[data-testid=resample-form]");
        await phoneForm.ScrollIntoViewIfNeededAsync();
        await phoneForm.ScreenshotAsync(new LocatorScreenshotOptions { Path = Shot("resample-form-phone.png") });
        var sideways = await phone.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth");
        Assert.False(sideways, "the phone page scrolls sideways");
        Assert.Empty(phone.Errors);
    }

    private string Shot(string name)
    {
        var path = Path.Combine(BrowserApp.ArtifactsDirectory, name);
        output.WriteLine(path);
        return path;
    }
}
