using System.Net.Http.Json;
using System.Text.Json;

namespace TraceViewer.Tests.Faults;

/// <summary>
/// kill -9 during start-up (migrating a fresh database, then importing the sample data), at points chosen by the
/// app's own progress; every time the file is intact, the next start finishes the work and nothing is doubled.
/// </summary>
[Collection(FaultGroup.Name)]
public sealed class MigrationKillTests(FaultFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Applying = "Applying migration '";

    public static TheoryData<string> KillPoints => new()
    {
        "at the first migration",
        "at the last migration",
        "while the sample data is imported",
    };

    [Theory]
    [MemberData(nameof(KillPoints))]
    public async Task AStartKilledWhileMigratingLeavesAnIntactDatabaseThatTheNextStartCompletes(string point)
    {
        var directory = fixture.NewDirectory();
        var database = Path.Combine(directory, "tv.db");
        var settings = fixture.Settings(directory, sampleData: true);
        settings["Logging:LogLevel:Microsoft.EntityFrameworkCore.Migrations"] = "Information";

        await using (var first = AppProcess.Start(directory, settings))
        {
            Func<bool> reached = point switch
            {
                "at the first migration" => () => first.Lines.Any(l => l.Contains(Applying, StringComparison.Ordinal)),
                "at the last migration" => () => first.Lines.Count(l => l.Contains(Applying, StringComparison.Ordinal)) >= fixture.Migrations,
                _ => () => File.Exists(database + "-wal"),
            };
            await Wait.UntilAsync(() => reached() || first.HasExited, AppProcess.StartTimeout, point);
            Assert.False(first.HasExited, first.Output);
            first.Kill();
        }

        Assert.Equal("ok", await FaultFixture.IntegrityAsync(database));
        // Killed while holding EF's migration lock, the process leaves its row behind; the next start must remove it.
        var lockLeft = await FaultFixture.ScalarAsync(database, "SELECT COUNT(*) FROM sqlite_master WHERE name = '__EFMigrationsLock'") == 1
            && await FaultFixture.ScalarAsync(database, "SELECT COUNT(*) FROM \"__EFMigrationsLock\"") == 1;

        output.WriteLine($"killed {point}: EF's migration lock {(lockLeft ? "was" : "was not")} left behind");
        await using var second = await AppProcess.Start(directory, settings).WaitUntilListeningAsync();
        var datasets = await second.Client.GetFromJsonAsync<JsonElement>("/api/datasets");
        await second.StopAsync();

        Assert.Equal(lockLeft, second.Lines.Any(l => l.Contains("Removed a migration lock left at", StringComparison.Ordinal)));
        Assert.Equal(2, datasets.GetArrayLength());
        Assert.Equal(2, datasets.EnumerateArray().Sum(d => d.GetProperty("traceCount").GetInt32()));
        Assert.Equal("ok", await FaultFixture.IntegrityAsync(database));
        Assert.Equal(fixture.Migrations, await FaultFixture.ScalarAsync(database, "SELECT COUNT(*) FROM \"__EFMigrationsHistory\""));
        Assert.Equal(0, await FaultFixture.ScalarAsync(database, "SELECT COUNT(*) FROM \"__EFMigrationsLock\""));
        Assert.Equal(2, await FaultFixture.ScalarAsync(database, "SELECT COUNT(*) FROM \"Trace\""));
        // The sample data holds 285 sentences; a second import would double them.
        Assert.Equal(285, await FaultFixture.ScalarAsync(database, "SELECT COUNT(*) FROM \"Sentence\""));
    }
}
