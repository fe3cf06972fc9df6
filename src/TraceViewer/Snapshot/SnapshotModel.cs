using System.Text.Json;
using TraceViewer.Analyses;
using TraceViewer.Statistics.Analyses;
using TraceViewer.Studies;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Snapshot;

/// <summary>A sample of what resamples at one sentence said instead: the most frequent first sentences.</summary>
public sealed record SnapshotSentence(int Index, int ResampleCount, IReadOnlyList<Alternative> Alternatives);

/// <summary>One trace of a snapshot: its document as the live page reads it, and each sentence's sample of alternatives.</summary>
/// <summary>
/// How one sentence is drawn for the shown outcome: its direction (promotes, suppresses, none), whether its interval
/// contains 0, and its tint weight (strength relative to the trace's largest), as the live sentence list draws it.
/// </summary>
public sealed record SnapshotTint(int Index, string Direction, bool Uncertain, double Weight);

/// <summary>
/// A Plotly figure as the live chart serializes it (<see cref="Figure"/>: data and layout), and per series the
/// sentence or trace each point stands for (<see cref="Points"/>), so a click on the static chart can open it.
/// </summary>
public sealed record SnapshotFigure(JsonElement Figure, IReadOnlyList<IReadOnlyList<int>> Points);

/// <param name="Tags">Per taxonomy with tags on the trace, its everyone's and consensus layers (<see cref="TagReads.LayersAsync"/>).</param>
/// <param name="Analysis">The live trace page's analyses of the document (<see cref="AnalysisQueries.FromDocument"/>).</param>
/// <param name="AnalysisFigure">The live page's scatter of alignment-faking against compliance effects, when the trace has both.</param>
public sealed record SnapshotTrace(
    TraceDocument Document, string? PrimaryOutcome, IReadOnlyList<SnapshotSentence> Sentences,
    IReadOnlyList<TraceTagLayers>? Tags = null, TraceAnalysisView? Analysis = null, SnapshotFigure? AnalysisFigure = null)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public OutcomeMetrics? Shown => Document.PrimaryOutcome(PrimaryOutcome);

    /// <summary>The outcome whose directions tint the sentences and colour the curve's points.</summary>
    public string? ShownOutcome => Shown?.Key;

    /// <summary>Each sentence's tint for <see cref="Shown"/>, under the counterfactual effect (the live page's default).</summary>
    public IReadOnlyList<SnapshotTint> Tints
    {
        get
        {
            var shown = Shown;
            var max = TraceReading.MaxStrength(shown, EffectKind.Counterfactual);
            return [.. Document.Sentences.Select(s =>
            {
                var effect = shown?.EffectsAt(s.Index).Shown(EffectKind.Counterfactual);
                return new SnapshotTint(s.Index, (effect?.Direction ?? Direction.None).CssName(), effect?.NeedsMoreSamples == true,
                    effect is null ? 0 : Math.Round(TraceReading.Relative(effect, max), 3));
            })];
        }
    }

    /// <summary>A trace's group on the index: its prompt variant and tier, when it has them.</summary>
    public string Condition => (Document.PromptVariant, Document.Tier) switch
    {
        (null, null) => "",
        (var v, null) => v!,
        (null, var t) => t + " tier",
        var (v, t) => $"{v} · {t} tier",
    };
}

/// <summary>One dataset of a snapshot with its selected traces and, when it has one, its study and the study's analyses.</summary>
public sealed record SnapshotDataset(DatasetRef Dataset, string Model, IReadOnlyList<SnapshotTrace> Traces, StudyView? Study, SnapshotStudyAnalyses? Analyses = null)
{
    /// <summary>Whether a trace has a page in this snapshot.</summary>
    public bool Includes(int traceId) => Traces.Any(t => t.Document.Id == traceId);
}

/// <summary>
/// What the live study page shows below its counts, read by the same queries (<see cref="AnalysisQueries.StudyAsync"/>,
/// <see cref="AnalysisQueries.PairsAsync"/>) and drawn by the same figure code: the strip plots of concentration and
/// correlation per condition, and every query in the free and the paid tier (all pages of the live list).
/// </summary>
public sealed record SnapshotStudyAnalyses(
    StudyAnalysesView View, SnapshotFigure? Concentration, SnapshotFigure? Correlation, IReadOnlyList<PairedQuery> Pairs, int PairedQueries);

/// <summary>Where the pages of a snapshot link to the live app, when it has one.</summary>
public sealed record SnapshotLinks(string? LiveUrl)
{
    public string? Live(string path) => LiveUrl is null ? null : LiveUrl.TrimEnd('/') + path;

    public static string TracePage(int id) => $"trace-{id}.html";

    public static string StudyPage(int datasetId) => $"study-{datasetId}.html";

    public static string SentenceAnchor(int index) => $"s-{index}";

    /// <summary>A trace's page (and sentence) in the snapshot served from <paramref name="baseUrl"/>; null without one.</summary>
    public static string? InSnapshot(string? baseUrl, int traceId, int? sentence) =>
        string.IsNullOrWhiteSpace(baseUrl) ? null
        : baseUrl.TrimEnd('/') + "/" + TracePage(traceId) + (sentence is { } index ? "#" + SentenceAnchor(index) : "");
}

/// <summary>What a finished snapshot holds.</summary>
public sealed record SnapshotSummary(int Datasets, int Traces, int Files, long Bytes, TimeSpan Elapsed);
