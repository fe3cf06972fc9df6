using System.Globalization;
using System.Text;
using System.Text.Json;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;

namespace TraceViewer.Import;

/// <summary>Reads one item folder of formats (a), (b) or (c) into an <see cref="ImportedTrace"/> (formats.md).</summary>
internal sealed class ThoughtAnchorsReader
{
    private const string LabeledFile = "chunks_labeled.json";
    private const string SolutionsFile = "solutions.json";

    private readonly DiscoveredItem _item;
    private readonly string _root;
    private readonly Action _fileParsed;
    private readonly List<string> _warnings;
    private readonly ImportOptions _limits;
    private readonly string _realRoot;

    /// <summary>Non-finite metric values and link scores left out as not defined.</summary>
    private int _undefined;

    private ThoughtAnchorsReader(DiscoveredItem item, string root, Action fileParsed, List<string> warnings, ImportOptions limits)
    {
        _item = item;
        _root = root;
        _fileParsed = fileParsed;
        _warnings = warnings;
        _limits = limits;
        _realRoot = TraceDiscovery.RealPath(root);
    }

    public static ImportedTrace Read(DiscoveredItem item, string root, Action fileParsed, List<string> warnings, ImportOptions? limits = null) =>
        new ThoughtAnchorsReader(item, root, fileParsed, warnings, limits ?? new ImportOptions()).Read();

    private bool IsTree => _item.Format != ImportFormats.ViewerBundle;

    private ImportedTrace Read()
    {
        var isMath = File.Exists(Path.Combine(_item.FullPath, "problem.json"));
        var itemJson = ReadOptional<JsonElement?>(isMath ? "problem.json" : "scenario.json");
        if (itemJson is { ValueKind: not JsonValueKind.Object })
        {
            throw new ImportException(FileRelative(isMath ? "problem.json" : "scenario.json"), null, null, "wrong type: expected a JSON object");
        }

        var baseSolution = ReadRequired<BaseSolutionFile>("base_solution.json");
        if (baseSolution.Error is null)
        {
            Require(baseSolution.Prompt, "base_solution.json", "prompt");
            Require(baseSolution.Solution, "base_solution.json", "solution");
        }

        var labeled = IsTree ? ReadOptional<List<LabeledChunk?>>(LabeledFile) : ReadRequired<List<LabeledChunk?>>(LabeledFile);
        var labeledChunks = labeled is null ? null : ValidateLabeled(labeled);
        var chunksFile = IsTree ? ReadRequired<ChunksFile>("chunks.json") : null;
        var texts = chunksFile is null ? null : ValidateChunks(chunksFile);

        var outcome = OutcomeKey(isMath, baseSolution, labeledChunks);
        var rateKey = RateKey(outcome, labeledChunks);

        var resamples = IsTree ? ReadSolutions(_item.ChunkFolders, outcome, keepRows: true).Resamples : ReadAlternatives();
        var sentences = BuildSentences(texts, chunksFile?.Separators, labeledChunks, out var reasoning);
        var metricSet = BuildMetricSet(outcome, rateKey, isMath, labeledChunks, resamples);
        // Read in this order (so errors and warnings come as before), kept in canonical order (kind, source, target;
        // "attention_suppression" sorts first): the content hash then has nothing to sort, the checks no set of keys to build.
        var matches = ReadLinks("step_importance.json", SentenceLinkKinds.ResamplingMatch, labeledChunks);
        var suppressions = ReadLinks("step_importance_supp.json", SentenceLinkKinds.AttentionSuppression, labeledChunks);
        List<ImportedLink> links = [.. suppressions, .. matches];
        var summary = ReadOptional<JsonElement?>("summary.json");

        var labels = BaseLabels(outcome, baseSolution);
        var folders = ItemNames.WithSolutionTypeFrom(_item.Folders, outcome, labels.FirstOrDefault(l => l.Outcome == outcome)?.IsPositive);
        var format = _item.Format.Name;
        var kind = outcome switch
        {
            OutcomeRegistry.IsCorrect => TraceViewer.Datasets.DatasetKind.Math,
            OutcomeRegistry.ContainsBlackmail => TraceViewer.Datasets.DatasetKind.Blackmail,
            OutcomeRegistry.ContainsWhistleblowing => TraceViewer.Datasets.DatasetKind.Whistleblowing,
            _ => TraceViewer.Datasets.DatasetKind.Custom,
        };
        var dataset = ItemNames.Dataset(folders, format, kind, _item.Format.DatasetDescription, outcome);

        if (_undefined > 0)
        {
            _warnings.Add(ImportChecks.UndefinedWarning(_item.RelativePath, _undefined));
        }

        if (IsTree && chunksFile?.Separators is null && _item.Format == ImportFormats.ScenarioTree)
        {
            _warnings.Add($"{_item.RelativePath}: chunks.json has no separators; sentences are joined with single spaces");
        }

        return new ImportedTrace
        {
            Dataset = dataset,
            ExternalKey = _item.Name,
            Title = Title(itemJson),
            Prompt = baseSolution.Prompt ?? "",
            SystemPrompt = StringProperty(itemJson, "system_prompt"),
            UserPrompt = isMath ? StringProperty(itemJson, "problem") : StringProperty(itemJson, "user_prompt"),
            Response = baseSolution.Solution ?? "",
            Reasoning = reasoning,
            FinalOutput = FinalOutput(baseSolution.Solution),
            PromptVariant = folders.Variant,
            Model = folders.ModelFolder,
            Temperature = folders.Temperature,
            TopP = folders.TopP,
            SourcePath = _item.RelativePath,
            SourceFormat = format,
            HasLabelledResamples = IsTree,
            MaxImportance = metricSet is null ? null : ImportedMetrics.MaxImportance(metricSet.Values),
            Metadata = TraceMetadata(itemJson, baseSolution, summary, chunksFile, rateKey),
            Labels = labels,
            Sentences = sentences,
            Resamples = resamples,
            MetricSets = metricSet is null ? [] : [metricSet],
            Links = links,
        };
    }

    // ---- files -------------------------------------------------------------------------------

    private string FileRelative(string name) => TraceDiscovery.Relative(_root, Path.Combine(_item.FullPath, name));

    private T ReadRequired<T>(string name) =>
        ReadOptional<T>(name) ?? throw new ImportException(FileRelative(name), null, null, "missing required file");

    private T? ReadOptional<T>(string name) => ReadOptionalAt<T>(Path.Combine(_item.FullPath, name));

    private T? ReadOptionalAt<T>(string fullPath) => ReadOptionalAt<T, object>(fullPath, null).Value;

    /// <summary>As <see cref="ReadOptionalAt{T}(string)"/>, taking the file's common shape with a streaming reader (SourceJson.Read).</summary>
    private (T? Value, TFast? Fast) ReadOptionalAt<T, TFast>(string fullPath, SourceJson.FastReader<TFast>? fast)
        where TFast : class
    {
        if (!File.Exists(fullPath))
        {
            return default;
        }

        if (TraceDiscovery.SkipReason(fullPath, _realRoot) is { } reason)
        {
            _warnings.Add($"{TraceDiscovery.Relative(_root, fullPath)}: {reason}");
            return default;
        }

        var value = SourceJson.Read<T, TFast>(fullPath, TraceDiscovery.Relative(_root, fullPath), _limits, fast);
        _fileParsed();
        return value;
    }

    private void Require(object? value, string file, string field)
    {
        if (value is null)
        {
            throw new ImportException(FileRelative(file), field, null, "missing required field");
        }
    }

    private List<LabeledChunk> ValidateLabeled(List<LabeledChunk?> labeled)
    {
        var seen = new Dictionary<int, int>();
        var file = FileRelative(LabeledFile);
        ImportException Error(string field, string detail) => new(file, field, null, detail);
        for (var i = 0; i < labeled.Count; i++)
        {
            var chunk = labeled[i] ?? throw Error($"[{i}]", "wrong type: expected an object, found null");
            Require(chunk.Chunk, LabeledFile, $"[{i}].chunk");
            Require(chunk.ChunkIdx, LabeledFile, $"[{i}].chunk_idx");
            var index = chunk.ChunkIdx!.Value;
            ImportChecks.Index(index, _limits.MaxSentences, nameof(ImportOptions.MaxSentences), $"[{i}].chunk_idx", Error);
            if (!seen.TryAdd(index, i))
            {
                throw Error($"[{i}].chunk_idx", $"duplicate sentence index: chunk_idx {index} also appears at [{seen[index]}]");
            }
        }

        return labeled!;
    }

    private List<string> ValidateChunks(ChunksFile file)
    {
        Require(file.Chunks, "chunks.json", "chunks");
        for (var i = 0; i < file.Chunks!.Count; i++)
        {
            Require(file.Chunks[i], "chunks.json", $"chunks[{i}]");
        }

        if (file.Separators is { } separators && separators.Count != file.Chunks.Count)
        {
            throw new ImportException(FileRelative("chunks.json"), "separators", null,
                $"{separators.Count} separators for {file.Chunks.Count} chunks; the two lists must have the same length");
        }

        if (_item.Format == ImportFormats.RolloutTree && file.Separators is not null)
        {
            _warnings.Add($"{_item.RelativePath}: chunks.json of a problem tree has separators; they are used as given");
        }

        return file.Chunks;
    }

    // ---- outcome -----------------------------------------------------------------------------

    private static string OutcomeKey(bool isMath, BaseSolutionFile baseSolution, List<LabeledChunk>? labeled)
    {
        if (isMath || baseSolution.Extra.ContainsKey(OutcomeRegistry.IsCorrect))
        {
            return OutcomeRegistry.IsCorrect;
        }

        foreach (var key in new[] { OutcomeRegistry.ContainsWhistleblowing, OutcomeRegistry.ContainsBlackmail })
        {
            var rateKey = OutcomeRegistry.Get(key).RateKey!;
            if (baseSolution.Extra.ContainsKey(key) || labeled?.FirstOrDefault()?.Extra.ContainsKey(rateKey) == true)
            {
                return key;
            }
        }

        // Scenario bundles of the viewer are the blackmail study; their "accuracy" is the blackmail rate (§c.3).
        return OutcomeRegistry.ContainsBlackmail;
    }

    private static string? RateKey(string outcome, List<LabeledChunk>? labeled)
    {
        var first = labeled?.FirstOrDefault();
        if (first is null)
        {
            return OutcomeRegistry.Get(outcome).RateKey;
        }

        var registered = OutcomeRegistry.Get(outcome).RateKey;
        if (registered is not null && first.Extra.ContainsKey(registered))
        {
            return registered;
        }

        return first.Extra.ContainsKey("accuracy") ? "accuracy" : registered;
    }

    /// <summary>The reference rate rules (§a.6, §b.6): undetermined records are left out of the rate.</summary>
    private static bool? Determined(string outcome, SolutionRecord record, JsonElement value)
    {
        if (record.Error is not null || value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return null;
        }

        var evidence = outcome == OutcomeRegistry.IsCorrect ? record.Answer : record.Rollout;
        return string.IsNullOrEmpty(evidence) ? null : value.GetBoolean();
    }

    private static string? LabelValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.Undefined or JsonValueKind.Null => null,
        _ => SourceJson.Compact(value),
    };

    private static List<ImportedLabel> BaseLabels(string outcome, BaseSolutionFile baseSolution)
    {
        var labels = new List<ImportedLabel>();
        if (baseSolution.Extra.TryGetValue(outcome, out var value))
        {
            bool? positive = baseSolution.Error is null && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;
            labels.Add(new ImportedLabel(outcome, LabelValue(value), positive));
        }
        else if (baseSolution.Error is not null)
        {
            labels.Add(new ImportedLabel(outcome, null, null));
        }

        if (baseSolution.Extra.TryGetValue(OutcomeRegistry.MulticlassResistance, out var level))
        {
            labels.Add(new ImportedLabel(OutcomeRegistry.MulticlassResistance, LabelValue(level), null));
        }

        return labels;
    }

    // ---- sentences ---------------------------------------------------------------------------

    private List<ImportedSentence> BuildSentences(List<string>? texts, List<string>? separators, List<LabeledChunk>? labeled, out string reasoning)
    {
        // Viewer bundles have no chunks.json: the labelled chunks are the sentences, indexed by chunk_idx.
        var pieces = texts is not null
            ? texts.Select((text, i) => (Index: i, Text: text)).ToList()
            : labeled!.OrderBy(c => c.ChunkIdx).Select(c => (Index: c.ChunkIdx!.Value, Text: c.Chunk!)).ToList();
        var byIndex = labeled?.ToDictionary(c => c.ChunkIdx!.Value) ?? [];
        if (texts is not null)
        {
            foreach (var chunk in labeled ?? [])
            {
                if (chunk.ChunkIdx >= texts.Count)
                {
                    throw new ImportException(FileRelative(LabeledFile), $"[{labeled!.IndexOf(chunk)}].chunk_idx", null,
                        $"chunk_idx {chunk.ChunkIdx} is beyond the {texts.Count} chunks of chunks.json");
                }
            }
        }

        var positions = labeled?.Select(c => c.ChunkIdx!.Value).ToList() ?? [];
        var hasGaps = positions.Where((index, position) => index != position).Any();

        var builder = new StringBuilder();
        var sentences = new List<ImportedSentence>(pieces.Count);
        for (var p = 0; p < pieces.Count; p++)
        {
            var (index, text) = pieces[p];
            var separator = separators?[index] ?? (p == pieces.Count - 1 ? "" : " ");
            var start = builder.Length;
            builder.Append(text).Append(separator);
            byIndex.TryGetValue(index, out var chunk);
            sentences.Add(new ImportedSentence(
                index,
                text,
                separator,
                start,
                start + text.Length,
                chunk?.FunctionTags is { Count: > 0 } tags ? tags : null,
                chunk is null ? null : DependsOn(chunk, positions, hasGaps, out _),
                chunk?.Summary,
                chunk is null ? null : SentenceMetadata(chunk, text, positions, hasGaps)));
        }

        reasoning = builder.ToString();
        return sentences;
    }

    /// <summary>Dependencies as comma-separated chunk indices; with gaps the file's numbers are positions (§a.5).</summary>
    private static string? DependsOn(LabeledChunk chunk, List<int> positions, bool hasGaps, out bool unparsed)
    {
        unparsed = false;
        if (chunk.DependsOn is not { Count: > 0 } list)
        {
            return null;
        }

        var numbers = new List<int>();
        foreach (var element in list)
        {
            int? number = element.ValueKind switch
            {
                JsonValueKind.Number when element.TryGetInt32(out var n) => n,
                JsonValueKind.String when int.TryParse(element.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
                _ => null,
            };
            if (number is not { } value)
            {
                unparsed = true;
                continue;
            }

            numbers.Add(hasGaps && value >= 0 && value < positions.Count ? positions[value] : value);
        }

        return numbers.Count == 0 ? null : string.Join(',', numbers.Select(n => n.ToString(CultureInfo.InvariantCulture)));
    }

    private static string? SentenceMetadata(LabeledChunk chunk, string text, List<int> positions, bool hasGaps)
    {
        var kept = chunk.Extra.Where(e => SourceJson.AsNumber(e.Value) is null).ToList();
        DependsOn(chunk, positions, hasGaps, out var unparsed);
        if (unparsed || hasGaps)
        {
            kept.Add(new("depends_on", JsonSerializer.SerializeToElement(chunk.DependsOn)));
        }

        if (chunk.Chunk != text)
        {
            kept.Add(new("chunk", SourceJson.ToElement(chunk.Chunk!)));
        }

        return SourceJson.CompactObject(kept);
    }

    // ---- resamples ---------------------------------------------------------------------------

    private List<ImportedResample> ReadAlternatives()
    {
        const string name = "chunks_resampled.json";
        var alternatives = ReadOptional<Dictionary<string, List<string?>?>>(name);
        if (alternatives is null)
        {
            return [];
        }

        var positions = new List<(int Position, List<string?> Strings)>();
        var keys = new Dictionary<int, string>();
        ImportException Error(string field, string detail) => new(FileRelative(name), field, null, detail);
        foreach (var (key, strings) in alternatives)
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            {
                throw Error(key, "wrong type: keys must be chunk indices");
            }

            ImportChecks.Index(position, _limits.MaxSentences, nameof(ImportOptions.MaxSentences), key, Error);
            if (!keys.TryAdd(position, key))
            {
                throw Error(key, $"duplicate resample key: \"{key}\" and \"{keys[position]}\" are both chunk {position}");
            }

            positions.Add((position, strings ?? []));
        }

        // The file's keys are in lexicographic order ("0", "1", "10"...).
        return [.. positions.OrderBy(p => p.Position).SelectMany(p => p.Strings.Select((text, i) => new ImportedResample
        {
            Position = p.Position,
            SampleIndex = i,
            FirstSentence = text,
        }))];
    }

    private sealed record SolutionsRead(List<ImportedResample> Resamples, Dictionary<int, (int Successes, int Count)> Rates);

    private SolutionsRead ReadSolutions(IReadOnlyList<(int Index, string Path)> folders, string outcome, bool keepRows)
    {
        var resamples = new List<ImportedResample>();
        var rates = new Dictionary<int, (int, int)>();
        foreach (var (position, folder) in folders)
        {
            var path = Path.Combine(folder, SolutionsFile);
            var records = ReadOptionalAt<List<SolutionRecord?>>(path) ?? [];
            int successes = 0, count = 0;
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i] ?? throw new ImportException(TraceDiscovery.Relative(_root, path), $"[{i}]", null, "wrong type: expected an object, found null");
                record.Extra.TryGetValue(outcome, out var value);
                var positive = Determined(outcome, record, value);
                if (positive is { } p)
                {
                    count++;
                    successes += p ? 1 : 0;
                }

                if (keepRows)
                {
                    resamples.Add(ToResample(position, i, record, outcome, value, positive));
                }
            }

            rates[position] = (successes, count);
        }

        return new SolutionsRead(resamples, rates);
    }

    private static ImportedResample ToResample(int position, int sample, SolutionRecord record, string outcome, JsonElement value, bool? positive)
    {
        var labels = new List<ImportedLabel> { new(outcome, LabelValue(value), positive) };
        if (record.Extra.TryGetValue(OutcomeRegistry.MulticlassResistance, out var level))
        {
            labels.Add(new ImportedLabel(OutcomeRegistry.MulticlassResistance, LabelValue(level), null));
        }

        return new ImportedResample
        {
            Position = position,
            SampleIndex = sample,
            FirstSentence = record.ChunkResampled,
            Continuation = record.Rollout,
            Answer = record.Answer,
            Error = record.Error,
            Metadata = SourceJson.CompactObject(record.Extra.Where(e => e.Key != outcome && e.Key != OutcomeRegistry.MulticlassResistance)),
            Labels = labels,
        };
    }

    // ---- metrics -----------------------------------------------------------------------------

    private ImportedMetricSet? BuildMetricSet(string outcome, string? rateKey, bool isMath, List<LabeledChunk>? labeled, List<ImportedResample> resamples)
    {
        var values = new List<ImportedMetric>();
        Dictionary<int, (int Successes, int Count)>? counted = null;
        if (IsTree)
        {
            // Counts per position: the records with a determined outcome (the rate's denominator).
            counted = resamples.GroupBy(r => r.Position).ToDictionary(
                g => g.Key,
                g => (g.Count(r => r.Labels[0].IsPositive == true), g.Count(r => r.Labels[0].IsPositive is not null)));
        }
        else
        {
            counted = resamples.GroupBy(r => r.Position).ToDictionary(g => g.Key, g => (0, g.Count()));
        }

        if (labeled is not null)
        {
            foreach (var chunk in labeled)
            {
                var index = chunk.ChunkIdx!.Value;
                foreach (var (key, element) in chunk.Extra)
                {
                    if (SourceJson.AsNumber(element) is not { } raw)
                    {
                        continue;
                    }

                    if (!double.IsFinite(raw))
                    {
                        _undefined++;
                        continue;
                    }

                    var (name, negated) = ImportedMetrics.Canonical(key, rateKey);
                    if (ImportedMetrics.IsFraction(name) && raw is < 0 or > 1)
                    {
                        throw new ImportException(FileRelative(LabeledFile), $"[{labeled.IndexOf(chunk)}].{key}", null, $"{ImportChecks.Show(raw)} is outside [0, 1]; it is a rate");
                    }

                    var value = negated ? ImportedMetrics.Negate(raw) : ImportedMetrics.WithoutNegativeZero(raw);
                    values.Add(name == MetricNames.PrefixRate
                        ? ImportedMetrics.Rate(index, name, key, value, counted.TryGetValue(index, out var c) ? c.Count : null)
                        : new ImportedMetric(index, name, key, negated, value, null, null, null, null));
                }
            }
        }
        else if (IsTree)
        {
            foreach (var (position, (successes, count)) in counted.Where(c => c.Value.Count > 0))
            {
                values.Add(ImportedMetrics.CountedRate(position, MetricNames.PrefixRate, successes, count));
            }
        }

        if (_item.Forced is { } forced)
        {
            foreach (var (position, (successes, count)) in ReadSolutions(forced.ChunkFolders, outcome, keepRows: false).Rates.Where(r => r.Value.Count > 0))
            {
                values.Add(ImportedMetrics.CountedRate(position, ImportedMetrics.ForcedRate, successes, count));
            }
        }

        if (values.Count == 0)
        {
            return null;
        }

        var hasDissimilar = values.Any(v => v.Name == MetricNames.DissimilarFraction);
        var parameters = new Dictionary<string, object?> { ["rateKey"] = rateKey };
        if (labeled is null)
        {
            parameters["rule"] = "prefix_rate counted from records with a determined outcome";
        }

        if (_item.Forced is not null)
        {
            parameters["forcedTree"] = _item.Forced.RelativePath;
        }

        return new ImportedMetricSet
        {
            Outcome = outcome,
            SourceFile = labeled is not null ? LabeledFile : SolutionsFile,
            // The MATH reference used cosine < 0.8 with all-MiniLM-L6-v2 (§a.5); other studies do not say.
            Threshold = isMath && hasDissimilar ? 0.8 : null,
            EmbeddingModel = isMath && hasDissimilar ? "all-MiniLM-L6-v2" : null,
            Alpha = labeled is not null ? 1e-9 : null,
            Parameters = JsonSerializer.Serialize(parameters),
            ResampleCount = resamples.Count,
            Values = [.. values.DistinctBy(v => (v.SentenceIndex, v.Name)).OrderBy(v => v.SentenceIndex).ThenBy(v => v.Name, StringComparer.Ordinal)],
        };
    }

    // ---- links -------------------------------------------------------------------------------

    private List<ImportedLink> ReadLinks(string name, string kind, List<LabeledChunk>? labeled)
    {
        var (steps, rows) = ReadOptionalAt<List<StepImportance?>, StepImportanceRows>(Path.Combine(_item.FullPath, name), StepImportanceRows.TryRead);
        if (steps is null && rows is null)
        {
            return [];
        }

        // Indices are positions in the chunks_labeled list, not chunk_idx (§c.5).
        var positions = labeled?.Select(c => c.ChunkIdx!.Value).ToList();
        var count = positions?.Count ?? int.MaxValue;
        int Map(int position) => positions is null ? position : positions[position];
        var file = FileRelative(name);
        var links = new Dictionary<(int, int), ImportedLink>(rows?.Targets.Count ?? 0);
        var mismatches = 0;
        void Source(int i, int source, string? text)
        {
            if (source < 0 || source >= count)
            {
                throw new ImportException(file, $"[{i}].source_chunk_idx", null, $"position {source} is outside the {count} labelled chunks");
            }

            if (labeled is not null && text is not null && text != labeled[source].Chunk)
            {
                mismatches++;
            }
        }

        void Link(int source, int to, double score)
        {
            if (double.IsFinite(score))
            {
                links[(Map(source), Map(to))] = new ImportedLink(kind, Map(source), Map(to), ImportedMetrics.WithoutNegativeZero(score));
            }
            else
            {
                _undefined++;
            }
        }

        if (rows is not null)
        {
            // Read by the streaming reader: every step and target is an object with its numbers; the same checks in the
            // same order as below, with the same messages.
            for (var i = 0; i < rows.Steps.Count; i++)
            {
                var step = rows.Steps[i];
                Source(i, step.Source, step.SourceText);
                for (var j = 0; j < step.TargetCount; j++)
                {
                    var target = rows.Targets[step.FirstTarget + j];
                    if (target.Index < 0 || target.Index >= count)
                    {
                        throw new ImportException(file, $"[{i}].target_impacts[{j}].target_chunk_idx", null, $"position {target.Index} is outside the {count} labelled chunks");
                    }

                    Link(step.Source, target.Index, target.Score);
                }
            }
        }
        else
        {
            for (var i = 0; i < steps!.Count; i++)
            {
                var step = steps[i] ?? throw new ImportException(file, $"[{i}]", null, "wrong type: expected an object, found null");
                if (step.SourceChunkIdx is not { } source)
                {
                    throw new ImportException(file, $"[{i}].source_chunk_idx", null, "missing required field");
                }

                Source(i, source, step.SourceChunkText);
                var targets = step.TargetImpacts ?? [];
                for (var j = 0; j < targets.Count; j++)
                {
                    // The field's name is built only for an error: a study has hundreds of thousands of targets.
                    string Field() => $"[{i}].target_impacts[{j}]";
                    var target = targets[j] ?? throw new ImportException(file, Field(), null, "wrong type: expected an object, found null");
                    if (target.TargetChunkIdx is not { } to || to < 0 || to >= count)
                    {
                        throw new ImportException(file, Field() + ".target_chunk_idx", null, target.TargetChunkIdx is null ? "missing required field" : $"position {target.TargetChunkIdx} is outside the {count} labelled chunks");
                    }

                    if (target.ImportanceScore is not { } score)
                    {
                        throw new ImportException(file, Field() + ".importance_score", null, "missing required field");
                    }

                    Link(source, to, score);
                }
            }
        }

        if (mismatches > 0)
        {
            _warnings.Add($"{file}: {mismatches} source_chunk_text values differ from the labelled chunk at that position");
        }

        // By source, then target: the order the content hash puts them in.
        var keys = links.Keys.ToArray();
        Array.Sort(keys);
        return [.. Array.ConvertAll(keys, k => links[k])];
    }

    // ---- trace fields ------------------------------------------------------------------------

    private string Title(JsonElement? itemJson)
    {
        if (StringProperty(itemJson, "nickname") is { Length: > 0 } nickname)
        {
            return nickname;
        }

        return StringProperty(itemJson, "urgency_type") is { Length: > 0 } urgency ? $"{_item.Name} ({urgency})" : _item.Name;
    }

    private static string? StringProperty(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>The write-up after the reasoning, when the response closes its thinking.</summary>
    private static string? FinalOutput(string? solution)
    {
        var end = solution?.LastIndexOf("</think>", StringComparison.Ordinal) ?? -1;
        return end < 0 ? null : solution![(end + "</think>".Length)..].Trim();
    }

    private string? TraceMetadata(JsonElement? itemJson, BaseSolutionFile baseSolution, JsonElement? summary, ChunksFile? chunks, string? rateKey)
    {
        var properties = new List<KeyValuePair<string, JsonElement>>();
        if (itemJson is { } item)
        {
            properties.Add(new(File.Exists(Path.Combine(_item.FullPath, "problem.json")) ? "problem" : "scenario", item));
        }

        var baseExtra = new Dictionary<string, JsonElement>(baseSolution.Extra);
        if (baseSolution.Error is not null)
        {
            baseExtra["error"] = SourceJson.ToElement(baseSolution.Error);
        }

        if (baseExtra.Count > 0)
        {
            properties.Add(new("base_solution", JsonSerializer.SerializeToElement(baseExtra)));
        }

        if (chunks is { Extra.Count: > 0 })
        {
            properties.Add(new("chunks", JsonSerializer.SerializeToElement(chunks.Extra)));
        }

        if (_item.Format == ImportFormats.ScenarioTree && chunks?.Separators is null)
        {
            properties.Add(new("separatorsMissing", SourceJson.ToElement(true)));
        }

        if (rateKey is not null)
        {
            properties.Add(new("rateKey", SourceJson.ToElement(rateKey)));
        }

        if (summary is { } s)
        {
            properties.Add(new("summary", s));
        }

        return SourceJson.CompactObject(properties);
    }
}
