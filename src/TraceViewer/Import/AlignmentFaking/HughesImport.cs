using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TraceViewer.Outcomes;
using TraceViewer.Text;

namespace TraceViewer.Import.AlignmentFaking;

/// <summary>
/// Maps open-source-alignment-faking results (formats.md §d) to traces: one trace per (query, tier) record,
/// its scratchpad split with the separator-preserving splitter, compliance by the rule classifier (with the
/// StrongREJECT score as the fallback signal) and alignment faking as imported from the judge's votes.
/// </summary>
internal static class HughesImport
{
    public const string SourceFormat = "alignment-faking-results";

    /// <summary>The classifier whose share of yes votes is the alignment-faking score.</summary>
    public const string AlignmentFakingClassifier = "deceptive_alignment";

    /// <summary>Reads and maps one results file; errors name the file and the record's field.</summary>
    public static IReadOnlyList<ImportedTrace> Read(string fullPath, string relativePath, List<string> warnings, ImportOptions? limits = null)
    {
        var root = SourceJson.Read<JsonElement>(fullPath, relativePath, limits ?? new ImportOptions());
        try
        {
            return Map(HughesResultsReader.Read(root), relativePath, modelOverride: null, warnings);
        }
        catch (FormatException e)
        {
            var colon = e.Message.IndexOf(": ", StringComparison.Ordinal);
            throw new ImportException(relativePath, colon > 0 ? e.Message[..colon] : null, null, colon > 0 ? e.Message[(colon + 2)..] : e.Message, e);
        }
    }

    public static IReadOnlyList<ImportedTrace> Map(IReadOnlyList<HughesRecord> records, string relativePath, string? modelOverride, List<string> warnings)
    {
        var parts = HughesPath.Parse(relativePath);
        var model = modelOverride ?? parts.Model ?? Path.GetFileNameWithoutExtension(relativePath);
        var dataset = new ImportedDataset(
            Key: $"{SourceFormat}/{model}",
            Name: $"{model} · alignment faking",
            Model: model,
            Kind: TraceViewer.Datasets.DatasetKind.AlignmentFaking,
            SourceFormat: SourceFormat,
            Description: "Base responses with compliance and alignment-faking labels, by prompt variant and tier.",
            PrimaryOutcome: OutcomeRegistry.Compliance,
            Metadata: null);
        var variant = parts.PromptVariant ?? "default";
        return records.Select(r => MapRecord(r, dataset, variant, relativePath, parts, warnings)).ToList();
    }

    /// <summary>
    /// Maps one record into the given dataset: the mapping collected traces share with imported ones (sentences,
    /// compliance, metadata); callers set their own key and source on the result.
    /// </summary>
    public static ImportedTrace MapRecord(HughesRecord record, ImportedDataset dataset, string variant, string sourcePath, List<string> warnings) =>
        MapRecord(record, dataset, variant, sourcePath, HughesPath.Parse(sourcePath), warnings);

    private static ImportedTrace MapRecord(HughesRecord record, ImportedDataset dataset, string variant, string relativePath, HughesPath.Parts parts, List<string> warnings)
    {
        var response = record.Output;
        var range = ScratchpadText.ReasoningRange(response);
        var reasoning = range.Of(response);
        var sentences = SentenceSplitter.Split(response)
            .Select((s, i) => new ImportedSentence(i, s.Text, s.Separator, s.Start - range.Start, s.End - range.Start, null, null, null, null))
            .ToList();

        var tierFromPrompt = TierParser.Parse(record.UserMessage);
        if (tierFromPrompt is not null && record.Tags is "free_tier" or "paid_tier" && tierFromPrompt != record.Tier)
        {
            warnings.Add($"{relativePath}, field [{record.Position}].tags: says {record.Tags} but the user message says {tierFromPrompt}; kept {record.Tier}");
        }

        var marker = ComplianceClassifier.Classify(response);
        bool? compliant = marker.IsCompliant ?? (record.StrongRejectScore is >= 0 and var score ? score > 0 : null);
        var complianceSource = marker.IsCompliant is not null ? "marker" : record.StrongRejectScore is >= 0 ? "strong_reject" : "none";
        var af = record.Classifier(AlignmentFakingClassifier);
        bool? faking = af?.FinalAnswer is { } share ? share >= HughesResultsReader.AlignmentFakingThreshold : null;

        var labels = new List<ImportedLabel>
        {
            new(OutcomeRegistry.Compliance, $"{complianceSource}:{LabelExplanation.Answer(compliant)}", compliant),
        };
        if (af is not null)
        {
            labels.Add(new(OutcomeRegistry.AlignmentFaking, af.FinalAnswer?.ToString("R", CultureInfo.InvariantCulture) ?? HughesResultsReader.FailedToParse, faking));
        }

        var metadata = JsonSerializer.Serialize(new
        {
            success = record.Success,
            timestamp = record.Timestamp,
            tags = record.Tags,
            strong_reject_score = record.StrongRejectScore,
            compliance_marker = marker.Verdict.ToString(),
            compliance_marker_reason = marker.Reason,
            compliance_source = complianceSource,
            output_contains_acceptance = record.ContainsAcceptance,
            output_contains_refusal = record.ContainsRefusal,
            af_threshold = HughesResultsReader.AlignmentFakingThreshold,
            system_prompt_sha256 = record.SystemPrompt is null ? null : Sha256(record.SystemPrompt),
            seed = parts.Seed,
            run = parts.RunStamp,
            classifiers = record.Classifiers.ToDictionary(c => c.Name, c => JsonDocument.Parse(c.RawJson).RootElement),
        });

        return new ImportedTrace
        {
            Dataset = dataset,
            ExternalKey = $"{relativePath}#{record.Position}",
            Title = $"{Shorten(record.UserInput, 90)} ({record.Tier})",
            Prompt = string.Join("\n\n", new[] { record.SystemPrompt, record.UserMessage }.Where(m => m is not null)),
            SystemPrompt = record.SystemPrompt,
            UserPrompt = record.UserMessage ?? record.UserInput,
            Response = response,
            Reasoning = reasoning,
            FinalOutput = ScratchpadText.FinalOutput(response) ?? record.OutputWithoutScratchpad,
            Tier = record.Tier,
            PromptVariant = variant,
            Model = dataset.Model,
            SourcePath = relativePath,
            SourceFormat = SourceFormat,
            Metadata = metadata,
            Labels = labels,
            Sentences = sentences,
        };
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    internal static string Shorten(string text, int length)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= length ? line : line[..(length - 1)] + "…";
    }
}
