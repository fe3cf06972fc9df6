using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TraceViewer.Tests.Faults;

/// <summary>The built app as it really starts: the command line, and answers from Kestrel itself.</summary>
[Collection(FaultGroup.Name)]
public sealed class ProcessStartTests(FaultFixture fixture)
{
    [Fact]
    public async Task AMistypedCommandPrintsTheCommandsAndFailsWithoutStartingTheServer()
    {
        var directory = fixture.NewDirectory();
        await using var app = AppProcess.Start(directory, fixture.Settings(directory), Launch.Plain, null, "agrement", "x.json");

        var exit = await app.WaitForExitAsync();

        Assert.Equal(2, exit);
        Assert.Contains("error: 'agrement' is not a command.", app.Output, StringComparison.Ordinal);
        Assert.Contains("import <file-or-folder>", app.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", app.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(directory, "tv.db")));
    }

    [Fact]
    public async Task ListeningBeyondLoopbackWithTheOverrideWarnsAndKestrelAnswersHeadAndAnEmptyHostProperly()
    {
        var directory = fixture.CopyDatabase();
        var settings = fixture.Settings(directory);
        settings["Urls"] = "http://0.0.0.0:0";
        settings["Accounts:AllowAnonymousBeyondLoopback"] = "true";
        await using var app = AppProcess.Start(directory, settings);
        await app.WaitUntilListeningAsync();

        var head = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"));
        var post = await RawAsync(app.BaseAddress.Port, "POST /traces/1/recompute HTTP/1.1\r\nHost: \r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\nConnection: close\r\n\r\nn=1");

        Assert.Contains(app.Lines, l => l.Contains("Listening beyond this machine on http://0.0.0.0:", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.StartsWith("HTTP/1.1 400", post, StringComparison.Ordinal);
        Assert.Contains("antiforgery", post, StringComparison.OrdinalIgnoreCase);
        await app.StopAsync();
    }

    private static async Task<string> RawAsync(int port, string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
