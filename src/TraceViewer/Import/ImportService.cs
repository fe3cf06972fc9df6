using System.Runtime.InteropServices;
using System.Threading.Channels;
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
/// Imports a file or folder: one task parses the sources one at a time while this one writes each as it comes, all in
/// one transaction, so a failure anywhere (a malformed file late in a folder included) leaves the database as it was,
/// and only the sources waiting between the two are in memory. Unchanged traces (same content hash) are skipped.
/// </summary>
internal sealed partial class ImportService(
    TraceViewerDbContext db, TimeProvider time, IOptions<ImportOptions> options, ILogger<ImportService> logger, IEnumerable<ITracesWritten> followers)
{
    /// <summary>How many parsed sources (item folders, files) may wait for the writer.</summary>
    private const int ReadAhead = 1;

    /// <param name="namesAboveRoot">Whether folder names above the root may name the model and solution type.</param>
    /// <param name="rootName">How errors name the root itself; an upload's temporary folder is "the upload".</param>
    /// <exception cref="ImportException">A source is malformed or breaks a limit; nothing was written.</exception>
    /// <param name="workspaceId">
    /// The workspace new datasets go to. A dataset already stored in another workspace is refused by name (nothing is
    /// written): an import does not move datasets between workspaces. Null: new datasets go to the default workspace and
    /// stored ones are written where they are.
    /// </param>
    /// <exception cref="DatabaseWriteException">The database refused the writes (e.g. a full disk); nothing was written.</exception>
    public async Task<ImportSummary> ImportAsync(
        string path, bool namesAboveRoot, IProgress<ImportProgress>? progress, CancellationToken ct, string? rootName = null, int? workspaceId = null)
    {
        var started = time.GetTimestamp();
        Discovery discovery;
        try
        {
            discovery = TraceDiscovery.Discover(path, namesAboveRoot, rootName, options.Value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImportException(rootName ?? path, null, null, "could not be read: " + e.Message, e);
        }

        var warnings = new List<string>();
        var parts = Channel.CreateBounded<ImportPart>(new BoundedChannelOptions(ReadAhead) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = Task.Run(async () =>
        {
            try
            {
                foreach (var part in ImportReader.Read(discovery, path, options.Value, warnings, progress, stop.Token))
                {
                    await parts.Writer.WriteAsync(part, stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ImportException(rootName ?? path, null, null, "could not be read: " + e.Message, e);
            }
            finally
            {
                parts.Writer.TryComplete();
            }
        }, CancellationToken.None);

        ImportSummary summary;
        try
        {
            summary = await WriteAsync(parts.Reader, reading, warnings, discovery.Items.Count, progress, ct, workspaceId);
        }
        finally
        {
            // A failed write stops the reader; a failed read has already ended it, and its error is the one thrown.
            await stop.CancelAsync();
            await reading.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        summary = summary with { Elapsed = time.GetElapsedTime(started) };
        LogImported(path, summary.TracesAdded, summary.TracesUpdated, summary.TracesUnchanged, summary.Elapsed.TotalMilliseconds);
        foreach (var warning in summary.Warnings)
        {
            LogWarning(warning);
        }

        return summary;
    }

    /// <summary>Writes traces already in memory (a collected trace), as an import of one source.</summary>
    public Task<ImportSummary> WriteAsync(ImportBatch batch, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var parts = Channel.CreateUnbounded<ImportPart>();
        parts.Writer.TryWrite(new ImportPart(batch.Outcomes, batch.Taxonomies, batch.Traces, batch.FileCount));
        parts.Writer.TryComplete();
        return WriteAsync(parts.Reader, Task.CompletedTask, [.. batch.Warnings], batch.Traces.Count, progress, ct);
    }

    /// <param name="reading">The task that fills <paramref name="parts"/>; its failure fails the import.</param>
    /// <param name="readWarnings">The reader's warnings, complete once <paramref name="reading"/> has ended.</param>
    /// <param name="knownTraces">How many traces are known to come (one per item folder); files add theirs as they arrive.</param>
    private async Task<ImportSummary> WriteAsync(
        ChannelReader<ImportPart> parts, Task reading, List<string> readWarnings, int knownTraces, IProgress<ImportProgress>? progress, CancellationToken ct,
        int? workspaceId = null)
    {
        var now = time.GetUtcNow();
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        IDbContextTransaction? transaction = null;
        try
        {
            transaction = await db.Database.BeginTransactionAsync(ct);
            var state = new WriteState { WorkspaceId = workspaceId };
            var warnings = new List<string>();
            var writtenTraces = new List<int>();
            int added = 0, updated = 0, unchanged = 0, sentences = 0, resamples = 0;
            var rows = new List<ImportedTraceRow>();
            var received = 0;
            while (await parts.WaitToReadAsync(ct) && !reading.IsFaulted)
            {
                if (!parts.TryRead(out var part))
                {
                    continue;
                }

                received += part.Traces.Count;
                var (traces, moves) = await PlaceUnnamedItemsAsync(part.Traces, state, warnings, ct);
                await OutcomesAsync(part, traces, state.Outcomes, ct);
                var datasets = await DatasetsAsync(traces, state, now, ct);
                await TagImportWriter.EnsureTaxonomiesAsync(db, part.Taxonomies, ct);
                var tagNames = traces.SelectMany(t => t.Sentences.SelectMany(s => TagStore.DistinctFunctionTags(s.FunctionTags)))
                    .Where(n => !state.FunctionTags.ContainsKey(n)).ToList();
                if (tagNames.Count > 0 || !state.FunctionTaxonomyEnsured)
                {
                    foreach (var (name, id) in await TagStore.EnsureTagsAsync(db, BuiltInTaxonomies.Functions, tagNames, ct))
                    {
                        state.FunctionTags[name] = id;
                    }

                    state.FunctionTaxonomyEnsured = true;
                }

                var existing = await ExistingTracesAsync(datasets, state, ct);
                var tagged = new List<(int TraceId, ImportedTrace Trace)>();
                for (var i = 0; i < traces.Count; i++)
                {
                    var source = traces[i];
                    // Rows go in canonical order, so the same data always gives the same tables, whatever the source's order.
                    // The reader put each trace in order and hashed it already; a trace placed in another dataset here is hashed again.
                    var (imported, hash) = ReferenceEquals(source, part.Traces[i]) && part.Hashes is { } hashes
                        ? (source, hashes[i])
                        : ContentHash.Prepare(source);
                    var dataset = state.Datasets[imported.Dataset.Key];
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

                        var id = await WriteTraceAsync(imported, dataset, previous?.Id, hash, state.Outcomes, state.FunctionTags, now, ct);
                        writtenTraces.Add(id);
                        if (kept is not null && await kept.RestoreAsync(db, id, ct) is > 0 and var dropped)
                        {
                            warnings.Add($"{imported.SourcePath ?? imported.ExternalKey}: {dropped} tag(s) given to sentences whose text changed were dropped");
                        }

                        previous = new StoredTrace(id, dataset.Id, hash);
                        sentences += imported.Sentences.Count;
                        resamples += imported.Resamples.Count;
                    }

                    state.Written.Add(previous.Id);
                    rows.Add(new ImportedTraceRow(previous.Id, imported.Title, dataset.Id, change, imported.SourcePath));
                    if (source.SentenceTags.Count > 0)
                    {
                        tagged.Add((previous.Id, source));
                    }

                    // Files parsed are the reader's to report; this reports traces written, of those known to come.
                    progress?.Report(new ImportProgress(0, 0, rows.Count, Math.Max(knownTraces, received)));
                }

                await WriteSentenceTagsAsync(tagged, now, ct);
            }

            // The reader's error (a malformed file) is the import's; everything written so far goes with the transaction.
            await reading;
            foreach (var follower in followers)
            {
                await follower.TracesWrittenAsync(db, writtenTraces, ct);
            }

            // Datasets of unnamed items left empty by a move go too.
            var left = state.MovedFrom.ToList();
            if (left.Count > 0)
            {
                await db.Set<Dataset>().Where(d => left.Contains(d.Id) && !db.Set<Trace>().Any(t => t.DatasetId == d.Id)).ExecuteDeleteAsync(ct);
            }

            await transaction.CommitAsync(ct);
            var datasetRows = state.DatasetOrder.Select(d => new ImportedDatasetRow(d.Id, d.Key, d.Name)).ToList();
            return new ImportSummary(state.Datasets.Count, added, updated, unchanged, sentences, resamples, TimeSpan.Zero, [.. readWarnings, .. warnings])
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

    /// <summary>What one import has met so far, so each part looks up and adds only what is new.</summary>
    private sealed class WriteState
    {
        /// <summary>The workspace the import was asked to write to; null for the default one, without a check.</summary>
        public int? WorkspaceId { get; init; }

        public Dictionary<string, int> Outcomes { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Dataset> Datasets { get; } = new(StringComparer.Ordinal);

        /// <summary>The datasets in the order their first trace came.</summary>
        public List<Dataset> DatasetOrder { get; } = [];

        public HashSet<int> DatasetsLoaded { get; } = [];

        public Dictionary<(int DatasetId, string ExternalKey), StoredTrace> Existing { get; } = [];

        public Dictionary<string, int> FunctionTags { get; } = new(StringComparer.Ordinal);

        public bool FunctionTaxonomyEnsured { get; set; }

        /// <summary>Traces this import wrote or kept: not candidates for placing an unnamed item.</summary>
        public HashSet<int> Written { get; } = [];

        /// <summary>Datasets an unnamed item moved out of.</summary>
        public HashSet<int> MovedFrom { get; } = [];

        /// <summary>Unnamed datasets already warned about.</summary>
        public HashSet<string> UnnamedWarned { get; } = new(StringComparer.Ordinal);
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

    /// <summary>Adds the outcomes a part names that are not known yet.</summary>
    private async Task OutcomesAsync(ImportPart part, IReadOnlyList<ImportedTrace> traces, Dictionary<string, int> known, CancellationToken ct)
    {
        var keys = traces
            .SelectMany(t => t.Labels.Select(l => l.Outcome)
                .Concat(t.MetricSets.Select(m => m.Outcome))
                .Concat(t.Resamples.SelectMany(r => r.Labels.Select(l => l.Outcome)))
                .Append(t.Dataset.PrimaryOutcome))
            .Concat(part.Outcomes.Select(o => o.Key))
            .OfType<string>()
            .Where(k => !known.ContainsKey(k))
            .ToHashSet(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return;
        }

        foreach (var (key, id) in await db.Set<Outcome>().AsNoTracking().Where(o => keys.Contains(o.Key)).ToDictionaryAsync(o => o.Key, o => o.Id, ct))
        {
            known[key] = id;
        }

        var added = new List<Outcome>();
        // Declared outcomes (native files) first, in their order, so an export re-imported keeps the same ids.
        var order = part.Outcomes.Select(o => o.Key).Concat(keys.Order(StringComparer.Ordinal)).Distinct();
        foreach (var key in order.Where(k => keys.Contains(k) && !known.ContainsKey(k)))
        {
            // A native file carries its own outcome definitions; otherwise the registry knows the name and kind.
            var definition = part.Outcomes.FirstOrDefault(o => o.Key == key) is { } own
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

            db.ChangeTracker.Clear();
        }
    }

    /// <summary>The datasets of a part's traces, each found or added the first time the import meets it.</summary>
    private async Task<List<Dataset>> DatasetsAsync(IReadOnlyList<ImportedTrace> traces, WriteState state, DateTimeOffset now, CancellationToken ct)
    {
        var imported = traces.Select(t => t.Dataset).DistinctBy(d => d.Key).ToList();
        var keys = imported.Select(d => d.Key).Where(k => !state.Datasets.ContainsKey(k)).ToList();
        if (keys.Count > 0)
        {
            // Past the dataset filters: a key is unique across workspaces, also those the importer does not read.
            var stored = await db.Set<Dataset>().IgnoreQueryFilters().Where(d => keys.Contains(d.Key)).ToDictionaryAsync(d => d.Key, ct);
            if (state.WorkspaceId is { } chosen && stored.Values.FirstOrDefault(d => d.WorkspaceId != chosen) is { } elsewhere)
            {
                throw await ElsewhereAsync(elsewhere, chosen, traces.First(t => t.Dataset.Key == elsewhere.Key), ct);
            }

            foreach (var source in imported.Where(d => keys.Contains(d.Key)))
            {
                int? primary = source.PrimaryOutcome is { } key ? state.Outcomes[key] : null;
                if (stored.TryGetValue(source.Key, out var dataset))
                {
                    if (dataset.PrimaryOutcomeId is null && primary is not null)
                    {
                        dataset.PrimaryOutcomeId = primary;
                        db.Entry(dataset).Property(d => d.PrimaryOutcomeId).IsModified = true;
                    }
                }
                else
                {
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
                        WorkspaceId = state.WorkspaceId ?? Workspaces.Workspace.DefaultId,
                    };
                    db.Add(dataset);
                }

                state.Datasets[source.Key] = dataset;
                state.DatasetOrder.Add(dataset);
            }

            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        return [.. imported.Select(d => state.Datasets[d.Key])];
    }

    /// <summary>
    /// The refusal of an import into <paramref name="chosen"/> of a dataset stored in another workspace, naming the dataset
    /// and its workspace; a caller who may not read that dataset is told only that its key is taken in another workspace.
    /// </summary>
    private async Task<ImportException> ElsewhereAsync(Dataset stored, int chosen, ImportedTrace trace, CancellationToken ct)
    {
        var names = await db.Set<Workspaces.Workspace>().AsNoTracking().Where(w => w.Id == stored.WorkspaceId || w.Id == chosen).ToDictionaryAsync(w => w.Id, w => w.Name, ct);
        var into = names.GetValueOrDefault(chosen, chosen.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var readable = DatasetScope.Current is not { } visible || visible.Contains(stored.Id);
        var detail = readable
            ? $"dataset \"{stored.Name}\" ({stored.Key}) is in workspace \"{names.GetValueOrDefault(stored.WorkspaceId)}\", not \"{into}\"; import it into \"{names.GetValueOrDefault(stored.WorkspaceId)}\", or have an admin move the dataset first. Nothing was imported."
            : $"dataset key {stored.Key} is taken by a dataset in another workspace, so it cannot be imported into \"{into}\". Nothing was imported.";
        return new ImportException(trace.SourcePath ?? trace.ExternalKey, null, null, detail);
    }

    /// <summary>A workspace by its name, or else by its id; null when there is none.</summary>
    public async Task<ImportWorkspace?> WorkspaceAsync(string nameOrId, CancellationToken ct)
    {
        var byName = await db.Set<Workspaces.Workspace>().AsNoTracking().Where(w => w.Name == nameOrId).Select(w => new ImportWorkspace(w.Id, w.Name)).FirstOrDefaultAsync(ct);
        if (byName is not null || !int.TryParse(nameOrId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            return byName;
        }

        return await db.Set<Workspaces.Workspace>().AsNoTracking().Where(w => w.Id == id).Select(w => new ImportWorkspace(w.Id, w.Name)).FirstOrDefaultAsync(ct);
    }

    /// <summary>The stored traces of datasets this import has not looked into yet, added to what it knows.</summary>
    private async Task<Dictionary<(int DatasetId, string ExternalKey), StoredTrace>> ExistingTracesAsync(List<Dataset> datasets, WriteState state, CancellationToken ct)
    {
        var ids = datasets.Select(d => d.Id).Where(state.DatasetsLoaded.Add).ToList();
        if (ids.Count > 0)
        {
            var stored = await db.Set<Trace>().AsNoTracking()
                .Where(t => ids.Contains(t.DatasetId))
                .Select(t => new { t.Id, t.DatasetId, t.ExternalKey, t.ContentHash })
                .ToListAsync(ct);
            foreach (var t in stored.Where(t => !state.Written.Contains(t.Id)))
            {
                state.Existing[(t.DatasetId, t.ExternalKey)] = new StoredTrace(t.Id, t.DatasetId, t.ContentHash);
            }
        }

        return state.Existing;
    }

    /// <summary>Removes everything a changed trace owns; the trace row itself is kept so its id stays valid.</summary>
    private async Task DeleteRowsAsync(int traceId, CancellationToken ct)
    {
        await db.Set<Sentence>().Where(s => s.TraceId == traceId).ExecuteDeleteAsync(ct);
        await db.Set<Resample>().Where(r => r.TraceId == traceId).ExecuteDeleteAsync(ct);
        await db.Set<MetricSet>().Where(m => m.TraceId == traceId).ExecuteDeleteAsync(ct);
        await db.Set<TraceLabel>().Where(l => l.TraceId == traceId).ExecuteDeleteAsync(ct);
        await db.Set<SentenceLinkRow>().Where(l => l.TraceId == traceId).ExecuteDeleteAsync(ct);
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
        await BulkCopy.WriteAsync(db, [.. source.Sentences.Zip(sentences).SelectMany(pair => TagStore.DistinctFunctionTags(pair.First.FunctionTags).Select(tag => new SentenceTag
        {
            SentenceId = pair.Second.Id,
            TagId = functionTags[tag],
            AnnotatorKind = AnnotatorKind.Import,
            Annotator = annotator,
            CreatedAt = now,
            UpdatedAt = now,
        }))], ct);
        await BulkCopy.WriteAsync(db, [.. source.Labels.Select(l => new TraceLabel { TraceId = trace.Id, OutcomeId = outcomes[l.Outcome], Value = l.Value, IsPositive = l.IsPositive })], ct);

        // The many rows go in slices: a slice's entities are dropped before the next is made, so a trace of tens of
        // thousands of resamples or links never has them all as entities at once (nor their lists on the large object heap).
        foreach (var slice in source.Resamples.Chunk(RowsPerSlice))
        {
            await WriteResamplesAsync(slice, trace.Id, outcomes, now, ct);
        }

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
        await BulkCopy.WriteAsync(db, LinkRows(source.Links, trace.Id), ct);

        return trace.Id;
    }

    /// <summary>
    /// The trace's links as the rows they are stored in: one per kind and source sentence, its targets packed in
    /// ascending order (<see cref="PackedLinks"/>). The checks have made every (kind, source, target) distinct.
    /// </summary>
    internal static List<SentenceLinkRow> LinkRows(IReadOnlyList<ImportedLink> links, int traceId)
    {
        var ordered = ContentHash.OrderedLinks(links);
        var rows = new List<SentenceLinkRow>();
        var cells = new List<PackedLink>();
        for (var start = 0; start < ordered.Count;)
        {
            var (kind, source) = (ordered[start].Kind, ordered[start].SourceIndex);
            cells.Clear();
            var end = start;
            for (; end < ordered.Count && ordered[end].SourceIndex == source && ordered[end].Kind == kind; end++)
            {
                cells.Add(new PackedLink(ordered[end].TargetIndex, ordered[end].Score));
            }

            rows.Add(new SentenceLinkRow { TraceId = traceId, Kind = kind, SourceIndex = source, Targets = PackedLinks.Pack(CollectionsMarshal.AsSpan(cells)) });
            start = end;
        }

        return rows;
    }

    /// <summary>Rows per slice of a trace's resamples: large enough for the bulk writers, small enough for the small object heap.</summary>
    private const int RowsPerSlice = 4096;

    private async Task WriteResamplesAsync(ImportedResample[] slice, int traceId, Dictionary<string, int> outcomes, DateTimeOffset now, CancellationToken ct)
    {
        var resamples = Array.ConvertAll(slice, r => new Resample
        {
            TraceId = traceId,
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
        });
        await BulkCopy.WriteAsync(db, resamples, ct);
        // The labels once their resamples have keys; most resamples of a study have none, so nothing is made for those.
        var labels = new List<ResampleLabel>();
        for (var i = 0; i < slice.Length; i++)
        {
            foreach (var l in slice[i].Labels)
            {
                labels.Add(new ResampleLabel { ResampleId = resamples[i].Id, OutcomeId = outcomes[l.Outcome], Value = l.Value, IsPositive = l.IsPositive });
            }
        }

        await BulkCopy.WriteAsync(db, labels, ct);
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
        IReadOnlyList<ImportedTrace> traces, WriteState state, List<string> warnings, CancellationToken ct)
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
            .Join(db.Set<Dataset>(), t => t.DatasetId, d => d.Id, (t, d) => new { t.Id, t.ExternalKey, t.SourceFormat, t.ContentHash, t.DatasetId, DatasetKey = d.Key, DatasetName = d.Name, d.WorkspaceId })
            .ToListAsync(ct);
        // What this import wrote itself is not an earlier import of the item.
        stored.RemoveAll(s => state.Written.Contains(s.Id));

        // An item is matched by content only to a trace of the workspace it is written to: the chosen one, or without a
        // choice (the command line) its dataset's, a new one's being the default workspace. An import thus never matches,
        // moves or names a trace of another workspace.
        var placedIn = new Dictionary<string, int>(StringComparer.Ordinal);
        if (state.WorkspaceId is null)
        {
            var datasetKeys = items.Select(t => t.Dataset.Key).Where(k => !state.Datasets.ContainsKey(k)).Distinct().ToList();
            placedIn = await db.Set<Dataset>().IgnoreQueryFilters().AsNoTracking().Where(d => datasetKeys.Contains(d.Key))
                .ToDictionaryAsync(d => d.Key, d => d.WorkspaceId, StringComparer.Ordinal, ct);
        }

        int WrittenTo(string datasetKey) =>
            state.WorkspaceId ?? (state.Datasets.TryGetValue(datasetKey, out var written) ? written.WorkspaceId
                : placedIn.TryGetValue(datasetKey, out var workspace) ? workspace : Workspaces.Workspace.DefaultId);

        bool SameContent(ImportedTrace trace, string datasetKey, string? hash) =>
            ItemNames.FromDatasetKey(datasetKey) is { } names && ContentHash.Compute(ItemNames.Apply(trace, names.Folders)) == hash;

        var placed = new List<ImportedTrace>(traces.Count);
        foreach (var trace in traces)
        {
            var same = stored.Where(s => s.ExternalKey == trace.ExternalKey && s.SourceFormat == trace.SourceFormat && s.DatasetKey != trace.Dataset.Key
                && s.WorkspaceId == WrittenTo(trace.Dataset.Key)).ToList();
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
                state.MovedFrom.Add(earlier.DatasetId);
            }

            placed.Add(trace);
        }

        foreach (var trace in placed.Where(t => ItemNames.IsUnnamed(t.Dataset.Key) && state.UnnamedWarned.Add(t.Dataset.Key)))
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
