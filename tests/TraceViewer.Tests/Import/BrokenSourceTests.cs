using System.Text.Json.Nodes;
using TraceViewer.Import;

namespace TraceViewer.Tests.Import;

/// <summary>Broken copies of a fixture: the import fails with a precise message and writes nothing at all.</summary>
public sealed class BrokenSourceTests(TestApp app) : IClassFixture<TestApp>, IDisposable
{
    private const string Bundle = "deepseek-r1-distill-qwen-14b/correct_base_solution/problem_330";
    private const string Labeled = Bundle + "/chunks_labeled.json";

    private readonly string _root = CopyFixtures();

    [Fact]
    public async Task ImportingATruncatedFileWritesNothing()
    {
        var path = Path.Combine(_root, Labeled);
        var text = await File.ReadAllTextAsync(path);
        await File.WriteAllTextAsync(path, text[..(text.Length / 2)]);

        var error = await Assert.ThrowsAsync<ImportException>(() => app.ImportAsync(_root));

        Assert.Equal(Labeled, error.FilePath);
        Assert.StartsWith(Labeled + ", field [", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Line);
        Assert.InRange(error.Line.Value, text[..(text.Length / 2)].Count(c => c == '\n'), text[..(text.Length / 2)].Count(c => c == '\n') + 1);
        Assert.All(await app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task ImportingAChunkIndexOfTheWrongTypeNamesTheFieldAndLine()
    {
        var lines = await BreakElementAsync(12, chunk => chunk["chunk_idx"] = "twelve");

        var error = await Assert.ThrowsAsync<ImportException>(() => app.ImportAsync(_root));

        Assert.Equal(Labeled, error.FilePath);
        Assert.Equal("[12].chunk_idx", error.Field);
        Assert.Equal(lines.FindIndex(l => l.Contains("\"twelve\"", StringComparison.Ordinal)) + 1, error.Line);
        Assert.Contains("[12].chunk_idx", error.Message, StringComparison.Ordinal);
        Assert.Contains("wrong type", error.Message, StringComparison.Ordinal);
        Assert.All(await app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task ImportingAChunkWithoutItsTextNamesTheMissingField()
    {
        await BreakElementAsync(7, chunk => chunk.Remove("chunk"));

        var error = await Assert.ThrowsAsync<ImportException>(() => app.ImportAsync(_root));

        Assert.Equal(Labeled, error.FilePath);
        Assert.Equal("[7].chunk", error.Field);
        Assert.Contains("missing required field", error.Message, StringComparison.Ordinal);
        Assert.All(await app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task ImportingAnItemFolderOfUnknownLayoutNamesTheFolder()
    {
        var scenario = Path.Combine(_root, "qwq-32b/yes_base_solution/scenario_0");
        File.Delete(Path.Combine(scenario, "chunks_resampled.json"));
        File.Delete(Path.Combine(scenario, "step_importance.json"));

        var error = await Assert.ThrowsAsync<ImportException>(() => app.ImportAsync(_root));

        Assert.Equal("qwq-32b/yes_base_solution/scenario_0", error.FilePath);
        Assert.Contains("unknown layout", error.Message, StringComparison.Ordinal);
        Assert.All(await app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task ImportingAFolderWithNothingRecognisableNamesTheFolder()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_root, "notes")).FullName;
        await File.WriteAllTextAsync(Path.Combine(empty, "readme.txt"), "nothing here");

        var error = await Assert.ThrowsAsync<ImportException>(() => app.ImportAsync(empty));

        Assert.Equal("notes", error.FilePath);
        Assert.Contains("unknown layout", error.Message, StringComparison.Ordinal);
        Assert.All(await app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task AnErrorInTheSecondBundleLeavesTheFirstUnwritten()
    {
        var path = Path.Combine(_root, "qwq-32b/yes_base_solution/scenario_0/step_importance.json");
        var steps = JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsArray();
        steps[3]!.AsObject().Remove("source_chunk_idx");
        await File.WriteAllTextAsync(path, steps.ToJsonString());

        var error = await Assert.ThrowsAsync<ImportException>(() => app.ImportAsync(_root));

        Assert.Equal("qwq-32b/yes_base_solution/scenario_0/step_importance.json", error.FilePath);
        Assert.Equal("[3].source_chunk_idx", error.Field);
        Assert.All(await app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task AnErrorAfterManyItemsWereWrittenLeavesNoneOfThem()
    {
        // Seven items before the broken one: the reader runs at most a few items ahead, so the first are written
        // inside the import's transaction before the error is met, and must go with it.
        var first = Path.Combine(_root, Bundle);
        for (var copy = 1; copy <= 6; copy++)
        {
            var target = first[..^3] + (330 + copy).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Directory.CreateDirectory(target);
            foreach (var file in Directory.GetFiles(first))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        var path = Path.Combine(_root, "qwq-32b/yes_base_solution/scenario_0/step_importance.json");
        var steps = JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsArray();
        steps[^1]!.AsObject().Remove("source_chunk_idx");
        await File.WriteAllTextAsync(path, steps.ToJsonString());

        var error = await Assert.ThrowsAsync<ImportException>(() => app.ImportAsync(_root));

        Assert.Equal("qwq-32b/yes_base_solution/scenario_0/step_importance.json", error.FilePath);
        Assert.Equal($"[{steps.Count - 1}].source_chunk_idx", error.Field);
        Assert.All(await app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    /// <summary>Rewrites chunks_labeled.json indented (as Python wrote it) after changing one element; returns its lines.</summary>
    private async Task<List<string>> BreakElementAsync(int index, Action<JsonObject> change)
    {
        var path = Path.Combine(_root, Labeled);
        var chunks = JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsArray();
        change(chunks[index]!.AsObject());
        var text = chunks.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        await File.WriteAllTextAsync(path, text);
        return [.. text.Split('\n')];
    }

    private static string CopyFixtures()
    {
        var source = SharedPaths.Fixtures("thought-anchors");
        var root = Directory.CreateTempSubdirectory("traceviewer-broken-").FullName;
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetAttributes(target, FileAttributes.Normal);
        }

        return root;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
