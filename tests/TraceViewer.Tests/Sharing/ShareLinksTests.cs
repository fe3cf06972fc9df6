using System.Net;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TraceViewer.Accounts;
using TraceViewer.Sharing;
using TraceViewer.Tags;
using TraceViewer.Tests.Accounts;

namespace TraceViewer.Tests.Sharing;

/// <summary>Share links through the real app on a SQLite file, with accounts on: opening, scope, refusals, expiry, revocation, logs.</summary>
public sealed class ShareLinksTests : IDisposable
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly TestApp _app;

    public ShareLinksTests() => _app = new TestApp()
        // Request lines too (off by default), so a token in a path would reach them.
        .WithSetting("Logging:LogLevel:Microsoft.AspNetCore", "Debug")
        .WithServices(s => s.AddSingleton<ILoggerProvider>(_logs));

    public void Dispose() => _app.Dispose();

    private async Task<(SeededTrace Shared, SeededTrace Other)> SeedTwoAsync()
    {
        var shared = await TraceSeeder.SeedAsync(_app, new TraceSeed());
        var other = await TraceSeeder.SeedAsync(_app, new TraceSeed { DatasetKey = "other/model-b/x", DatasetName = "Other problems", Title = "Problem 2", SourcePath = "problem_2" });
        Assert.NotEqual(shared.DatasetId, other.DatasetId);
        await _app.AddAccountAsync("admin@example.test", Roles.Admin);
        return (shared, other);
    }

    private async Task<NewShare> ShareTraceAsync(int traceId, string target, TimeSpan? lifetime = null)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var made = await scope.ServiceProvider.GetRequiredService<ShareService>().ShareTraceAsync(traceId, target, lifetime, "admin@example.test");
        return made ?? throw new InvalidOperationException("not shared");
    }

    private async Task<NewShare> ShareStudyAsync(int datasetId)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var made = await scope.ServiceProvider.GetRequiredService<ShareService>().ShareStudyAsync(datasetId, $"/datasets/{datasetId}/study", null, "admin@example.test");
        return made ?? throw new InvalidOperationException("not shared");
    }

    [Fact]
    public async Task OpeningALinkSetsAnHttpOnlyCookieAndLandsOnTheSentenceWithItsViewWithoutTheToken()
    {
        var (shared, _) = await SeedTwoAsync();
        var target = $"/traces/{shared.TraceId}/sentences/1?effect=resampling&dim=0.25";
        var share = await ShareTraceAsync(shared.TraceId, target);
        var client = _app.NewClient();

        var opened = await client.GetAsync(share.Path);
        var page = await client.GetAsync(target);

        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        Assert.Equal(target, opened.Headers.Location!.OriginalString);
        Assert.DoesNotContain(share.Token, opened.Headers.Location.OriginalString, StringComparison.Ordinal);
        var cookie = Assert.Single(opened.Headers.GetValues("Set-Cookie"), c => c.StartsWith(ShareHolder.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(share.Token, cookie, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = new HtmlParser().ParseDocument(await page.Content.ReadAsStringAsync());
        Assert.NotNull(html.QuerySelector("[data-testid=shared-link]"));
        Assert.Null(html.QuerySelector("[data-testid=share-button]"));
        await using var db = _app.CreateDbContext();
        var row = await db.Set<ShareLink>().SingleAsync();
        Assert.Equal(1, row.UseCount);
        Assert.NotNull(row.LastUsedAt);
        Assert.Equal(Secrets.Hash(share.Token), row.TokenHash);
    }

    [Fact]
    public async Task ExpiredAndRevokedLinksAnswer410AndTheirCookiesStopWorking()
    {
        var (shared, _) = await SeedTwoAsync();
        var expiring = await ShareTraceAsync(shared.TraceId, $"/traces/{shared.TraceId}", TimeSpan.FromDays(1));
        var revoked = await ShareTraceAsync(shared.TraceId, $"/traces/{shared.TraceId}");
        var holder = _app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await holder.GetAsync(revoked.Path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await holder.GetAsync($"/traces/{shared.TraceId}")).StatusCode);

        await using (var scope = _app.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<ShareService>().RevokeAsync(revoked.Id));
        }

        _app.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        var expiredPage = await _app.NewClient().PageAsync(expiring.Path, HttpStatusCode.Gone);
        var revokedPage = await _app.NewClient().PageAsync(revoked.Path, HttpStatusCode.Gone);
        var unknown = await _app.NewClient().PageAsync("/s/" + Secrets.NewToken(), HttpStatusCode.NotFound);
        var afterRevoke = await holder.GetAsync($"/traces/{shared.TraceId}");

        Assert.NotNull(expiredPage.QuerySelector("[data-testid=share-expired]"));
        Assert.Contains("expired", expiredPage.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(revokedPage.QuerySelector("[data-testid=share-revoked]"));
        Assert.NotNull(unknown.QuerySelector("[data-testid=share-unknown]"));
        Assert.Equal(HttpStatusCode.Redirect, afterRevoke.StatusCode);
        Assert.StartsWith(AccountsExtensions.SignInPath, afterRevoke.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATokenNeverReachesTheLogs()
    {
        var (shared, _) = await SeedTwoAsync();
        var share = await ShareTraceAsync(shared.TraceId, $"/traces/{shared.TraceId}/sentences/0");
        var gone = await ShareTraceAsync(shared.TraceId, $"/traces/{shared.TraceId}", TimeSpan.FromMinutes(1));
        _app.Clock.Advance(TimeSpan.FromMinutes(2));
        var client = _app.NewClient();

        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync(share.Path)).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await client.GetAsync(gone.Path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(share.Path + "x")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/traces/{shared.TraceId}/sentences/0")).StatusCode);

        var logs = _logs.AllText;
        Assert.True(!logs.Contains(share.Token, StringComparison.Ordinal), string.Join('\n', _logs.Lines.Where(l => l.Contains(share.Token, StringComparison.Ordinal))));
        Assert.DoesNotContain(gone.Token, logs, StringComparison.Ordinal);
        // The requests were logged, with the path redacted (so the capture did see them).
        Assert.Contains("/" + LogRedaction.Replacement, logs, StringComparison.Ordinal);
        Assert.Contains("Share link " + share.Id + " opened", logs, StringComparison.Ordinal);
    }

    public static TheoryData<string> Scopes => new() { "trace", "study" };

    /// <summary>
    /// Every endpoint of the app (from its route table, so a new one cannot be missed), with every method it takes and
    /// its ids set to the shared trace or dataset and to another: the share holder reads only its scope's pages, and
    /// everywhere else is answered exactly as a signed-out visitor.
    /// </summary>
    [Theory]
    [MemberData(nameof(Scopes))]
    public async Task AShareHolderReadsOnlyItsScopeAndIsElsewhereASignedOutVisitor(string kind)
    {
        var (shared, other) = await SeedTwoAsync();
        var share = kind == "trace" ? await ShareTraceAsync(shared.TraceId, $"/traces/{shared.TraceId}") : await ShareStudyAsync(shared.DatasetId);
        var holder = _app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await holder.GetAsync(share.Path)).StatusCode);
        var anonymous = _app.NewClient();
        var allowed = kind == "trace"
            ? new[] { $"/traces/{shared.TraceId}", $"/traces/{shared.TraceId}/sentences/0" }
            : [$"/datasets/{shared.DatasetId}/study", $"/traces/{shared.TraceId}", $"/traces/{shared.TraceId}/sentences/0"];
        var before = await CountRowsAsync();

        var requests = Requests(_app.Services, [shared.TraceId, other.TraceId, shared.DatasetId, other.DatasetId]);
        Assert.Contains(requests, r => r.Url == $"/traces/{shared.TraceId}/sentences/0");
        Assert.Contains(requests, r => r.Method == "POST" && r.Url.StartsWith("/api/jobs", StringComparison.Ordinal));
        var failures = new List<string>();
        foreach (var (method, url) in requests)
        {
            var byHolder = await holder.SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = Body(method) });
            if (method == "GET" && allowed.Contains(url))
            {
                if (byHolder.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{method} {url}: {(int)byHolder.StatusCode}, expected 200 (in scope)");
                }

                continue;
            }

            if (method != "GET" && (int)byHolder.StatusCode < 400)
            {
                failures.Add($"{method} {url}: {(int)byHolder.StatusCode}, a write must be refused");
            }

            var byAnonymous = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = Body(method) });
            if (byAnonymous.StatusCode == HttpStatusCode.OK && byHolder.StatusCode != HttpStatusCode.OK)
            {
                // A route a signed-out visitor reads (public datasets only; none is public here): the holder, whose reads
                // include its shared dataset, is kept to its scope and asked to sign in.
                var signIn = url.StartsWith("/api/", StringComparison.Ordinal)
                    ? byHolder.StatusCode == HttpStatusCode.Unauthorized
                    : byHolder.StatusCode == HttpStatusCode.Redirect && Workspaces.PublicDatasetsTests.IsSignIn(byHolder.Headers.Location);
                if (!signIn)
                {
                    failures.Add($"{method} {url}: {(int)byHolder.StatusCode} {byHolder.Headers.Location}, expected the holder to be asked to sign in");
                }

                continue;
            }

            if (byHolder.StatusCode != byAnonymous.StatusCode || byHolder.Headers.Location != byAnonymous.Headers.Location)
            {
                failures.Add($"{method} {url}: {(int)byHolder.StatusCode} {byHolder.Headers.Location}, a signed-out visitor gets {(int)byAnonymous.StatusCode} {byAnonymous.Headers.Location}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(before, await CountRowsAsync());
    }

    private async Task<string> CountRowsAsync()
    {
        await using var db = _app.CreateDbContext();
        return $"jobs {await db.Set<TraceViewer.Jobs.Job>().CountAsync()}, tags {await db.Set<SentenceTag>().CountAsync()}, shares {await db.Set<ShareLink>().CountAsync()}, users {await db.Users.CountAsync()}";
    }

    private static StringContent? Body(string method) =>
        method is "GET" or "HEAD" or "DELETE" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/json");

    /// <summary>
    /// One request per endpoint, method and id: every route of the app except static files and Blazor's own circuit
    /// connection (checked by the router for each page it shows), with each route parameter filled in.
    /// </summary>
    internal static IReadOnlyList<(string Method, string Url)> Requests(IServiceProvider services, IReadOnlyList<int> ids)
    {
        var endpoints = services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var requests = new HashSet<(string, string)>();
        foreach (var endpoint in endpoints)
        {
            var pattern = endpoint.RoutePattern;
            var raw = pattern.RawText ?? "";
            if (IsStaticFile(endpoint) || raw.TrimStart('/').StartsWith("_blazor", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var id in ids)
            {
                foreach (var method in methods.Where(m => m != "HEAD" && m != "OPTIONS"))
                {
                    requests.Add((method, Url(pattern, id)));
                }
            }
        }

        return [.. requests.Order()];
    }

    private static bool IsStaticFile(RouteEndpoint endpoint) =>
        endpoint.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor")
        || (endpoint.RoutePattern.Parameters.Count == 0 && Path.HasExtension(endpoint.RoutePattern.RawText) && !(endpoint.RoutePattern.RawText ?? "").EndsWith(".json", StringComparison.Ordinal));

    private static string Url(RoutePattern pattern, int id)
    {
        var segments = pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart parameter => Value(parameter, id),
            _ => "",
        })));
        return "/" + string.Join('/', segments);
    }

    private static string Value(RoutePatternParameterPart parameter, int id) => parameter.Name.ToLowerInvariant() switch
    {
        "k" or "index" => "0",
        "token" => "not-a-token",
        "documentname" => "v1",
        _ when parameter.ParameterPolicies.Any(p => p.Content is "int" or "long") || parameter.Name.EndsWith("id", StringComparison.OrdinalIgnoreCase) => id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "x",
    };
}
