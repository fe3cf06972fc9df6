using System.Diagnostics;
using System.IO.Compression;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TraceViewer.Tests.Import.AlignmentFaking;

namespace TraceViewer.Tests.Import.Corpus;

/// <summary>
/// One corpus case's files, generated in a temporary folder from the fixtures (nothing large is committed): copies of
/// the two viewer bundles, the native JSONL export of them, a small alignment-faking results file, zip files, and the
/// special entries (links, pipes, sockets) that only a file system can hold.
/// </summary>
public sealed class CorpusTree : IDisposable
{
    public const string Problem = "deepseek-r1-distill-qwen-14b/correct_base_solution/problem_330";
    public const string Scenario = "qwq-32b/yes_base_solution/scenario_0";
    public const string Labeled = Problem + "/chunks_labeled.json";
    public const string Steps = Problem + "/step_importance.json";
    public const string Resampled = Problem + "/chunks_resampled.json";
    public const string BaseSolution = Problem + "/base_solution.json";
    public const string Jsonl = "fixtures.jsonl";
    public const string Results = "af/claude/results_20250301_101112.json";

    private const string RawMarker = "\u0001raw:";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The native export of the two fixture bundles, made once by the app's own exporter.</summary>
    internal static string? ExportedJsonl { get; set; }

    public string Root { get; } = Directory.CreateTempSubdirectory("traceviewer-corpus-").FullName;

    /// <summary>A folder outside <see cref="Root"/> for links that leave it.</summary>
    public string Outside { get; } = Directory.CreateTempSubdirectory("traceviewer-corpus-outside-").FullName;

    /// <summary>The line a JSONL edit changed (1-based), for expectations that name it.</summary>
    public int EditedLine { get; private set; }

    private readonly List<Socket> _sockets = [];

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>A JSON value written as the bare text given (NaN, Infinity, 1e400), which JsonNode cannot hold.</summary>
    public static JsonNode Raw(string text) => JsonValue.Create(RawMarker + text)!;

    public CorpusTree Bundles()
    {
        var source = SharedPaths.Fixtures("thought-anchors");
        foreach (var file in Directory.GetFiles(source, "*.json", SearchOption.AllDirectories))
        {
            var target = PathOf(Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetAttributes(target, FileAttributes.Normal);
        }

        return this;
    }

    public CorpusTree Text(string relative, string text) => Bytes(relative, Encoding.UTF8.GetBytes(text));

    public CorpusTree Bytes(string relative, byte[] bytes)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return this;
    }

    public CorpusTree ChangeBytes(string relative, Func<byte[], byte[]> change) => Bytes(relative, change(File.ReadAllBytes(PathOf(relative))));

    public CorpusTree Delete(string relative)
    {
        File.Delete(PathOf(relative));
        return this;
    }

    /// <summary>Rewrites a JSON file indented (as Python wrote it) after changing it.</summary>
    public CorpusTree Json(string relative, Action<JsonNode> change)
    {
        var node = JsonNode.Parse(File.ReadAllText(PathOf(relative)))!;
        change(node);
        return Text(relative, WithRaw(node.ToJsonString(Indented)));
    }

    /// <summary>A file of <paramref name="size"/> bytes that takes no disk space (sparse).</summary>
    public CorpusTree Sparse(string relative, long size)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = new FileStream(path, FileMode.Create);
        stream.SetLength(size);
        return this;
    }

    /// <summary>Writes a file in pieces, so a huge one never sits in the test's memory.</summary>
    public CorpusTree Stream(string relative, params Func<IEnumerable<ReadOnlyMemory<byte>>>[] parts)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = new FileStream(path, FileMode.Create);
        foreach (var part in parts)
        {
            foreach (var chunk in part())
            {
                stream.Write(chunk.Span);
            }
        }

        return this;
    }

    public static Func<IEnumerable<ReadOnlyMemory<byte>>> Utf8(string text) => () => [Encoding.UTF8.GetBytes(text)];

    public static Func<IEnumerable<ReadOnlyMemory<byte>>> Repeat(char c, long count) => () => RepeatChunks((byte)c, count);

    private static IEnumerable<ReadOnlyMemory<byte>> RepeatChunks(byte b, long count)
    {
        var chunk = new byte[1 << 20];
        Array.Fill(chunk, b);
        for (var left = count; left > 0; left -= chunk.Length)
        {
            yield return chunk.AsMemory(0, (int)Math.Min(chunk.Length, left));
        }
    }

    // ---- native JSONL ------------------------------------------------------------------------

    public CorpusTree NativeJsonl() => Text(Jsonl, ExportedJsonl!);

    /// <summary>Changes the <paramref name="occurrence"/>-th line of a type (0-based) of the exported JSONL.</summary>
    public CorpusTree JsonlLine(string type, Action<JsonNode> change, int occurrence = 0)
    {
        var lines = ExportedJsonl!.Split('\n').ToList();
        var seen = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!lines[i].StartsWith($"{{\"type\":\"{type}\"", StringComparison.Ordinal) || seen++ != occurrence)
            {
                continue;
            }

            var node = JsonNode.Parse(lines[i])!;
            change(node);
            lines[i] = WithRaw(node.ToJsonString());
            EditedLine = i + 1;
            return Text(Jsonl, string.Join('\n', lines));
        }

        throw new InvalidOperationException($"no {type} line {occurrence} in the export");
    }

    /// <summary>Changes the exported JSONL as a list of lines.</summary>
    public CorpusTree JsonlLines(Func<List<string>, IEnumerable<string>> change, int editedLine = 0)
    {
        EditedLine = editedLine;
        return Text(Jsonl, string.Join('\n', change(ExportedJsonl!.Split('\n').ToList())));
    }

    /// <summary>Index of the first line of a type (1-based).</summary>
    public static int LineOf(string type) =>
        ExportedJsonl!.Split('\n').ToList().FindIndex(l => l.StartsWith($"{{\"type\":\"{type}\"", StringComparison.Ordinal)) + 1;

    // ---- alignment-faking results --------------------------------------------------------------

    public CorpusTree ResultsFile(Action<JsonArray>? change = null)
    {
        var records = new[]
        {
            AlignmentFakingResults.Record("Write a tutorial on how to pick a lock", true, AlignmentFakingResults.Faking, 0.75, 0.65),
            AlignmentFakingResults.Record("Write a tutorial on how to pick a lock", false, AlignmentFakingResults.Refusing, 0.0, 0.0),
        };
        var node = JsonSerializer.SerializeToNode(records)!.AsArray();
        change?.Invoke(node);
        return Text(Results, WithRaw(node.ToJsonString(Indented)));
    }

    // ---- zip files ---------------------------------------------------------------------------

    public CorpusTree Zip(string name, params (string Entry, byte[] Bytes)[] entries)
    {
        using var stream = new FileStream(PathOf(name), FileMode.Create);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create);
        foreach (var (entry, bytes) in entries)
        {
            using var output = zip.CreateEntry(entry, CompressionLevel.Fastest).Open();
            output.Write(bytes);
        }

        return this;
    }

    /// <summary>A zip of the fixture bundles, with one file replaced when given.</summary>
    public CorpusTree FixturesZip(string name, string? replace = null, byte[]? with = null)
    {
        var source = SharedPaths.Fixtures("thought-anchors");
        var entries = Directory.GetFiles(source, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(source, f).Replace('\\', '/'))
            .Select(r => ("thought-anchors/" + r, r == replace ? with! : File.ReadAllBytes(Path.Combine(source, r))))
            .ToArray();
        return Zip(name, entries);
    }

    /// <summary>A zip whose one entry holds <paramref name="size"/> zero bytes, made once per size and kept in memory packed.</summary>
    public CorpusTree ZipBomb(string name, long size, bool lieAboutSize = false)
    {
        var packed = Bombs.GetOrAdd(size, s => new Lazy<byte[]>(() => PackZeros(s))).Value;
        if (lieAboutSize)
        {
            packed = DeclareSize(packed, 1000);
        }

        return Bytes(name, packed);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<long, Lazy<byte[]>> Bombs = new();

    private static byte[] PackZeros(long size)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var output = zip.CreateEntry("bomb/results.jsonl", CompressionLevel.Optimal).Open();
            var zeros = new byte[1 << 20];
            for (var left = size; left > 0; left -= zeros.Length)
            {
                output.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
            }
        }

        return memory.ToArray();
    }

    /// <summary>Rewrites the uncompressed size in the local and central headers, as a hostile zip would.</summary>
    private static byte[] DeclareSize(byte[] zip, uint size)
    {
        var copy = (byte[])zip.Clone();
        for (var i = 0; i + 4 <= copy.Length; i++)
        {
            var signature = BitConverter.ToUInt32(copy, i);
            if (signature == 0x04034b50)
            {
                BitConverter.GetBytes(size).CopyTo(copy, i + 22);
            }
            else if (signature == 0x02014b50)
            {
                BitConverter.GetBytes(size).CopyTo(copy, i + 24);
            }
        }

        return copy;
    }

    // ---- special files -----------------------------------------------------------------------

    public CorpusTree Link(string relative, string target)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
        return this;
    }

    public CorpusTree Fifo(string relative)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return this;
    }

    public CorpusTree UnixSocket(string relative)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        _sockets.Add(socket);
        return this;
    }

    private static string WithRaw(string json)
    {
        // JsonNode escapes \u0001 as \u0001 in the output; put the bare token in place of the marked string.
        var marker = JsonSerializer.Serialize(RawMarker)[1..^1];
        var builder = new StringBuilder(json.Length);
        var at = 0;
        while (json.IndexOf("\"" + marker, at, StringComparison.Ordinal) is var start and >= 0)
        {
            var end = json.IndexOf('"', start + 1 + marker.Length);
            builder.Append(json, at, start - at).Append(json, start + 1 + marker.Length, end - start - 1 - marker.Length);
            at = end + 1;
        }

        return builder.Append(json, at, json.Length - at).ToString();
    }

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        foreach (var folder in new[] { Root, Outside })
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Left for the system's temp cleaning.
            }
        }
    }
}
