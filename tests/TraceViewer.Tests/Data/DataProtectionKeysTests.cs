using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using System.Xml.Linq;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TraceViewer.Tests.Import;
using TraceViewer.Tests.Jobs;

namespace TraceViewer.Tests.Data;

/// <summary>An antiforgery cookie and token as a browser holds them after loading the import page.</summary>
internal sealed record FormToken(string Cookie, string Token)
{
    /// <summary>A client that keeps no cookies: each request carries only what a test gives it.</summary>
    public static HttpClient Cookieless(Uri baseAddress) =>
        new(new HttpClientHandler { UseCookies = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>Loads <c>/import</c> through a client that keeps no cookies, keeping the antiforgery cookie and the page's token.</summary>
    public static async Task<FormToken> FromImportPageAsync(HttpClient cookieless)
    {
        using var response = await cookieless.GetAsync("/import");
        response.EnsureSuccessStatusCode();
        var cookie = response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));
        var page = await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
        var token = page.QuerySelector("[data-testid=import-form] input[type=hidden][name=__RequestVerificationToken]")?.GetAttribute("value");
        Assert.False(string.IsNullOrEmpty(token));
        return new FormToken(cookie, token);
    }

    /// <summary>Uploads the files with this cookie and token, as the import page's script does.</summary>
    public async Task<UploadAnswer> UploadAsync(HttpClient cookieless, params (string Field, string FileName, byte[] Bytes)[] files)
    {
        using var content = UploadClient.Content(files);
        return await UploadClient.PostAsync(cookieless, content, Token, cookie: Cookie);
    }
}

/// <summary>Data-protection keys in the SQLite file: made once, found again by the next host, never written to a log.</summary>
public sealed partial class DataProtectionKeysTests
{
    private static (string, string, byte[])[] Problem => UploadClient.Folder(
        SharedPaths.Fixtures("thought-anchors", "deepseek-r1-distill-qwen-14b", "correct_base_solution", "problem_330"), "problem_330");

    [Fact]
    public async Task TheKeyLivesInTheDatabaseFileAndTheNextHostOnItUsesItAndNothingLogsIt()
    {
        var directory = Directory.CreateTempSubdirectory("traceviewer-keys-").FullName;
        var logs = new CapturingLoggerProvider();
        FormToken token;
        List<DataProtectionKey> keys;
        await using (var first = Verbose(new TestApp(directory)).WithServices(s => s.AddSingleton<ILoggerProvider>(logs)))
        {
            token = await FormToken.FromImportPageAsync(first.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false }));
            await using var db = first.CreateDbContext();
            keys = await db.Set<DataProtectionKey>().AsNoTracking().ToListAsync();
        }

        // Another host on the same file finds the key there and makes none of its own.
        await using var second = Verbose(new TestApp(directory)).WithServices(s => s.AddSingleton<ILoggerProvider>(logs));
        var answer = await token.UploadAsync(second.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false }), Problem);
        await using var check = second.CreateDbContext();
        var keysAfter = await check.Set<DataProtectionKey>().AsNoTracking().ToListAsync();

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(1, answer.Count("tracesAdded"));
        var key = Assert.Single(keys);
        Assert.Equal(key.Id, Assert.Single(keysAfter).Id);
        var secret = MasterKey(key.Xml!);
        Assert.True(secret.Length >= 32, "the key carries its secret");
        Assert.NotEmpty(logs.Lines);
        var leaks = logs.Lines.Where(l => l.Contains(secret, StringComparison.Ordinal) || l.Contains("masterKey", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>Every log at every level, the framework's included (appsettings.json quiets Microsoft.AspNetCore and EF Core).</summary>
    private static TestApp Verbose(TestApp app) => app
        .WithSetting("Logging:LogLevel:Default", "Trace")
        .WithSetting("Logging:LogLevel:Microsoft.AspNetCore", "Trace")
        .WithSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Trace");

    /// <summary>The secret part of a stored key: the value of its master key.</summary>
    internal static string MasterKey(string xml) =>
        XElement.Parse(xml).Descendants().First(e => e.Name.LocalName == "masterKey").Descendants().First(e => e.Name.LocalName == "value").Value.Trim();
}

/// <summary>
/// Two app processes on one PostgreSQL database, each with a home folder of its own (so no key folder is shared): the
/// antiforgery cookie and token one hands out are accepted by the other; those of an app on another database are not.
/// </summary>
[Collection(PostgresServerGroup.Name)]
public sealed class SharedPostgresKeysTests(PostgresServer postgres)
{
    private static (string, string, byte[])[] Problem => UploadClient.Folder(
        SharedPaths.Fixtures("thought-anchors", "deepseek-r1-distill-qwen-14b", "correct_base_solution", "problem_330"), "problem_330");

    [Fact]
    public async Task AFormTokenFromOneInstanceIsAcceptedByAnotherOnTheSameDatabaseAndTheKeyIsNeverLogged()
    {
        await using var server = await LoopbackOpenAIServer.StartAsync();
        await using var shared = await SharedDatabaseInstances.CreateAsync(postgres, server);
        // Data protection at its most talkative, and every SQL command EF sends.
        var verbose = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Information",
        };
        var a = shared.Start(TimeSpan.FromMinutes(1), verbose);
        var b = shared.Start(TimeSpan.FromMinutes(1), verbose);
        var elsewhere = Directory.CreateTempSubdirectory("traceviewer-elsewhere-").FullName;
        await using var other = AppProcess.Start(elsewhere, new Dictionary<string, string?>
        {
            ["HOME"] = elsewhere,
            ["ConnectionStrings:TraceViewer"] = $"Data Source={Path.Combine(elsewhere, "tv.db")}",
            ["SampleData:ImportOnStart"] = "false",
        });
        await Task.WhenAll(a.WaitUntilListeningAsync(), b.WaitUntilListeningAsync(), other.WaitUntilListeningAsync());
        using var toA = FormToken.Cookieless(a.BaseAddress);
        using var toB = FormToken.Cookieless(b.BaseAddress);
        using var toOther = FormToken.Cookieless(other.BaseAddress);

        var fromA = await FormToken.FromImportPageAsync(toA);
        var fromOther = await FormToken.FromImportPageAsync(toOther);
        var refused = await fromOther.UploadAsync(toB, Problem);
        var accepted = await fromA.UploadAsync(toB, Problem);
        await using var db = shared.Checker.CreateDbContext();
        var keys = await db.Set<DataProtectionKey>().AsNoTracking().ToListAsync();

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("antiforgery", refused.Body, StringComparison.OrdinalIgnoreCase);
        Assert.True(accepted.Status == HttpStatusCode.OK, accepted.Body);
        Assert.Equal(1, accepted.Count("tracesAdded"));
        var key = Assert.Single(keys);
        var secret = DataProtectionKeysTests.MasterKey(key.Xml!);
        Assert.Contains(a.Lines, l => l.Contains("DataProtectionKeys", StringComparison.Ordinal));
        var leaks = a.Lines.Concat(b.Lines).Where(l => l.Contains(secret, StringComparison.Ordinal) || l.Contains("masterKey", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
        await other.StopAsync();
        Directory.Delete(elsewhere, recursive: true);
    }
}
