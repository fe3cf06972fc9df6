using System.Text;
using TraceViewer.Import;

namespace TraceViewer.Tests.Import;

/// <summary>
/// The streaming reader of step-importance files takes what the serialiser would read into the same values, and
/// leaves everything else to the serialiser (whose errors name the field).
/// </summary>
public sealed class StepImportanceRowsTests
{
    [Theory]
    [InlineData("deepseek-r1-distill-qwen-14b/correct_base_solution/problem_330/step_importance.json")]
    [InlineData("deepseek-r1-distill-qwen-14b/correct_base_solution/problem_330/step_importance_supp.json")]
    [InlineData("qwq-32b/yes_base_solution/scenario_0/step_importance.json")]
    public void TheFixturesAreReadStreamedIntoWhatTheSerialiserReads(string file)
    {
        var bytes = File.ReadAllBytes(SharedPaths.Fixtures("thought-anchors", file));

        var rows = StepImportanceRows.TryRead(bytes);

        Assert.NotNull(rows);
        Assert.True(rows.Targets.Count > 1000);
        Assert.Equal(Flatten(SourceJson.Parse<List<StepImportance?>>(bytes, file)), Flatten(rows));
    }

    [Theory]
    [InlineData("""[{"source_chunk_idx":0,"source_chunk_text":"a","target_impacts":[{"target_chunk_idx":1,"importance_score":0.5}]}]""", true)]
    [InlineData("""[{"target_impacts":[{"importance_score":-0.25,"target_chunk_idx":3},{"target_chunk_idx":4,"importance_score":1e-17}],"source_chunk_idx":2}]""", true)]
    [InlineData("""[{"other":{"a":[1,{"b":null}],"c":"x"},"source_chunk_idx":0,"target_impacts":[{"note":[],"target_chunk_idx":1,"importance_score":2}]}]""", true)]
    [InlineData("""[{"source\u005fchunk_idx":5,"source_chunk_text":"caf\u00e9 \"q\""}]""", true)]
    [InlineData("""[{"source_chunk_idx":2},{"source_chunk_idx":3,"target_impacts":[]}]""", true)]
    [InlineData("[]", true)]
    [InlineData("[null]", false)]
    [InlineData("""[{"source_chunk_idx":null}]""", false)]
    [InlineData("""[{"source_chunk_idx":1.5}]""", false)]
    [InlineData("""[{"source_chunk_idx":"1"}]""", false)]
    [InlineData("""[{"source_chunk_idx":99999999999}]""", false)]
    [InlineData("""[{"source_chunk_idx":0,"source_chunk_idx":1}]""", false)]
    [InlineData("""[{"source_chunk_idx":0,"source_chunk_text":7}]""", false)]
    [InlineData("""[{"source_chunk_idx":0,"source_chunk_text":null}]""", false)]
    [InlineData("""[{"source_chunk_idx":0,"target_impacts":null}]""", false)]
    [InlineData("""[{"source_chunk_idx":0,"target_impacts":[null]}]""", false)]
    [InlineData("""[{"source_chunk_idx":0,"target_impacts":[{"target_chunk_idx":1}]}]""", false)]
    [InlineData("""[{"source_chunk_idx":0,"target_impacts":[{"target_chunk_idx":1,"importance_score":"NaN"}]}]""", false)]
    [InlineData("""[{"source_chunk_idx":0,"target_impacts":[{"target_chunk_idx":1,"importance_score":NaN}]}]""", false)]
    [InlineData("""[{"source_chunk_idx":0,"target_impacts":{"target_chunk_idx":1}}]""", false)]
    [InlineData("""[{"Source_Chunk_Idx":0}]""", false)]
    [InlineData("""{"source_chunk_idx":0}""", false)]
    [InlineData("null", false)]
    public void WhatTheStreamingReaderTakesItReadsAsTheSerialiserDoes(string json, bool streamed)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        // As SourceJson hands it over: the named literals quoted.
        var rows = StepImportanceRows.TryRead(SourceJson.QuoteNamedLiterals(bytes).Span);

        Assert.Equal(streamed, rows is not null);
        if (rows is not null)
        {
            Assert.Equal(Flatten(SourceJson.Parse<List<StepImportance?>>(bytes, "steps.json")), Flatten(rows));
        }
    }

    [Fact]
    public void ANumberBeyondTheDoublesIsReadAsTheSerialiserReadsIt()
    {
        var bytes = """[{"source_chunk_idx":0,"target_impacts":[{"target_chunk_idx":1,"importance_score":1e400}]}]"""u8.ToArray();

        var rows = StepImportanceRows.TryRead(bytes);
        List<string>? read;
        try
        {
            read = Flatten(SourceJson.Parse<List<StepImportance?>>(bytes, "steps.json"));
        }
        catch (ImportException)
        {
            read = null;
        }

        // Never taken where the serialiser refuses it; where both read it, the same values.
        Assert.True(read is not null || rows is null);
        if (rows is not null)
        {
            Assert.Equal(read, Flatten(rows));
        }
    }

    private static List<string> Flatten(List<StepImportance?> steps) =>
    [
        .. steps.SelectMany(s => (s!.TargetImpacts ?? []).Select(t => Row(s.SourceChunkIdx!.Value, s.SourceChunkText, t.TargetChunkIdx!.Value, t.ImportanceScore!.Value))
            .Prepend(Row(s.SourceChunkIdx!.Value, s.SourceChunkText, null, null))),
    ];

    private static List<string> Flatten(StepImportanceRows rows) =>
    [
        .. rows.Steps.SelectMany(s => rows.Targets.GetRange(s.FirstTarget, s.TargetCount).Select(t => Row(s.Source, s.SourceText, t.Index, t.Score))
            .Prepend(Row(s.Source, s.SourceText, null, null))),
    ];

    private static string Row(int source, string? text, int? target, double? score) =>
        FormattableString.Invariant($"{source}|{text ?? "<null>"}|{target}|{(score is { } s ? BitConverter.DoubleToInt64Bits(s) : 0)}");
}
