using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Import;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Import;

public sealed class ImportCommandsTests : IDisposable
{
    private readonly TestApp _app = new();
    private readonly string _export = Path.Combine(Path.GetTempPath(), $"traceviewer-cli-{Guid.NewGuid():N}.jsonl");

    [Fact]
    public async Task ImportPrintsASummaryAndExitsWithZero()
    {
        var (exit, output, error) = await RunAsync("import", SharedPaths.Fixtures("thought-anchors"));

        Assert.Equal(0, exit);
        Assert.Contains("datasets: 2, traces: 2 added, 0 updated, 0 unchanged, sentences: 285", output, StringComparison.Ordinal);
        Assert.Contains("parsed 13/13 files", error, StringComparison.Ordinal);
        Assert.Contains("written 2/2 traces", error, StringComparison.Ordinal);
        using var db = _app.CreateDbContext();
        Assert.Equal(2, await db.Set<Trace>().CountAsync());
    }

    [Fact]
    public async Task ImportOfAMissingFolderPrintsAnErrorAndExitsWithOne()
    {
        var (exit, output, error) = await RunAsync("import", Path.Combine(Path.GetTempPath(), "no-such-folder-" + Guid.NewGuid()));

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains("no such file or folder", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportWritesTheNativeFormatOfOneDataset()
    {
        await RunAsync("import", SharedPaths.Fixtures("thought-anchors"));

        var (exit, output, _) = await RunAsync("export", _export, "--dataset", "thought-anchors-viewer/qwq-32b/yes_base_solution");

        Assert.Equal(0, exit);
        Assert.Contains("exported 1 traces", output, StringComparison.Ordinal);
        var lines = await File.ReadAllLinesAsync(_export);
        Assert.Equal("{\"format\":\"traceviewer\",\"version\":1}", lines[0]);
        Assert.Single(lines, l => l.StartsWith("{\"type\":\"trace\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExportOfAnUnknownDatasetFailsWithoutWritingAFile()
    {
        var (exit, _, error) = await RunAsync("export", _export, "--dataset", "nothing/here");

        Assert.Equal(1, exit);
        Assert.Contains("nothing/here", error, StringComparison.Ordinal);
        Assert.False(File.Exists(_export));
    }

    [Fact]
    public async Task TheAppCommandLineRunsImport()
    {
        var exit = await CommandLine.RunAsync(_app.Services, ["import", SharedPaths.Fixtures("thought-anchors")]);

        Assert.Equal(0, exit);
        using var db = _app.CreateDbContext();
        Assert.Equal(285, await db.Set<Sentence>().CountAsync());
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand { ImportCommands.Import(_app.Services), ImportCommands.Export(_app.Services) };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    public void Dispose()
    {
        _app.Dispose();
        File.Delete(_export);
    }
}
