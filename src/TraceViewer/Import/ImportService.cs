using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Import;

/// <summary>
/// Imports a file or folder: parses everything first, then writes it in one transaction, so a failure
/// anywhere leaves the database as it was. Unchanged traces (same content hash) are skipped.
/// </summary>
internal sealed partial class ImportService(
    TraceViewerDbContext db, TimeProvider time, IOptions<ImportOptions> options, ILogger<ImportService> logger, IEnumerable<ITracesWritten> followers)
{
    /// <param name="namesAboveRoot">Whether folder names above the root may name the model and solution type.</param>
    /// <param name="rootName">How errors name the root itself; an upload's temporary folder is "the upload".</param>
    /// <exception cref="ImportException">A source is malformed or breaks a limit; nothing was written.</exception>
    /// <exception cref="DatabaseWriteException">The database refused the writes (e.g. a full disk); nothing was written.</exception>
    public async Task<ImportSummary> ImportAsync(string path, bool namesAboveRoot, IProgress<ImportProgress>? progress, CancellationToken ct, string? rootName = null)
    {
        var started = time.GetTimestamp();
        ImportBatch batch;
        try
        {
            batch = ImportReader.ReadAll(path, namesAboveRoot, options.Value, progress, ct, rootName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImportException(rootName ?? path, null, null, "could not be read: " + e.Message, e);
        }

        var summary = await WriteAsync(batch, progress, ct);
        summary = summary with { Elapsed = time.GetElapsedTime(started) };
        LogImported(path, summary.TracesAdded, summary.TracesUpdated, summary.TracesUnchanged, summary.Elapsed.TotalMilliseconds);
        foreach (var warning in summary.Warnings)
        {
            LogWarning(warning);
        }

        return summary;
    }

    public async Task<ImportSummary> WriteAsync(ImportBatch batch, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        IDbContextTransaction? transaction = null;
        try
        {
            transaction = await db.Database.BeginTransactionAsync(ct);
            var warnings = new List<string>(batch.Warnings);
            var writtenTraces = new List<int>();
            var (traces, moves) = await PlaceUnnamedItemsAsync(batch.Traces, warnings, ct);
            batch = batch with { Traces = traces };
            var outcomes = await OutcomesAsync(batch, ct);
            var datasets = await DatasetsAsync(batch, outcomes, now, ct);
            await TagImportWriter.EnsureTaxonomiesAsync(db, batch.Taxonomies, ct);
            var functionTags = await TagStore.EnsureTagsAsync(db, BuiltInTaxonomies.Functions,
                batch.Traces.SelectMany(t => t.Sentences.SelectMany(s => TagStore.SplitFunctionTags(s.FunctionTags))), ct);
            var datasetIds = datasets.Values.Select(d => d.Id).ToList();
            var existing = await db.Set<Trace>().AsNoTracking()
                .Where(t => datasetIds.Contains(t.DatasetId))
                .Select(t => new { t.Id, t.DatasetId, t.ExternalKey, t.ContentHash })
                .ToDictionaryAsync(t => (t.DatasetId, t.ExternalKey), t => new StoredTrace(t.Id, t.DatasetId, t.ContentHash), ct);

            int added = 0, updated = 0, unchanged = 0, sentences = 0, resamples = 0, written = 0;
            var rows = new List<ImportedTraceRow>();
            var tagged = new List<(int TraceId, ImportedTrace Trace)>();
            foreach (var source in batch.Traces)
            {
                // Rows go in canonical order, so the same data always gives the same tables, whatever the source's order.
                var imported = ContentHash.Canonical(source);
                var dataset = datasets[imported.Dataset.Key];
                var hash = ContentHash.ComputeCanonical(imported);
                if (!existing.TryGetValue((dataset.Id, imported.ExternalKey), out var previous))
                {
                    // The same item stored before without its model's name moves here, keeping its id.
                    moves.TryGetValue((imported.Dataset.Key, imported.ExternalKey), out previous);
                }

                ImportChange change;
                if (previous?.ContentHash == hash && previous.DatasetId == dataset.Id)
                {
                    unchanged++;
                    change = ImportChange.Unchanged;
                }
                else
                {
                    TagPreservation? kept = null;
                    if (previous is not null)
                    {
                        kept = await TagPreservation.CaptureAsync(db, previous.Id, TagStore.ImportAnnotator(dataset.SourceFormat), ct);
                        await DeleteRowsAsync(previous.Id, ct);
                        updated++;
                        change = ImportChange.Updated;
                    }
                    else
                    {
                        added++;
                        change = ImportChange.Added;
                    }

                    var id = await WriteTraceAsync(imported, dataset, previous?.Id, hash, outcomes, functionTags, now, ct);
                    writtenTraces.Add(id);
                    if (kept is not null && await kept.RestoreAsync(db, id, ct) is > 0 and var dropped)
                    {
                        warnings.Add($"{imported.SourcePath ?? imported.ExternalKey}: {dropped} tag(s) given to sentences whose text changed were dropped");
                    }

                    previous = new StoredTrace(id, dataset.Id, hash);
                    sentences += imported.Sentences.Count;
                    resamples += imported.Resamples.Count;
                }

                rows.Add(new ImportedTraceRow(previous.Id, imported.Title, dataset.Id, change, imported.SourcePath));
                if (source.SentenceTags.Count > 0)
                {
                    tagged.Add((previous.Id, source));
                }

                progress?.Report(new ImportProgress(batch.FileCount, batch.FileCount, ++written, batch.Traces.Count));
            }

            await WriteSentenceTagsAsync(tagged, now, ct);
            foreach (var follower in followers)
            {
                await follower.TracesWrittenAsync(db, writtenTraces, ct);
            }

            // Datasets of unnamed items left empty by a move go too.
            var left = moves.Values.Select(m => m.DatasetId).Distinct().ToList();
            if (left.Count > 0)
            {
                await db.Set<Dataset>().Where(d => left.Contains(d.Id) && !db.Set<Trace>().Any(t => t.DatasetId == d.Id)).ExecuteDeleteAsync(ct);
            }

            await transaction.CommitAsync(ct);
            var datasetRows = batch.Traces.Select(t => datasets[t.Dataset.Key]).DistinctBy(d => d.Id).Select(d => new ImportedDatasetRow(d.Id, d.Key, d.Name)).ToList();
            return new ImportSummary(datasets.Count, added, updated, unchanged, sentences, resamples, TimeSpan.Zero, warnings)
            {
                DatasetRows = datasetRows,
                TraceRows = rows,
            };
        }
        catch (Exception e) when (DatabaseWriteException.Describe(e) is { } reason)
        {
            // The reason only: on the command line logs share stderr with the error line, which must not carry a stack trace.
            LogWriteFailed(reason);
            throw new DatabaseWriteException(reason, e);
        }
        finally
        {
            await RollBackQuietlyAsync(transaction);
            db.ChangeTracker.Clear();
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    /// <summary>
    /// Ends a transaction that did not commit. After a full disk SQLite may already have rolled it back itself, and a
    /// second rollback fails; that failure must not replace the error that says what happened.
    /// </summary>
    private static async Task RollBackQuietlyAsync(IDbContextTransaction? transaction)
    {
        if (transaction is null)
        {
            return;
        }

        try
        {
            await transaction.DisposeAsync();
        }
        catch (Exception e) when (DatabaseWriteException.Describe(e) is not null || e is InvalidOperationException)
        {
            // The transaction is gone either way; nothing of it was committed.
        }
    }

    private async Task<Dictionary<string, int>> OutcomesAsync(ImportBatch batch, CancellationToken ct)
    {
        var keys = batch.Traces
            .SelectMany(t => t.Labels.Select(l => l.Outcome)
                .Concat(t.MetricSets.Select(m => m.Outcome))
                .Concat(t.Resamples.SelectMany(r => r.Labels.Select(l => l.Outcome)))
                .Append(t.Dataset.PrimaryOutcome))
            .Concat(batch.Outcomes.Select(o => o.Key))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        var known = await db.Set<Outcome>().AsNoTracking().Where(o => keys.Contains(o.Key)).ToDictionaryAsync(o => o.Key, o => o.Id, ct);
        var added = new List<Outcome>();
        // Declared outcomes (native files) first, in their order, so an export re-imported keeps the same ids.
        var order = batch.Outcomes.Select(o => o.Key).Concat(keys.Order(StringComparer.Ordinal)).Distinct();
        foreach (var key in order.Where(k => keys.Contains(k) && !known.ContainsKey(k)))
        {
            // A native file carries its own outcome definitions; otherwise the registry knows the name and kind.
            var definition = batch.Outcomes.FirstOrDefault(o => o.Key == key) is { } own
                ? new OutcomeRegistry.Definition(own.Key, own.Name, own.Kind, own.RateKey)
                : OutcomeRegistry.Get(key);
            added.Add(new Outcome { Key = definition.Key, Name = definition.Name, Kind = definition.Kind, RateKey = definition.RateKey });
        }

        if (added.Count > 0)
        {
            db.AddRange(added);
            await db.SaveChangesAsync(ct);
            foreach (var outcome in added)
            {
                known[outcome.Key] = outcome.Id;
            }
        }

        return known;
    }

    private async Task<Dictionary<string, Dataset>> DatasetsAsync(ImportBatch batch, Dictionary<string, int> outcomes, DateTimeOffset now, CancellationToken ct)
    {
        var imported = batch.Traces.Select(t => t.Dataset).DistinctBy(d => d.Key).ToList();
        var keys = imported.Select(d => d.Key).ToList();
        var datasets = await db.Set<Dataset>().Where(d => keys.Contains(d.Key)).ToDictionaryAsync(d => d.Key, ct);
        foreach (var source in imported)
        {
            int? primary = source.PrimaryOutcome is { } key ? outcomes[key] : null;
            if (datasets.TryGetValue(source.Key, out var dataset))
            {
                if (dataset.PrimaryOutcomeId is null && primary is not null)
                {
                    dataset.PrimaryOutcomeId = primary;
                    db.Entry(dataset).Property(d => d.PrimaryOutcomeId).IsModified = true;
                }

                continue;
            }

            dataset = new Dataset
            {
                Key = source.Key,
                Name = source.Name,
                Model = source.Model,
                Kind = source.Kind,
                SourceFormat = source.SourceFormat,
                Description = source.Description,
                PrimaryOutcomeId = primary,
                Metadata = source.Metadata,
                CreatedAt = now,
            };
            db.Add(dataset);
            datasets[source.Key] = dataset;
        }

        await db.SaveChangesAsync(ct);
        return datasets;
    }

    /// <summary>Removes everything a changed trace owns; the trace row itself is kept so its id stays valid.</summary>
    private async Task DeleteRowsAsync(int traceId, CancellationToken ct)
    {
        await db.Set<Sentence>().Where(s => s.TraceId == traceId).ExecuteDeleteAsync(ct);
        await db.Set<Resample>().Where(r => r.TraceId == traceId).ExecuteDeleteAsync(ct);
        await db.Set<MetricSet>().Where(m => m.TraceId == traceId).ExecuteDeleteAsync(ct);
        await db.Set<TraceLabel>().Where(l => l.TraceId == traceId).ExecuteDeleteAsync(ct);
        await db.Set<SentenceLink>().Where(l => l.TraceId == traceId).ExecuteDeleteAsync(ct);
    }

    /// <returns>The trace's id.</returns>
    private async Task<int> WriteTraceAsync(
        ImportedTrace source, Dataset dataset, int? existingId, string hash, Dictionary<string, int> outcomes, Dictionary<string, int> functionTags, DateTimeOffset now, CancellationToken ct)
    {
        var trace = new Trace
        {
            DatasetId = dataset.Id,
            ExternalKey = source.ExternalKey,
            Title = source.Title,
            Prompt = source.Prompt,
            SystemPrompt = source.SystemPrompt,
            UserPrompt = source.UserPrompt,
            Response = source.Response,
            Reasoning = source.Reasoning,
            FinalOutput = source.FinalOutput,
            Tier = source.Tier,
            PromptVariant = source.PromptVariant,
            Model = source.Model,
            Temperature = source.Temperature,
            TopP = source.TopP,
            SourcePath = source.SourcePath,
            SourceFormat = source.SourceFormat,
            ContentHash = hash,
            HasLabelledResamples = source.HasLabelledResamples,
            MaxImportance = source.MaxImportance,
            SentenceCount = source.Sentences.Count,
            ResampleCount = source.Resamples.Count,
            Metadata = source.Metadata,
            ImportedAt = now,
        };
        if (existingId is { } id)
        {
            trace.Id = id;
            db.Update(trace);
        }
        else
        {
            db.Add(trace);
        }

        // The trace row through EF; the many rows it owns through BulkCopy (many-row statements on SQLite, COPY on PostgreSQL).
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();

        var sentences = source.Sentences.Select(s => new Sentence
        {
            TraceId = trace.Id,
            Index = s.Index,
            Text = s.Text,
            Separator = s.Separator,
            Start = s.Start,
            End = s.End,
            DependsOn = s.DependsOn,
            Summary = s.Summary,
            Metadata = s.Metadata,
        }).ToList();
        await BulkCopy.WriteAsync(db, sentences, ct);
        // The source's function tags, in order, as tags of the built-in taxonomy by the dataset's source.
        var annotator = TagStore.ImportAnnotator(dataset.SourceFormat);
        await BulkCopy.WriteAsync(db, [.. source.Sentences.Zip(sentences).SelectMany(pair => TagStore.SplitFunctionTags(pair.First.FunctionTags).Select(tag => new SentenceTag
        {
            SentenceId = pair.Second.Id,
            TagId = functionTags[tag],
            AnnotatorKind = AnnotatorKind.Import,
            Annotator = annotator,
            CreatedAt = now,
            UpdatedAt = now,
        }))], ct);
        await BulkCopy.WriteAsync(db, [.. source.Labels.Select(l => new TraceLabel { TraceId = trace.Id, OutcomeId = outcomes[l.Outcome], Value = l.Value, IsPositive = l.IsPositive })], ct);

        var resamples = source.Resamples.Select(r => new Resample
        {
            TraceId = trace.Id,
            Position = r.Position,
            SampleIndex = r.SampleIndex,
            FirstSentence = r.FirstSentence,
            Continuation = r.Continuation,
            FinalOutput = r.FinalOutput,
            Answer = r.Answer,
            Error = r.Error,
            Origin = r.Origin,
            PromptTokens = r.PromptTokens,
            CompletionTokens = r.CompletionTokens,
            Metadata = r.Metadata,
            CreatedAt = r.CreatedAt ?? now,
            Labels = [.. r.Labels.Select(l => new ResampleLabel { OutcomeId = outcomes[l.Outcome], Value = l.Value, IsPositive = l.IsPositive })],
        }).ToList();
        await BulkCopy.WriteAsync(db, resamples, ct);
        await BulkCopy.WriteAsync(db, [.. resamples.SelectMany(r => r.Labels.Select(l => { l.ResampleId = r.Id; return l; }))], ct);

        var metricSets = source.MetricSets.Select(m => new MetricSet
        {
            TraceId = trace.Id,
            OutcomeId = outcomes[m.Outcome],
            Source = m.Source,
            SourceFile = m.SourceFile,
            Threshold = m.Threshold,
            EmbeddingModel = m.EmbeddingModel,
            Alpha = m.Alpha,
            Parameters = m.Parameters,
            ResampleCount = m.ResampleCount,
            ResampleSetHash = m.ResampleSetHash,
            ImportedResamples = m.ImportedResamples,
            GeneratedResamples = m.GeneratedResamples,
            ComputedAt = m.ComputedAt ?? now,
            Values = [.. m.Values.Select(v => new SentenceMetric
            {
                SentenceIndex = v.SentenceIndex,
                Name = v.Name,
                SourceKey = v.SourceKey,
                Negated = v.Negated,
                Value = v.Value,
                Count = v.Count,
                Successes = v.Successes,
                Low = v.Low,
                High = v.High,
            })],
        }).ToList();
        await BulkCopy.WriteAsync(db, metricSets, ct);
        await BulkCopy.WriteAsync(db, [.. metricSets.SelectMany(m => m.Values.Select(v => { v.MetricSetId = m.Id; return v; }))], ct);
        await BulkCopy.WriteAsync(db, [.. source.Links.Select(l => new SentenceLink { TraceId = trace.Id, Kind = l.Kind, SourceIndex = l.SourceIndex, TargetIndex = l.TargetIndex, Score = l.Score })], ct);
        return trace.Id;
    }

    /// <summary>The tags a native file carries beside its traces (people's, models', other imports'), matched to the stored sentences.</summary>
    private async Task WriteSentenceTagsAsync(List<(int TraceId, ImportedTrace Trace)> tagged, DateTimeOffset now, CancellationToken ct)
    {
        if (tagged.Count == 0)
        {
            return;
        }

        var traceIds = tagged.ConvertAll(t => t.TraceId);
        var sentenceIds = await db.Set<Sentence>().AsNoTracking().Where(s => traceIds.Contains(s.TraceId))
            .Select(s => new { s.Id, s.TraceId, s.Index })
            .ToDictionaryAsync(s => (s.TraceId, s.Index), s => s.Id, ct);
        var rows = tagged.SelectMany(t => t.Trace.SentenceTags.Select(tag => new TagImportWriter.Resolved(sentenceIds[(t.TraceId, tag.Sentence)], tag))).ToList();
        await TagImportWriter.WriteAsync(db, rows, now, ct);
    }

    private sealed record StoredTrace(int Id, int DatasetId, string? ContentHash);

    /// <summary>
    /// Items whose folders do not name their model (an item folder uploaded on its own) are matched by content to the
    /// same item stored before: a trace of the same format and item name whose hash equals this one's under that
    /// trace's folder names is the same trace, so the import keeps it where it is instead of adding it to a dataset
    /// without a model. The other way round, an item whose model is named and that was stored before without it is
    /// returned as a move: it goes to its named dataset, keeping its id.
    /// </summary>
    private async Task<(IReadOnlyList<ImportedTrace> Traces, Dictionary<(string DatasetKey, string ExternalKey), StoredTrace> Moves)> PlaceUnnamedItemsAsync(
        IReadOnlyList<ImportedTrace> traces, List<string> warnings, CancellationToken ct)
    {
        var moves = new Dictionary<(string, string), StoredTrace>();
        var items = traces.Where(t => ItemNames.IsFolderFormat(t.SourceFormat)).ToList();
        if (items.Count == 0)
        {
            return (traces, moves);
        }

        var keys = items.Select(t => t.ExternalKey).Distinct().ToList();
        var stored = await db.Set<Trace>().AsNoTracking()
            .Where(t => keys.Contains(t.ExternalKey))
            .Join(db.Set<Dataset>(), t => t.DatasetId, d => d.Id, (t, d) => new { t.Id, t.ExternalKey, t.SourceFormat, t.ContentHash, t.DatasetId, DatasetKey = d.Key, DatasetName = d.Name })
            .ToListAsync(ct);

        bool SameContent(ImportedTrace trace, string datasetKey, string? hash) =>
            ItemNames.FromDatasetKey(datasetKey) is { } names && ContentHash.Compute(ItemNames.Apply(trace, names.Folders)) == hash;

        var placed = new List<ImportedTrace>(traces.Count);
        foreach (var trace in traces)
        {
            var same = stored.Where(s => s.ExternalKey == trace.ExternalKey && s.SourceFormat == trace.SourceFormat && s.DatasetKey != trace.Dataset.Key).ToList();
            if (same.Count == 0 || !ItemNames.IsFolderFormat(trace.SourceFormat))
            {
                placed.Add(trace);
                continue;
            }

            var unnamed = ItemNames.IsUnnamed(trace.Dataset.Key);
            if (unnamed && same.OrderBy(s => ItemNames.IsUnnamed(s.DatasetKey)).FirstOrDefault(s => SameContent(trace, s.DatasetKey, s.ContentHash)) is { } match)
            {
                warnings.Add($"{trace.SourcePath}: no folder above it names its model; it is the same as the trace already in dataset '{match.DatasetName}' and stays there");
                placed.Add(ItemNames.Apply(trace, ItemNames.FromDatasetKey(match.DatasetKey)!.Value.Folders));
                continue;
            }

            if (!unnamed && !stored.Any(s => s.ExternalKey == trace.ExternalKey && s.DatasetKey == trace.Dataset.Key)
                && same.FirstOrDefault(s => ItemNames.IsUnnamed(s.DatasetKey) && SameContent(trace, s.DatasetKey, s.ContentHash)) is { } earlier)
            {
                warnings.Add($"{trace.SourcePath}: stored before without its model's name (dataset '{earlier.DatasetName}'); moved to dataset '{trace.Dataset.Name}'");
                moves[(trace.Dataset.Key, trace.ExternalKey)] = new StoredTrace(earlier.Id, earlier.DatasetId, earlier.ContentHash);
            }

            placed.Add(trace);
        }

        foreach (var trace in placed.Where(t => ItemNames.IsUnnamed(t.Dataset.Key)).DistinctBy(t => t.Dataset.Key))
        {
            warnings.Add($"{trace.SourcePath}: no folder above it names its model, so it is in dataset '{trace.Dataset.Name}'; "
                + "import the model's folder (the one above the solution-type folder) to name it");
        }

        return (placed, moves);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported {Path}: {Added} traces added, {Updated} updated, {Unchanged} unchanged in {Milliseconds:F0} ms")]
    private partial void LogImported(string path, int added, int updated, int unchanged, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Import: the database could not be written: {Reason}")]
    private partial void LogWriteFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import: {Warning}")]
    private partial void LogWarning(string warning);
}
