using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Import;

/// <summary>Writes datasets from the database to the native JSONL format, one trace at a time.</summary>
internal sealed class NativeJsonlExporter(TraceViewerDbContext db)
{
    public sealed record ExportSummary(int Datasets, int Traces, int Resamples);

    /// <param name="datasetKey">Only this dataset; all datasets when null.</param>
    public async Task<ExportSummary> ExportAsync(Stream output, string? datasetKey, CancellationToken ct)
    {
        var outcomes = await db.Set<Outcome>().AsNoTracking().OrderBy(o => o.Id).ToListAsync(ct);
        var outcomeKeys = outcomes.ToDictionary(o => o.Id, o => o.Key);
        var datasets = await db.Set<Dataset>().AsNoTracking()
            .Where(d => datasetKey == null || d.Key == datasetKey)
            .OrderBy(d => d.Id)
            .ToListAsync(ct);
        if (datasetKey is not null && datasets.Count == 0)
        {
            throw new InvalidOperationException($"There is no dataset with key '{datasetKey}'.");
        }

        using var writer = new NativeJsonlWriter(output);
        writer.WriteHeader();
        foreach (var outcome in outcomes)
        {
            writer.WriteOutcome(new ImportedOutcome(outcome.Key, outcome.Name, outcome.Kind, outcome.RateKey));
        }

        var taxonomies = await db.Set<Taxonomy>().AsNoTracking().Include(t => t.Tags).OrderBy(t => t.Id).ToListAsync(ct);
        foreach (var taxonomy in taxonomies)
        {
            writer.WriteTaxonomy(new ImportedTaxonomy(
                taxonomy.Name, taxonomy.Description, taxonomy.Version, taxonomy.MultiChoice,
                [.. taxonomy.Tags.OrderBy(t => t.Id).Select(t => new ImportedTag(t.Name, t.Colour, t.Description, t.Hotkey, t.Retired))])
            {
                BuiltIn = taxonomy.BuiltIn,
            });
        }

        int traces = 0, resamples = 0;
        foreach (var dataset in datasets)
        {
            var imported = new ImportedDataset(
                dataset.Key,
                dataset.Name,
                dataset.Model,
                dataset.Kind,
                dataset.SourceFormat,
                dataset.Description,
                dataset.PrimaryOutcomeId is { } primary ? outcomeKeys[primary] : null,
                dataset.Metadata);
            writer.WriteDataset(imported);
            var traceIds = await db.Set<Trace>().Where(t => t.DatasetId == dataset.Id).OrderBy(t => t.Id).Select(t => t.Id).ToListAsync(ct);
            foreach (var traceId in traceIds)
            {
                var trace = await LoadAsync(traceId, imported, outcomeKeys, ct);
                writer.WriteTrace(trace);
                traces++;
                resamples += trace.Resamples.Count;
            }
        }

        return new ExportSummary(datasets.Count, traces, resamples);
    }

    /// <summary>Reads one trace with everything it owns into the import model.</summary>
    internal async Task<ImportedTrace> LoadAsync(int traceId, ImportedDataset dataset, Dictionary<int, string> outcomeKeys, CancellationToken ct)
    {
        var trace = await db.Set<Trace>().AsNoTracking().SingleAsync(t => t.Id == traceId, ct);
        var sentenceRows = await db.Set<Sentence>().AsNoTracking().Where(s => s.TraceId == traceId).OrderBy(s => s.Index)
            .Select(s => new { s.Index, s.Text, s.Separator, s.Start, s.End, s.DependsOn, s.Summary, s.Metadata })
            .ToListAsync(ct);
        // The source's own function tags go back into the sentences (as they came, so the trace hashes the same); every
        // other tag becomes a sentenceTag line.
        var annotator = TagStore.ImportAnnotator(dataset.SourceFormat);
        var tags = await (
            from st in db.Set<SentenceTag>().AsNoTracking()
            join s in db.Set<Sentence>() on st.SentenceId equals s.Id
            where s.TraceId == traceId
            join t in db.Set<Tag>() on st.TagId equals t.Id
            join x in db.Set<Taxonomy>() on t.TaxonomyId equals x.Id
            orderby s.Index, st.Id
            select new { s.Index, Taxonomy = x.Name, t.Name, st.AnnotatorKind, st.Annotator, st.Note, st.CreatedAt, st.UpdatedAt })
            .ToListAsync(ct);
        bool IsOwn(string taxonomy, AnnotatorKind kind, string by) =>
            taxonomy == BuiltInTaxonomies.Functions && kind == AnnotatorKind.Import && by == annotator;
        var functionTags = tags.Where(t => IsOwn(t.Taxonomy, t.AnnotatorKind, t.Annotator)).ToLookup(t => t.Index, t => t.Name);
        var sentences = sentenceRows.ConvertAll(s => new ImportedSentence(
            s.Index, s.Text, s.Separator, s.Start, s.End,
            functionTags.Contains(s.Index) ? [.. functionTags[s.Index]] : null,
            s.DependsOn, s.Summary, s.Metadata));
        var sentenceTags = tags.Where(t => !IsOwn(t.Taxonomy, t.AnnotatorKind, t.Annotator))
            .Select(t => new ImportedSentenceTag(t.Index, t.Taxonomy, t.Name, t.AnnotatorKind, t.Annotator, t.Note, t.CreatedAt, t.UpdatedAt))
            .ToList();
        var labels = await db.Set<TraceLabel>().AsNoTracking().Where(l => l.TraceId == traceId).ToListAsync(ct);
        var resampleRows = await db.Set<Resample>().AsNoTracking().Where(r => r.TraceId == traceId)
            .OrderBy(r => r.Position).ThenBy(r => r.SampleIndex).ToListAsync(ct);
        var resampleLabels = (await db.Set<ResampleLabel>().AsNoTracking()
            .Join(db.Set<Resample>().Where(r => r.TraceId == traceId), l => l.ResampleId, r => r.Id, (l, r) => l)
            .ToListAsync(ct)).ToLookup(l => l.ResampleId);
        var metricSets = await db.Set<MetricSet>().AsNoTracking().Where(m => m.TraceId == traceId).Include(m => m.Values).OrderBy(m => m.Id).ToListAsync(ct);
        var links = (await db.Set<SentenceLinkRow>().AsNoTracking().Where(l => l.TraceId == traceId)
            .OrderBy(l => l.Kind).ThenBy(l => l.SourceIndex)
            .ToListAsync(ct))
            .SelectMany(l => PackedLinks.Unpack(l)
                .Select(c => new ImportedLink(l.Kind, l.SourceIndex, c.Target, c.Score)))
            .ToList();

        return new ImportedTrace
        {
            Dataset = dataset,
            ExternalKey = trace.ExternalKey,
            Title = trace.Title,
            Prompt = trace.Prompt,
            SystemPrompt = trace.SystemPrompt,
            UserPrompt = trace.UserPrompt,
            Response = trace.Response,
            Reasoning = trace.Reasoning,
            FinalOutput = trace.FinalOutput,
            Tier = trace.Tier,
            PromptVariant = trace.PromptVariant,
            Model = trace.Model,
            Temperature = trace.Temperature,
            TopP = trace.TopP,
            SourcePath = trace.SourcePath,
            SourceFormat = trace.SourceFormat,
            HasLabelledResamples = trace.HasLabelledResamples,
            MaxImportance = trace.MaxImportance,
            Metadata = trace.Metadata,
            Labels = [.. labels.Select(l => new ImportedLabel(outcomeKeys[l.OutcomeId], l.Value, l.IsPositive)).OrderBy(l => l.Outcome, StringComparer.Ordinal)],
            Sentences = sentences,
            Resamples = [.. resampleRows.Select(r => new ImportedResample
            {
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
                CreatedAt = r.CreatedAt,
                Labels = [.. resampleLabels[r.Id].Select(l => new ImportedLabel(outcomeKeys[l.OutcomeId], l.Value, l.IsPositive)).OrderBy(l => l.Outcome, StringComparer.Ordinal)],
            })],
            MetricSets = [.. metricSets.Select(m => new ImportedMetricSet
            {
                Outcome = outcomeKeys[m.OutcomeId],
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
                ComputedAt = m.ComputedAt,
                Values = [.. m.Values.OrderBy(v => v.SentenceIndex).ThenBy(v => v.Name, StringComparer.Ordinal)
                    .Select(v => new ImportedMetric(v.SentenceIndex, v.Name, v.SourceKey, v.Negated, v.Value, v.Count, v.Successes, v.Low, v.High))],
            })],
            Links = links,
            SentenceTags = sentenceTags,
        };
    }
}
