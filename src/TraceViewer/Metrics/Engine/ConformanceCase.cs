using System.Text.Json;
using System.Text.Json.Serialization;

namespace TraceViewer.Metrics.Engine;

/// <summary>The reference's per-chunk values, under its own names and in its own sign.</summary>
internal sealed record ReferenceChunkValues(
    [property: JsonPropertyName("chunk_idx")] int ChunkIdx,
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("resampling_importance_accuracy")] double ResamplingImportanceAccuracy,
    [property: JsonPropertyName("resampling_importance_kl")] double ResamplingImportanceKl,
    [property: JsonPropertyName("counterfactual_importance_accuracy")] double CounterfactualImportanceAccuracy,
    [property: JsonPropertyName("counterfactual_importance_kl")] double CounterfactualImportanceKl,
    [property: JsonPropertyName("different_trajectories_fraction")] double DifferentTrajectoriesFraction,
    [property: JsonPropertyName("overdeterminedness")] double Overdeterminedness)
{
    /// <summary>The reference stores the counterfactual effect as rate(D) - rate(next): the negation of ours.</summary>
    public static ReferenceChunkValues From(ChunkMetrics c) => new(
        c.Index,
        c.Prefix.Rate,
        c.Resampling.Value,
        c.ResamplingKl,
        0.0 - c.Counterfactual.Value,
        c.CounterfactualKl,
        c.DissimilarFraction,
        c.Overdeterminedness);
}

internal sealed record NormalizedAnswer(string Once, string Twice);

/// <summary>A file of shared/conformance (case_*.json): chunks, rollouts, embeddings and the reference's values.</summary>
internal sealed record ConformanceCase(
    double Threshold,
    double Alpha,
    bool UseSimilarChunks,
    IReadOnlyDictionary<string, double[]> Embeddings,
    IReadOnlyList<PositionInput> Positions,
    IReadOnlyDictionary<string, NormalizedAnswer> NormalizedAnswers,
    IReadOnlyList<ReferenceChunkValues> Expected,
    IReadOnlyList<ReferenceChunkValues>? ExpectedThreshold06)
{
    /// <summary>Reference-compatible parameters with the file's settings; <paramref name="threshold"/> overrides its threshold.</summary>
    public MetricsParameters Parameters(double? threshold = null) => MetricsParameters.Reference with
    {
        Threshold = threshold ?? Threshold,
        Alpha = Alpha,
        UseSimilarInNext = UseSimilarChunks,
    };

    public TraceMetrics Compute(double? threshold = null)
    {
        var embeddings = new SentenceEmbeddings(Embeddings);
        return MetricsEngine.Compute(Positions, embeddings.Cosine, Parameters(threshold));
    }

    /// <exception cref="JsonException">The text is not JSON of this shape.</exception>
    /// <exception cref="InvalidDataException">A required part is missing or inconsistent.</exception>
    public static ConformanceCase Parse(string json)
    {
        var file = JsonSerializer.Deserialize<CaseFile>(json, Options) ?? throw new InvalidDataException("the file holds null");
        var chunks = file.Chunks ?? throw new InvalidDataException("missing \"chunks\"");
        var rollouts = file.Rollouts ?? throw new InvalidDataException("missing \"rollouts\"");
        var positions = new List<PositionInput>(chunks.Count);
        foreach (var chunk in chunks)
        {
            var text = chunk.Text ?? throw new InvalidDataException($"chunk {chunk.Idx} has no \"text\"");
            var resamples = rollouts.TryGetValue(chunk.Idx.ToString(System.Globalization.CultureInfo.InvariantCulture), out var list)
                ? list.ConvertAll(r => new ResampleInput(r.ChunkResampled, r.Answer, r.IsCorrect, IsError: r.Error is not null))
                : null;
            positions.Add(new PositionInput(chunk.Idx, text, resamples));
        }

        return new ConformanceCase(
            file.Threshold ?? 0.8,
            file.Settings?.KlAlpha ?? 1e-9,
            file.Settings?.UseSimilarChunks ?? true,
            file.Embeddings ?? throw new InvalidDataException("missing \"embeddings\""),
            positions,
            file.NormalizedAnswers ?? [],
            file.Expected ?? [],
            file.ExpectedThreshold06);
    }

    public static ConformanceCase Load(string path) => Parse(File.ReadAllText(path));

    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private sealed record CaseFile(
        double? Threshold,
        CaseSettings? Settings,
        Dictionary<string, double[]>? Embeddings,
        List<CaseChunk>? Chunks,
        Dictionary<string, List<CaseRollout>>? Rollouts,
        Dictionary<string, NormalizedAnswer>? NormalizedAnswers,
        List<ReferenceChunkValues>? Expected,
        [property: JsonPropertyName("expected_threshold_0_6")] List<ReferenceChunkValues>? ExpectedThreshold06);

    private sealed record CaseSettings(bool? UseSimilarChunks, double? KlAlpha);

    private sealed record CaseChunk(int Idx, string? Text);

    private sealed record CaseRollout(string? ChunkRemoved, string? ChunkResampled, string? Answer, bool? IsCorrect, string? Error);
}
