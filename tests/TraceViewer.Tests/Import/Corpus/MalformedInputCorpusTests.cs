using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using static TraceViewer.Tests.Import.Corpus.CorpusExpectation;
using static TraceViewer.Tests.Import.Corpus.CorpusTree;

namespace TraceViewer.Tests.Import.Corpus;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CorpusGroup
{
    /// <summary>Alone, so allocation and peak memory measure the case and nothing else.</summary>
    public const string Name = "Malformed-input corpus";
}

/// <summary>
/// The malformed-input corpus: one line per case, each built from the fixtures and run through the import command's
/// handler and the upload form. Each ends in a named error (the message names the file and the field, line or limit;
/// no row is written in any table) or in a documented acceptance (README "Import limits"), within
/// <see cref="CorpusApp.Timeout"/>; the huge inputs stay under <see cref="CommandMemoryBound"/> and <see cref="UploadMemoryBound"/>.
/// Add a line for every defect found.
/// </summary>
[Collection(CorpusGroup.Name)]
public sealed class MalformedInputCorpusTests(CorpusApp corpus, ITestOutputHelper output) : IClassFixture<CorpusApp>
{
    /// <summary>
    /// Bytes a huge case (a 100 MB line, a 50 MB string, a file over the size limit, a 1 GiB zip bomb) may allocate, and
    /// may raise the process's peak resident memory by, through the command. Before the limits a 100 MB line took 1.5 GB.
    /// </summary>
    public const long CommandMemoryBound = 200L << 20;

    /// <summary>
    /// The same through the upload, which also counts the test's own client and the in-memory server copying the
    /// request body (up to 100 MB) between them in this one process.
    /// </summary>
    public const long UploadMemoryBound = 512L << 20;

    private const string Labeled = CorpusTree.Labeled;

    public static TheoryData<CorpusCase> Cases() => [.. All];

    private static readonly CorpusCase[] All =
    [
        // ---- viewer bundles: chunks_labeled.json ---------------------------------------------
        new("bundle: truncated labelled chunks", t => t.Bundles().ChangeBytes(Labeled, b => b[..(b.Length / 2)]), Error(Labeled, "line ", "invalid or truncated JSON")),
        new("bundle: empty labelled chunks", t => t.Bundles().Text(Labeled, ""), Error(Labeled, "invalid or truncated JSON")),
        new("bundle: labelled chunks of whitespace", t => t.Bundles().Text(Labeled, "\n \n"), Error(Labeled, "invalid or truncated JSON")),
        new("bundle: labelled chunks are null", t => t.Bundles().Text(Labeled, "null"), Error(Labeled, "holds null")),
        new("bundle: labelled chunks are an object", t => t.Bundles().Text(Labeled, "{}"), Error(Labeled, "wrong type: expected an array")),
        new("bundle: a chunk is null", t => t.Bundles().Json(Labeled, n => n[3] = null), Error(Labeled, "field [3]", "found null")),
        new("bundle: chunk_idx is text", t => t.Bundles().Json(Labeled, n => n[12]!["chunk_idx"] = "twelve"), Error(Labeled, "field [12].chunk_idx", "line ", "wrong type")),
        new("bundle: chunk text missing", t => t.Bundles().Json(Labeled, n => n[7]!.AsObject().Remove("chunk")), Error(Labeled, "field [7].chunk", "missing required field")),
        new("bundle: chunk_idx missing", t => t.Bundles().Json(Labeled, n => n[7]!.AsObject().Remove("chunk_idx")), Error(Labeled, "field [7].chunk_idx", "missing required field")),
        new("bundle: chunk text is a number", t => t.Bundles().Json(Labeled, n => n[7]!["chunk"] = 7), Error(Labeled, "field [7].chunk", "wrong type: expected a string")),
        new("bundle: chunk_idx -1", t => t.Bundles().Json(Labeled, n => n[3]!["chunk_idx"] = -1), Error(Labeled, "field [3].chunk_idx", "negative")),
        new("bundle: duplicate chunk_idx", t => t.Bundles().Json(Labeled, n => n[5]!["chunk_idx"] = 4), Error(Labeled, "field [5].chunk_idx", "duplicate sentence index")),
        new("bundle: chunk_idx int.MaxValue", t => t.Bundles().Json(Labeled, n => n[2]!["chunk_idx"] = int.MaxValue), Error(Labeled, "field [2].chunk_idx", "Import:MaxSentences")),
        new("bundle: chunk_idx 1e10", t => t.Bundles().Json(Labeled, n => n[2]!["chunk_idx"] = Raw("1e10")), Error(Labeled, "field [2].chunk_idx", "wrong type: expected an integer")),
        new("bundle: chunk_idx 2.5", t => t.Bundles().Json(Labeled, n => n[2]!["chunk_idx"] = 2.5), Error(Labeled, "field [2].chunk_idx", "wrong type: expected an integer")),
        new("bundle: chunk_idx NaN", t => t.Bundles().Json(Labeled, n => n[2]!["chunk_idx"] = Raw("NaN")), Error(Labeled, "field [2].chunk_idx", "wrong type: expected an integer")),
        new("bundle: rate NaN", t => t.Bundles().Json(Labeled, n => n[4]!["accuracy"] = Raw("NaN")), Accept(2, "1 non-finite number", "stored as not defined")),
        new("bundle: effect Infinity", t => t.Bundles().Json(Labeled, n => n[4]!["counterfactual_importance_accuracy"] = Raw("Infinity")), Accept(2, "1 non-finite number")),
        new("bundle: effect 1e400", t => t.Bundles().Json(Labeled, n => n[4]!["resampling_importance_accuracy"] = Raw("1e400")), Accept(2, "1 non-finite number")),
        new("bundle: rate -Infinity", t => t.Bundles().Json(Labeled, n => n[4]!["accuracy"] = Raw("-Infinity")), Accept(2, "1 non-finite number")),
        new("bundle: KL -1e400", t => t.Bundles().Json(Labeled, n => n[4]!["resampling_importance_kl"] = Raw("-1e400")), Accept(2, "1 non-finite number")),
        new("bundle: rate \"NaN\" as a string", t => t.Bundles().Json(Labeled, n => n[4]!["accuracy"] = "NaN"), Accept(2, "1 non-finite number")),
        new("bundle: rate 1.5", t => t.Bundles().Json(Labeled, n => n[4]!["accuracy"] = 1.5), Error(Labeled, "field [4].accuracy", "outside [0, 1]")),
        new("bundle: rate -0.25", t => t.Bundles().Json(Labeled, n => n[4]!["different_trajectories_fraction"] = -0.25), Error(Labeled, "field [4].different_trajectories_fraction", "outside [0, 1]")),
        new("bundle: byte-order mark", t => t.Bundles().ChangeBytes(Labeled, b => [0xEF, 0xBB, 0xBF, .. b]), Accept(2)),
        new("bundle: byte-order mark in every file", t => t.Bundles().ChangeBytes(Labeled, b => [0xEF, 0xBB, 0xBF, .. b]).ChangeBytes(Steps, b => [0xEF, 0xBB, 0xBF, .. b]).ChangeBytes(BaseSolution, b => [0xEF, 0xBB, 0xBF, .. b]), Accept(2)),
        new("bundle: invalid UTF-8 in a chunk", t => t.Bundles().ChangeBytes(Labeled, b => Replace(b, "Okay, so"u8, [0x4F, 0xFF])), Error(Labeled, "invalid UTF-8 at byte 21", "line 3")),
        new("bundle: a truncated UTF-8 sequence at the end", t => t.Bundles().ChangeBytes(Labeled, b => [.. b, 0xE2, 0x82]), Error(Labeled, "invalid UTF-8 at byte")),
        new("bundle: UTF-16 text", t => t.Bundles().ChangeBytes(Labeled, b => [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(b))]), Error(Labeled, "invalid UTF-8 at byte 0")),
        new("bundle: a 50 MB string", t => t.Bundles().Stream(Labeled, Utf8("[{\"chunk_idx\": 0, \"chunk\": \""), Repeat('a', 50L << 20), Utf8("\"}]")), Error(Labeled, "field [0].chunk", "Import:MaxStringBytes"), Huge: true),
        new("bundle: nested 10,000 deep", t => t.Bundles().Text(Labeled, "[{\"chunk_idx\": 0, \"chunk\": \"a\", \"function_tags\": " + new string('[', 10_000) + new string(']', 10_000) + "}]"), Error(Labeled, "Import:MaxDepth", "nested deeper than 64")),
        new("bundle: file above the size limit", t => t.Bundles().Sparse(Labeled, CorpusApp.MaxFileBytes + 1), Error(Labeled, "the file is", "Import:MaxFileBytes"), Huge: true),

        // ---- viewer bundles: the other files ---------------------------------------------------
        new("bundle: truncated step importance", t => t.Bundles().ChangeBytes(Steps, b => b[..1000]), Error(Steps, "invalid or truncated JSON")),
        new("bundle: step source index missing", t => t.Bundles().Json(Steps, n => n[3]!.AsObject().Remove("source_chunk_idx")), Error(Steps, "field [3].source_chunk_idx", "missing required field")),
        new("bundle: step source index out of range", t => t.Bundles().Json(Steps, n => n[3]!["source_chunk_idx"] = 9999), Error(Steps, "field [3].source_chunk_idx", "outside")),
        new("bundle: step target index -5", t => t.Bundles().Json(Steps, n => n[3]!["target_impacts"]![0]!["target_chunk_idx"] = -5), Error(Steps, "field [3].target_impacts[0].target_chunk_idx", "outside")),
        new("bundle: step score NaN", t => t.Bundles().Json(Steps, n => n[3]!["target_impacts"]![0]!["importance_score"] = Raw("NaN")), Accept(2, "1 non-finite number")),
        new("bundle: step score Infinity", t => t.Bundles().Json(Steps, n => n[3]!["target_impacts"]![0]!["importance_score"] = Raw("Infinity")), Accept(2, "1 non-finite number")),
        new("bundle: step score is text", t => t.Bundles().Json(Steps, n => n[3]!["target_impacts"]![0]!["importance_score"] = "high"), Error(Steps, "field [3].target_impacts[0].importance_score", "wrong type: expected a number")),
        new("bundle: resampled key is not an index", t => t.Bundles().Json(Resampled, n => n["abc"] = new JsonArray("x")), Error(Resampled, "field abc", "keys must be chunk indices")),
        new("bundle: duplicate resample key", t => t.Bundles().Json(Resampled, n => n["01"] = new JsonArray("x")), Error(Resampled, "duplicate resample key", "chunk 1")),
        new("bundle: resampled key 2,000,000,000", t => t.Bundles().Json(Resampled, n => n["2000000000"] = new JsonArray("x")), Error(Resampled, "field 2000000000", "Import:MaxSentences")),
        new("bundle: resampled strings are a number", t => t.Bundles().Json(Resampled, n => n["3"] = 3), Error(Resampled, "field 3", "wrong type: expected an array")),
        new("bundle: base solution without its prompt", t => t.Bundles().Json(BaseSolution, n => n.AsObject().Remove("prompt")), Error(BaseSolution, "field prompt", "missing required field")),
        new("bundle: base solution text is a number", t => t.Bundles().Json(BaseSolution, n => n["solution"] = 42), Error(BaseSolution, "field solution", "wrong type: expected a string")),
        new("bundle: base solution missing", t => t.Bundles().Delete(BaseSolution), Error(BaseSolution, "missing required file")),
        new("bundle: problem file is an array", t => t.Bundles().Text(Problem + "/problem.json", "[1, 2]"), Error(Problem + "/problem.json", "expected a JSON object")),
        new("bundle: item folder without its files", t => t.Bundles().Delete(Resampled).Delete(Steps).Delete(Problem + "/step_importance_supp.json"), Error(Problem, "unknown layout")),
        new("empty folder", t => t.Text("notes/readme.txt", "nothing here"), Error("unknown layout")),

        // ---- native JSONL ------------------------------------------------------------------------
        new("jsonl: the export imports", t => t.NativeJsonl(), Accept(2)),
        new("jsonl: truncated in a line", t => t.NativeJsonl().ChangeBytes(Jsonl, b => b[..(b.Length - 200)]), Error(Jsonl, "line ", "invalid or truncated JSON")),
        new("jsonl: empty file", t => t.Text(Jsonl, ""), Error(Jsonl, "empty file")),
        new("jsonl: blank lines only", t => t.Text(Jsonl, "\n\n  \n"), Error(Jsonl, "empty file")),
        new("jsonl: unknown version", t => t.JsonlLines(l => ["{\"format\":\"traceviewer\",\"version\":9}", .. l[1..]], 1), Error(Jsonl, "field version", "line {line}", "unsupported version 9")),
        new("jsonl: no header", t => t.JsonlLines(l => l[1..]), Error(Jsonl, "field format", "line 1", "header")),
        new("jsonl: byte-order mark", t => t.NativeJsonl().ChangeBytes(Jsonl, b => [0xEF, 0xBB, 0xBF, .. b]), Accept(2)),
        new("jsonl: CRLF line ends", t => t.JsonlLines(l => l.Select(x => x + "\r")), Accept(2)),
        new("jsonl: invalid UTF-8", t => t.NativeJsonl().ChangeBytes(Jsonl, b => Replace(b, "\"title\":\""u8, [.. "\"title\":\""u8, 0xC3])), Error(Jsonl, "invalid UTF-8 at byte", "line ")),
        new("jsonl: metric value \"NaN\" as a string", t => t.JsonlLine("metricSet", n => n["metricSet"]!["values"]![0]!["value"] = "NaN"), Error(Jsonl, "line {line}", "field metricSet.values[0].value", "wrong type: expected a number")),
        new("jsonl: metric value bare NaN", t => t.JsonlLine("metricSet", n => n["metricSet"]!["values"]![0]!["value"] = Raw("NaN")), Error(Jsonl, "line {line}", "invalid or truncated JSON")),
        new("jsonl: metric value 1e400", t => t.JsonlLine("metricSet", n => n["metricSet"]!["values"]![0]!["value"] = Raw("1e400")), Accept(2, "1 non-finite number", "stored as not defined")),
        new("jsonl: metric value -1e400", t => t.JsonlLine("metricSet", n => n["metricSet"]!["values"]![1]!["value"] = Raw("-1e400")), Accept(2, "1 non-finite number")),
        new("jsonl: metric bound 1e400", t => t.JsonlLine("metricSet", n => n["metricSet"]!["values"]![0]!["high"] = Raw("1e400")), Accept(2)),
        new("jsonl: largest importance 1e400", t => t.JsonlLine("trace", n => n["trace"]!["maxImportance"] = Raw("1e400")), Accept(2)),
        new("jsonl: sentence index -1", t => t.JsonlLine("trace", n => n["trace"]!["sentences"]![0]!["index"] = -1), Error(Jsonl, "line {line}", "field trace.sentences[0].index", "negative")),
        new("jsonl: sentence start -50", t => t.JsonlLine("trace", n => n["trace"]!["sentences"]![4]!["start"] = -50), Error(Jsonl, "line {line}", "field trace.sentences[4].start", "outside the reasoning text")),
        new("jsonl: sentence end 1e9", t => t.JsonlLine("trace", n => n["trace"]!["sentences"]![4]!["end"] = 1_000_000_000), Error(Jsonl, "line {line}", "field trace.sentences[4].end", "outside the reasoning text")),
        new("jsonl: sentence end 1e10", t => t.JsonlLine("trace", n => n["trace"]!["sentences"]![4]!["end"] = Raw("1e10")), Error(Jsonl, "line {line}", "trace.sentences[4].end", "wrong type: expected an integer")),
        new("jsonl: duplicate sentence index", t => t.JsonlLine("trace", n => n["trace"]!["sentences"]![5]!["index"] = 4), Error(Jsonl, "line {line}", "field trace.sentences[5].index", "appears twice")),
        new("jsonl: sentence index gap in a rollout trace", t => t.JsonlLine("trace", n => { n["trace"]!["sourceFormat"] = "thought-anchors-rollouts"; n["trace"]!["sentences"]![5]!["index"] = 500; }), Error(Jsonl, "line {line}", "field trace.sentences[5].index", "leaves a gap")),
        new("jsonl: sentence text null", t => t.JsonlLine("trace", n => n["trace"]!["sentences"]![2]!["text"] = null), Error(Jsonl, "line {line}", "trace.sentences[2].text")),
        new("jsonl: trace without its key", t => t.JsonlLine("trace", n => n["trace"]!.AsObject().Remove("externalKey")), Error(Jsonl, "line {line}", "externalKey")),
        new("jsonl: temperature 1e400", t => t.JsonlLine("trace", n => n["trace"]!["temperature"] = Raw("1e400")), Error(Jsonl, "line {line}", "field trace.temperature", "not a finite number")),
        new("jsonl: duplicate trace label", t => t.JsonlLine("trace", n => n["trace"]!["labels"]!.AsArray().Add(n["trace"]!["labels"]![0]!.DeepClone())), Error(Jsonl, "line {line}", "field trace.labels[1].outcome", "labelled twice")),
        new("jsonl: duplicate resample key", t => t.JsonlLines(l => [.. l[..LineOf("resample")], l[LineOf("resample") - 1], .. l[LineOf("resample")..]], LineOf("resample") + 1), Error(Jsonl, "line {line}", "duplicate resample", "position 0, sample index 0")),
        new("jsonl: sample index int.MaxValue", t => t.JsonlLine("resample", n => n["resample"]!["sampleIndex"] = int.MaxValue), Error(Jsonl, "line {line}", "field resample.sampleIndex", "Import:MaxSamplesPerPosition")),
        new("jsonl: sample index int.MaxValue / 2", t => t.JsonlLine("resample", n => n["resample"]!["sampleIndex"] = int.MaxValue / 2), Error(Jsonl, "line {line}", "field resample.sampleIndex", "Import:MaxSamplesPerPosition")),
        new("jsonl: sample index -1", t => t.JsonlLine("resample", n => n["resample"]!["sampleIndex"] = -1), Error(Jsonl, "line {line}", "field resample.sampleIndex", "negative")),
        new("jsonl: resample position 1e10", t => t.JsonlLine("resample", n => n["resample"]!["position"] = Raw("1e10")), Error(Jsonl, "line {line}", "resample.position", "wrong type: expected an integer")),
        new("jsonl: resample before its trace", t => t.JsonlLines(l => [l[0], .. l.Where(x => x.Contains("\"type\":\"resample\"", StringComparison.Ordinal)).Take(1), .. l[1..]], 2), Error(Jsonl, "line {line}", "must come before")),
        new("jsonl: metric count -3", t => t.JsonlLine("metricSet", n => n["metricSet"]!["values"]![0]!["count"] = -3), Error(Jsonl, "line {line}", "field metricSet.values[0].count", "negative")),
        new("jsonl: more successes than the count", t => t.JsonlLine("metricSet", n => { n["metricSet"]!["values"]![0]!["count"] = 3; n["metricSet"]!["values"]![0]!["successes"] = 5; }), Error(Jsonl, "line {line}", "field metricSet.values[0].successes", "out of a count of 3")),
        new("jsonl: rate 1.5", t => t.JsonlLine("metricSet", n => SetFirst(n, "prefix_rate", 1.5)), Error(Jsonl, "line {line}", ".value", "outside [0, 1]")),
        new("jsonl: duplicate metric", t => t.JsonlLine("metricSet", n => n["metricSet"]!["values"]!.AsArray().Add(n["metricSet"]!["values"]![0]!.DeepClone())), Error(Jsonl, "line {line}", "appears twice")),
        new("jsonl: metric source as a number", t => t.JsonlLine("metricSet", n => n["metricSet"]!["source"] = 0), Error(Jsonl, "line {line}", "field metricSet.source")),
        new("jsonl: link index 1.5", t => t.JsonlLine("links", n => n["links"]![0]![0] = 1.5), Error(Jsonl, "line {line}", "field links[0]", "whole-number")),
        new("jsonl: link index -3", t => t.JsonlLine("links", n => n["links"]![0]![0] = -3), Error(Jsonl, "line {line}", "field links[0].source", "negative")),
        new("jsonl: duplicate link", t => t.JsonlLine("links", n => n["links"]!.AsArray().Add(n["links"]![0]!.DeepClone())), Error(Jsonl, "line {line}", "duplicate link")),
        new("jsonl: link score 1e400", t => t.JsonlLine("links", n => n["links"]![0]![2] = Raw("1e400")), Accept(2, "1 non-finite number")),
        new("jsonl: unknown line type", t => t.JsonlLines(l => [.. l, "{\"type\":\"comment\",\"text\":\"hello\"}"]), Accept(2, "unknown line type 'comment' skipped")),
        new("jsonl: a string over the limit", t => t.JsonlLine("trace", n => n["trace"]!["title"] = new string('t', (8 << 20) + 1)), Error(Jsonl, "line {line}", "field trace.title", "Import:MaxStringBytes")),
        new("jsonl: nested 10,000 deep", t => t.JsonlLine("trace", n => n["trace"]!["metadata"] = Raw(new string('[', 10_000) + new string(']', 10_000))), Error(Jsonl, "line {line}", "Import:MaxDepth")),
        new("jsonl: a 100 MB line", t => t.Stream(Jsonl, Utf8(ExportedHeader() + "\n{\"type\":\"comment\",\"text\":\""), Repeat('x', 100L << 20), Utf8("\"}\n")), Error(Jsonl, "line 2", "Import:MaxLineBytes"), Huge: true),
        new("jsonl: a null line", t => t.JsonlLines(l => [l[0], "null", .. l[1..]], 2), Error(Jsonl, "line {line}", "found null")),

        // ---- alignment-faking results --------------------------------------------------------
        new("results: the file imports", t => t.ResultsFile(), Accept(2)),
        new("results: StrongREJECT NaN", t => t.ResultsFile(a => a[0]!["strong_reject_score"] = Raw("NaN")), Accept(2)),
        new("results: StrongREJECT 7", t => t.ResultsFile(a => a[0]!["strong_reject_score"] = 7), Error(Results, "field [0].strong_reject_score", "outside [-1, 1]")),
        new("results: AF score Infinity", t => t.ResultsFile(a => a[0]!["deceptive_alignment"]!["final_answer"] = Raw("Infinity")), Accept(2)),
        new("results: AF score 1e400", t => t.ResultsFile(a => a[0]!["deceptive_alignment"]!["final_answer"] = Raw("1e400")), Accept(2)),
        new("results: AF score 3", t => t.ResultsFile(a => a[1]!["deceptive_alignment"]!["final_answer"] = 3), Error(Results, "field [1].deceptive_alignment.final_answer", "outside [0, 1]")),
        new("results: output is a number", t => t.ResultsFile(a => a[1]!["output"] = 5), Error(Results, "field [1].output", "expected String")),
        new("results: tags missing", t => t.ResultsFile(a => a[1]!.AsObject().Remove("tags")), Error(Results, "field [1].tags", "missing")),
        new("results: truncated", t => t.ResultsFile().ChangeBytes(Results, b => b[..(b.Length - 40)]), Error(Results, "invalid or truncated JSON")),
        new("results: byte-order mark", t => t.ResultsFile().ChangeBytes(Results, b => [0xEF, 0xBB, 0xBF, .. b]), Accept(2)),
        new("results: invalid UTF-8", t => t.ResultsFile().ChangeBytes(Results, b => Replace(b, "lock"u8, [0x6C, 0xC0, 0xAF, 0x6B])), Error(Results, "invalid UTF-8 at byte")),

        // ---- the file system: links, pipes, sockets, devices -------------------------------------
        new("tree: a link to its own folder", t => t.Bundles().Link(Problem + "/../loop", "."), Accept(2, "loop", "a loop"), CorpusPaths.CommandOnly),
        new("tree: a link to the parent folder", t => t.Bundles().Link("qwq-32b/up", ".."), Accept(2, "qwq-32b/up", "a loop"), CorpusPaths.CommandOnly),
        new("tree: two links to each other", t => t.Bundles().Link("a.jsonl", "b.jsonl").Link("b.jsonl", "a.jsonl"), Accept(2, "a.jsonl", "loops"), CorpusPaths.CommandOnly),
        new("tree: a link that leaves the root", t => t.Bundles().Link("elsewhere", t.Outside), Accept(2, "elsewhere", "outside the import root"), CorpusPaths.CommandOnly),
        new("tree: a file link that leaves the root", t => t.Bundles().Link("secrets.jsonl", "/etc/hostname"), Accept(2, "secrets.jsonl", "outside the import root"), CorpusPaths.CommandOnly),
        new("tree: a link inside the root", t => t.Bundles().Link("again", "qwq-32b"), Accept(2, "again", "already inside the import root"), CorpusPaths.CommandOnly),
        new("tree: a dangling link", t => t.Bundles().Link("gone.jsonl", "missing.jsonl"), Accept(2, "gone.jsonl", "missing"), CorpusPaths.CommandOnly),
        new("tree: a named pipe called .jsonl", t => t.Bundles().Fifo("pipe.jsonl"), Accept(2, "pipe.jsonl", "named pipe"), CorpusPaths.CommandOnly),
        new("tree: a named pipe called .json", t => t.Bundles().Fifo("af/results_20250301_101112.json"), Accept(2, "af/results_20250301_101112.json", "named pipe"), CorpusPaths.CommandOnly),
        new("tree: a named pipe as an optional bundle file", t => t.Bundles().Delete(Problem + "/summary.json").Fifo(Problem + "/summary.json"), Accept(2, "summary.json", "named pipe"), CorpusPaths.CommandOnly),
        new("tree: a named pipe as a required bundle file", t => t.Bundles().Delete(BaseSolution).Fifo(BaseSolution), Error(BaseSolution, "missing required file"), CorpusPaths.CommandOnly),
        new("tree: a socket called .jsonl", t => t.Bundles().UnixSocket("socket.jsonl"), Accept(2, "socket.jsonl", "socket"), CorpusPaths.CommandOnly),
        new("tree: a link to a device", t => t.Bundles().Link("zero.jsonl", "/dev/zero"), Accept(2, "zero.jsonl", "skipped"), CorpusPaths.CommandOnly),
        new("file: a named pipe named directly", t => t.Fifo("direct.jsonl"), Error("direct.jsonl", "not a regular file"), CorpusPaths.CommandOnly, CommandTarget: "direct.jsonl"),

        // ---- zip uploads ---------------------------------------------------------------------------
        new("zip: the fixtures", t => t.FixturesZip("fixtures.zip"), Accept(2), CorpusPaths.UploadOnly),
        new("zip: a broken file inside", t => t.FixturesZip("fixtures.zip", Labeled, "[{\"chunk\": "u8.ToArray()), Error(Labeled, "invalid or truncated JSON"), CorpusPaths.UploadOnly),
        new("zip: 1 GiB of zeros in 1 MB", t => t.ZipBomb("bomb.zip", 1L << 30), Error("bomb.zip", "Import:MaxZipRatio", "zip bomb"), CorpusPaths.UploadOnly, Huge: true),
        // The unpacking stream stops at the declared size, so the entry is cut there and read as the JSONL it claims to be.
        new("zip: a bomb that declares 1,000 bytes", t => t.ZipBomb("liar.zip", 64L << 20, lieAboutSize: true), Error("bomb/results.jsonl", "line 1", "invalid or truncated JSON"), CorpusPaths.UploadOnly, Huge: true),
        new("zip: an entry named ../", t => t.Zip("climb.zip", ("../evil.jsonl", "{}"u8.ToArray())), Error("climb.zip", "'../evil.jsonl'", "'..'"), CorpusPaths.UploadOnly),
        new("zip: an entry deep in ../", t => t.Zip("climb.zip", ("a/b/../../../evil.jsonl", "{}"u8.ToArray())), Error("climb.zip", "'..'"), CorpusPaths.UploadOnly),
        new("zip: an absolute entry", t => t.Zip("absolute.zip", ("/etc/evil.jsonl", "{}"u8.ToArray())), Error("absolute.zip", "absolute name"), CorpusPaths.UploadOnly),
        new("zip: a drive-letter entry", t => t.Zip("absolute.zip", ("C:/evil.jsonl", "{}"u8.ToArray())), Error("absolute.zip", "absolute name"), CorpusPaths.UploadOnly),
        new("zip: too many entries", t => t.Zip("many.zip", [.. Enumerable.Range(0, 100_001).Select(i => ($"e/{i}", Array.Empty<byte>()))]), Error("many.zip", "Import:MaxZipEntries"), CorpusPaths.UploadOnly),
        new("zip: not a zip", t => t.Text("fake.zip", "this is not a zip"), Error("fake.zip", "not a readable zip file"), CorpusPaths.UploadOnly),
        new("zip: the same entry twice", t => t.Zip("twice.zip", ("x/a.jsonl", "{}"u8.ToArray()), ("x/a.jsonl", "{}"u8.ToArray())), Error("twice.zip", "same file twice"), CorpusPaths.UploadOnly),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EachCaseEndsInANamedErrorOrADocumentedAcceptance(CorpusCase @case)
    {
        using var tree = new CorpusTree();
        @case.Build(tree);
        string Fill(string part) => part.Replace("{line}", tree.EditedLine.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        // A case that failed half-way must not leave rows for the next one.
        await corpus.WipeAsync();

        if (@case.Paths != CorpusPaths.UploadOnly)
        {
            var target = @case.CommandTarget is { } file ? tree.PathOf(file) : tree.Root;
            var ((exit, stdout, stderr), elapsed, allocated, peak) = await CorpusApp.MeasureAsync(() => corpus.CommandAsync(target));
            Record(@case, "command", elapsed, allocated, peak);

            Assert.DoesNotContain("Unhandled", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
            if (@case.Expect.Accepted)
            {
                Assert.True(exit == 0, $"exit {exit}: {stderr}");
                Assert.Contains($"traces: {@case.Expect.Traces} added", stdout, StringComparison.Ordinal);
                AssertNames(@case, Fill, stderr);
                await AssertAcceptedAsync();
            }
            else
            {
                Assert.Equal(1, exit);
                Assert.Empty(stdout);
                Assert.StartsWith("error: ", stderr.Split('\n').Last(l => l.Length > 0), StringComparison.Ordinal);
                AssertNames(@case, Fill, stderr);
                Assert.All(await corpus.CountRowsAsync(), table => Assert.Equal(0, table.Value));
            }
        }

        if (@case.Paths != CorpusPaths.CommandOnly)
        {
            var ((status, error, added, page), elapsed, allocated, peak) = await CorpusApp.MeasureAsync(() => corpus.UploadAsync(tree));
            Record(@case, "upload", elapsed, allocated, peak);

            if (@case.Expect.Accepted)
            {
                Assert.True(status == HttpStatusCode.OK, $"{status}: {error}");
                Assert.Equal(@case.Expect.Traces.ToString(System.Globalization.CultureInfo.InvariantCulture), added);
                AssertNames(@case, Fill, page);
                await AssertAcceptedAsync();
            }
            else
            {
                Assert.True((int)status is >= 400 and < 600, $"status {status}");
                Assert.NotNull(error);
                Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
                AssertNames(@case, Fill, error);
                Assert.All(await corpus.CountRowsAsync(), table => Assert.Equal(0, table.Value));
            }
        }
    }

    private void AssertNames(CorpusCase @case, Func<string, string> fill, string message)
    {
        output.WriteLine("  " + message.Trim().ReplaceLineEndings(" | "));
        foreach (var part in @case.Expect.Parts.Select(fill))
        {
            Assert.True(message.Contains(part, StringComparison.Ordinal), $"'{part}' is not in: {message}");
        }
    }

    private async Task AssertAcceptedAsync()
    {
        Assert.Empty(await corpus.NonFiniteValuesAsync());
        await corpus.WipeAsync();
    }

    private void Record(CorpusCase @case, string path, TimeSpan elapsed, long allocated, long peak)
    {
        output.WriteLine($"{@case.Name} [{path}]: {elapsed.TotalMilliseconds:F0} ms, allocated {allocated >> 20} MB, peak resident growth {peak >> 20} MB");
        if (@case.Huge)
        {
            var bound = path == "command" ? CommandMemoryBound : UploadMemoryBound;
            Assert.True(allocated < bound, $"{@case.Name} [{path}] allocated {allocated >> 20} MB, above the bound of {bound >> 20} MB");
            Assert.True(peak < bound, $"{@case.Name} [{path}] raised peak memory by {peak >> 20} MB, above the bound of {bound >> 20} MB");
        }
    }

    [Fact]
    public void TheCorpusHasAtLeastSixtyCasesWithUniqueNames()
    {
        Assert.True(All.Length >= 60, $"{All.Length} cases");
        Assert.Equal(All.Length, All.Select(c => c.Name).Distinct().Count());
        output.WriteLine($"{All.Length} cases: {All.Count(c => !c.Expect.Accepted)} named errors, {All.Count(c => c.Expect.Accepted)} documented acceptances; "
            + $"{All.Count(c => c.Paths == CorpusPaths.Both)} through both paths, {All.Count(c => c.Paths == CorpusPaths.CommandOnly)} command only, {All.Count(c => c.Paths == CorpusPaths.UploadOnly)} upload only");
    }

    private static byte[] Replace(byte[] bytes, ReadOnlySpan<byte> find, byte[] with)
    {
        var at = bytes.AsSpan().IndexOf(find);
        Assert.True(at >= 0);
        return [.. bytes.AsSpan(0, at), .. with, .. bytes.AsSpan(at + find.Length)];
    }

    private static void SetFirst(JsonNode line, string name, double value)
    {
        var metric = line["metricSet"]!["values"]!.AsArray().First(v => (string?)v!["name"] == name)!;
        metric["value"] = value;
    }

    private static string ExportedHeader() => ExportedJsonl?.Split('\n')[0] ?? "{\"format\":\"traceviewer\",\"version\":1}";
}
