using System.Text;
using TraceViewer.Import;

namespace TraceViewer.Tests.Import;

public sealed class SourceJsonTests
{
    [Fact]
    public void PythonNamedFloatsAreReadOutsideStringsOnly()
    {
        var json = "[{\"chunk\": \"NaN and Infinity stay text\", \"chunk_idx\": 0, \"a\": NaN, \"b\": Infinity, \"c\": -Infinity, \"d\": -0.5}]";

        var chunk = Assert.Single(SourceJson.Parse<List<LabeledChunk>>(Encoding.UTF8.GetBytes(json), "x.json"));

        Assert.Equal("NaN and Infinity stay text", chunk.Chunk);
        Assert.True(double.IsNaN(SourceJson.AsNumber(chunk.Extra["a"])!.Value));
        Assert.Equal(double.PositiveInfinity, SourceJson.AsNumber(chunk.Extra["b"]));
        Assert.Equal(double.NegativeInfinity, SourceJson.AsNumber(chunk.Extra["c"]));
        Assert.Equal(-0.5, SourceJson.AsNumber(chunk.Extra["d"]));
    }

    [Fact]
    public void FloatsKeepEveryDigit()
    {
        var chunk = Assert.Single(SourceJson.Parse<List<LabeledChunk>>("[{\"chunk\":\"a\",\"chunk_idx\":0,\"accuracy\":0.010000000000000009}]"u8.ToArray(), "x.json"));

        Assert.Equal(0.010000000000000009, SourceJson.AsNumber(chunk.Extra["accuracy"]));
        Assert.NotEqual(0.01, SourceJson.AsNumber(chunk.Extra["accuracy"]));
    }

    [Fact]
    public void AnObjectWhereAnArrayBelongsIsAWrongTypeError()
    {
        var error = Assert.Throws<ImportException>(() => SourceJson.Parse<List<LabeledChunk>>("{\n  \"chunk\": \"a\"\n}"u8.ToArray(), "dir/chunks_labeled.json"));

        Assert.Equal("dir/chunks_labeled.json", error.FilePath);
        Assert.Equal(1, error.Line);
        Assert.Contains("wrong type: expected an array", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"a\":1}")]
    [InlineData("[1,2]")]
    [InlineData("plain text")]
    [InlineData("{\n  \"indented\": true\n}")]
    [InlineData("\"already quoted\"")]
    public void MetadataTextRoundTripsThroughTheNativeFormat(string metadata)
    {
        var line = System.Text.Json.JsonSerializer.Serialize(new ImportedSentence(0, "t", "", 0, 1, null, null, null, metadata), NativeJsonl.Options);

        var back = System.Text.Json.JsonSerializer.Deserialize<ImportedSentence>(line, NativeJsonl.Options);

        Assert.Equal(metadata, back!.Metadata);
        Assert.DoesNotContain('\n', line);
    }

    [Theory]
    [InlineData("[\"plan_generation\",\"active_computation\"]", "\"functionTags\":\"plan_generation\\nactive_computation\"")]
    [InlineData("[\"a\",\"\",\"a\"]", "\"functionTags\":\"a\\n\\na\"")]
    [InlineData("null", null)]
    public void FunctionTagsAreAListInMemoryAndOneNewlineSeparatedTextInTheNativeFormatExactlyAsBefore(string tags, string? written)
    {
        var list = System.Text.Json.JsonSerializer.Deserialize<List<string>?>(tags);
        var line = System.Text.Json.JsonSerializer.Serialize(new ImportedSentence(0, "t", "", 0, 1, list, null, null, null), NativeJsonl.Options);

        var back = System.Text.Json.JsonSerializer.Deserialize<ImportedSentence>(line, NativeJsonl.Options)!;

        // No tags: left out of the line, as a null text was.
        Assert.Contains(written ?? "\"text\"", line, StringComparison.Ordinal);
        Assert.Equal(written is not null, line.Contains("functionTags", StringComparison.Ordinal));
        Assert.Equal(list, back.FunctionTags);
        Assert.Equal(list?.Where(t => t.Length > 0).Distinct() ?? [], TraceViewer.Tags.TagStore.DistinctFunctionTags(back.FunctionTags));
    }
}
