using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TraceViewer.Tests.Faults;

/// <summary>
/// A database whose file and folder the app may not write. The tests run as root, whom permissions do not stop, so the
/// app runs as the user nobody (setpriv) and the permissions really apply; SQLite then cannot even create its -shm file.
/// </summary>
[Collection(FaultGroup.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ReadOnlyFilesTests(FaultFixture fixture) : IDisposable
{
    private readonly List<string> _folders = [];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AReadOnlyDatabaseFileOpensForReadingAndRefusesChanges(bool folderWritable)
    {
        var directory = fixture.CopyDatabase();
        var data = Path.Combine(directory, "data");
        Directory.CreateDirectory(data);
        File.Move(Path.Combine(directory, "tv.db"), Path.Combine(data, "tv.db"));
        var settings = fixture.Settings(directory);
        settings["ConnectionStrings:TraceViewer"] = $"Data Source={Path.Combine(data, "tv.db")}";
        File.SetUnixFileMode(Path.Combine(data, "tv.db"), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(data, folderWritable ? (UnixFileMode)0b111_111_111 : (UnixFileMode)0b101_101_101);
        _folders.Add(data);
        // The content root must be writable for nobody's home (data protection keys); the data folder is not.
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
        var before = await File.ReadAllBytesAsync(Path.Combine(data, "tv.db"));

        await using var app = await AppProcess.Start(directory, settings, Launch.Unprivileged).WaitUntilListeningAsync();
        var trace = await app.Client.GetAsync($"/traces/{fixture.TraceId}");
        var api = await app.Client.GetFromJsonAsync<JsonElement>($"/api/traces/{fixture.TraceId}");
        var create = await app.Client.PostAsJsonAsync("/api/jobs", new { traceId = fixture.TraceId, n = 1, provider = "loop" });
        var problem = await create.Content.ReadFromJsonAsync<JsonElement>();
        await app.StopAsync();

        await using var import = AppProcess.Start(directory, settings, Launch.Unprivileged, null, "import", SharedPaths.Fixtures("thought-anchors"));
        var exit = await import.WaitForExitAsync();

        Assert.Equal(HttpStatusCode.OK, trace.StatusCode);
        Assert.Equal(5, api.GetProperty("sentences").GetArrayLength());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, create.StatusCode);
        Assert.Contains("cannot be written", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(app.Lines, l => l.Contains("The database is open read-only", StringComparison.Ordinal) && l.Contains("schema is current", StringComparison.Ordinal));
        Assert.Equal(3, exit);
        Assert.Contains("error: import changes the database, which is open read-only", import.Output, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(Path.Combine(data, "tv.db")));
        // In a folder it can write, SQLite keeps its shared-memory index beside the file even for reading.
        Assert.Equal(folderWritable ? ["tv.db", "tv.db-shm", "tv.db-wal"] : ["tv.db"], Directory.GetFiles(data).Select(Path.GetFileName).Where(f => !f!.EndsWith(".migrations-lock", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public async Task ANewDatabaseInAFolderTheAppCannotWriteStopsStartUpWithAMessage()
    {
        var directory = fixture.NewDirectory();
        var data = Path.Combine(directory, "data");
        Directory.CreateDirectory(data);
        File.SetUnixFileMode(data, (UnixFileMode)0b101_101_101);
        _folders.Add(data);
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
        var settings = fixture.Settings(directory);
        settings["ConnectionStrings:TraceViewer"] = $"Data Source={Path.Combine(data, "tv.db")}";

        await using var app = AppProcess.Start(directory, settings, Launch.Unprivileged);
        var exit = await app.WaitForExitAsync();

        Assert.NotEqual(0, exit);
        Assert.Contains("does not exist and its folder", app.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(data));
    }

    public void Dispose()
    {
        foreach (var folder in _folders)
        {
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        }
    }
}
