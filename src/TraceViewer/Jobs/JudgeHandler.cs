using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TraceViewer.Collect;
using TraceViewer.Data;
using TraceViewer.Judging;
using TraceViewer.Resampling;
using TraceViewer.Traces;

namespace TraceViewer.Jobs;

/// <summary>
/// Judging (method.md §4): one item per target, a resample (trace, position, sample index) or a base trace (trace,
/// position -1), with all its votes inside. The result is one <see cref="JudgeLabel"/> with every vote (raw and
/// parsed), written in the same transaction as the item's completion, and the target's value for the judged outcome
/// (a <see cref="ResampleLabel"/> or the trace's <see cref="TraceLabel"/>), so metrics and the study page use it.
/// A target that already has a label from the same classifier, version and prompt is not judged again.
/// </summary>
internal sealed class JudgeHandler(TraceViewerDbContext db, GatedModelClient model, IOptions<JobsOptions> options, TimeProvider clock) : IJobItemHandler
{
    /// <summary>The position of an item that judges a base trace rather than a resample.</summary>
    public const int BaseTracePosition = -1;

    public async Task<JobPlan> PlanAsync(JobRequest request, CancellationToken ct)
    {
        var settings = request.Judge ?? new JudgeSettings();
        var errors = settings.Validate("judge");
        if (errors.Count > 0)
        {
            return new JobPlan([], errors);
        }

        if (settings.Provider is not null || settings.Model is not null)
        {
            return JobPlan.Invalid("judge.provider", "A judge job uses the job's provider and model; judge.provider and judge.model belong to a collect job's judge step.");
        }

        var (classifier, _, _) = settings.Resolve();
        var target = settings.Target ?? (request.TraceId is not null || request.TraceIds is not null ? JudgeSettings.Resamples : JudgeSettings.Traces);
        settings = settings with { Target = target };
        var listed = request.TraceIds;
        var found = await db.Set<Trace>().AsNoTracking()
            .Where(t => listed != null ? listed.Contains(t.Id) : request.TraceId != null ? t.Id == request.TraceId : t.DatasetId == request.DatasetId)
            .Select(t => new { t.Id, t.DatasetId }).ToListAsync(ct);
        var traces = found.ConvertAll(t => t.Id);
        if (listed is not null && JobTargets.Missing(listed, traces) is { } missing)
        {
            return JobPlan.Invalid("traceIds", missing);
        }

        if (traces.Count == 0)
        {
            return request.TraceId is not null
                ? JobPlan.Invalid("traceId", $"There is no trace with id {request.TraceId}.")
                : JobPlan.Invalid("datasetId", $"There is no dataset with id {request.DatasetId}, or it has no traces.");
        }

        var outcome = await db.Set<Outcomes.Outcome>().AsNoTracking().Where(o => o.Key == settings.OutcomeKey).Select(o => (int?)o.Id).FirstOrDefaultAsync(ct);
        var labels = db.Set<JudgeLabel>().Where(l => l.OutcomeId == outcome && l.Classifier == classifier.Name
            && l.Version == classifier.Version && l.PromptHash == classifier.PromptHash);
        List<PlannedItem> items;
        if (target == JudgeSettings.Traces)
        {
            if (request.Positions is not null)
            {
                return JobPlan.Invalid("positions", "Positions choose resamples; leave them out when judging base traces.");
            }

            items = await db.Set<Trace>().AsNoTracking().Where(t => traces.Contains(t.Id) && !labels.Any(l => l.TraceId == t.Id))
                .OrderBy(t => t.Id).Select(t => new PlannedItem(t.Id, BaseTracePosition, 0, null)).ToListAsync(ct);
        }
        else
        {
            var (from, to) = (request.Positions?.From, request.Positions?.To);
            if (from < 0 || to < 0 || from > to)
            {
                return JobPlan.Invalid("positions", "Positions must satisfy 0 <= from <= to.");
            }

            var resamples = db.Set<Resample>().AsNoTracking().Where(r => traces.Contains(r.TraceId) && r.Continuation != null);
            if (from is { } f)
            {
                resamples = resamples.Where(r => r.Position >= f);
            }

            if (to is { } t)
            {
                resamples = resamples.Where(r => r.Position <= t);
            }

            items = await resamples.Where(r => !labels.Any(l => l.ResampleId == r.Id))
                .OrderBy(r => r.TraceId).ThenBy(r => r.Position).ThenBy(r => r.SampleIndex)
                .Select(r => new PlannedItem(r.TraceId, r.Position, r.SampleIndex, null)).ToListAsync(ct);
            if (items.Count == 0 && !await resamples.AnyAsync(ct))
            {
                return JobPlan.Invalid("positions", "There are no resamples with a continuation to judge in that range.");
            }
        }

        if (items.Count > ResampleHandler.MaxItems)
        {
            return JobPlan.Invalid("judge.votes", $"A job may hold at most {ResampleHandler.MaxItems:N0} targets.");
        }

        return new JobPlan(items, Judge: settings, DatasetId: JobTargets.CommonDataset(listed, found.Select(t => t.DatasetId)));
    }

    public async Task<JobItemResult> RunAsync(JobWork work, CancellationToken ct)
    {
        var settings = work.Job.Parameters.Judge ?? new JudgeSettings();
        var (classifier, threshold, votes) = settings.Resolve();
        var trace = await db.Set<Trace>().AsNoTracking().Where(t => t.Id == work.TraceId)
            .Select(t => new { t.UserPrompt, t.Response, t.Reasoning })
            .SingleOrDefaultAsync(ct) ?? throw new InvalidOperationException($"Trace {work.TraceId} no longer exists.");
        var userInput = CollectUserTurn.ExtractUserInput(trace.UserPrompt) ?? trace.UserPrompt;
        JudgeInput input;
        long? resampleId = null;
        if (work.Position == BaseTracePosition)
        {
            input = JudgeInput.FromResponse(trace.Response, userInput);
        }
        else
        {
            var resample = await db.Set<Resample>().AsNoTracking()
                .Where(r => r.TraceId == work.TraceId && r.Position == work.Position && r.SampleIndex == work.SampleIndex)
                .Select(r => new { r.Id, r.Continuation }).SingleOrDefaultAsync(ct)
                ?? throw new InvalidOperationException($"Trace {work.TraceId} has no resample {work.SampleIndex} at position {work.Position}.");
            var start = await db.Set<Sentence>().AsNoTracking().Where(s => s.TraceId == work.TraceId && s.Index == work.Position)
                .Select(s => (int?)s.Start).SingleOrDefaultAsync(ct) ?? throw new InvalidOperationException($"Trace {work.TraceId} has no sentence {work.Position}.");
            input = JudgeInput.FromContinuation(ResampleHandler.Prefix(trace.Response, trace.Reasoning, start), resample.Continuation ?? "", userInput);
            resampleId = resample.Id;
        }

        var voting = await JudgeVoting.RunCountedAsync(
            model, work.Job.Provider, work.Job.Model, classifier, threshold, input, votes, work.Job.Parameters.Sampling,
            work.Attempt >= options.Value.MaxAttempts, settings.EarlyStop == true, ct);
        return new JudgeResult(voting.Verdict, settings.OutcomeKey, resampleId is null ? work.TraceId : null, resampleId, clock.GetUtcNow())
        {
            PromptTokens = voting.PromptTokens,
            CompletionTokens = voting.CompletionTokens,
            CallsSaved = voting.CallsSaved,
        };
    }

    /// <summary>Writes a verdict as a judge label plus the target's outcome value; skips a target already labelled by the same judge.</summary>
    internal sealed class JudgeResult(JudgeVerdict verdict, string outcomeKey, int? traceId, long? resampleId, DateTimeOffset createdAt) : JobItemResult
    {
        public override async Task StageAsync(JobWriteBatch batch, CancellationToken ct)
        {
            var outcomeId = await batch.OutcomeIdAsync(outcomeKey, ct);
            var set = batch.Db.Set<JudgeLabel>();
            bool Same(JudgeLabel l) => l.TraceId == traceId && l.ResampleId == resampleId && l.OutcomeId == outcomeId
                && l.Classifier == verdict.Classifier && l.Version == verdict.Version && l.PromptHash == verdict.PromptHash;
            if (set.Local.Any(Same) || await set.AnyAsync(l => l.TraceId == traceId && l.ResampleId == resampleId && l.OutcomeId == outcomeId
                && l.Classifier == verdict.Classifier && l.Version == verdict.Version && l.PromptHash == verdict.PromptHash, ct))
            {
                return;
            }

            batch.Db.Add(verdict.ToLabel(outcomeId, createdAt, traceId, resampleId));
            var value = JudgeSettings.OutcomeValue(verdict);
            if (resampleId is { } id)
            {
                var label = batch.Db.Set<ResampleLabel>().Local.FirstOrDefault(l => l.ResampleId == id && l.OutcomeId == outcomeId)
                    ?? await batch.Db.Set<ResampleLabel>().FirstOrDefaultAsync(l => l.ResampleId == id && l.OutcomeId == outcomeId, ct);
                if (label is null)
                {
                    batch.Db.Add(new ResampleLabel { ResampleId = id, OutcomeId = outcomeId, Value = value, IsPositive = verdict.Label });
                }
                else
                {
                    label.Value = value;
                    label.IsPositive = verdict.Label;
                }
            }
            else
            {
                var label = batch.Db.Set<TraceLabel>().Local.FirstOrDefault(l => l.TraceId == traceId && l.OutcomeId == outcomeId)
                    ?? await batch.Db.Set<TraceLabel>().FirstOrDefaultAsync(l => l.TraceId == traceId && l.OutcomeId == outcomeId, ct);
                if (label is null)
                {
                    batch.Db.Add(new TraceLabel { TraceId = traceId!.Value, OutcomeId = outcomeId, Value = value, IsPositive = verdict.Label });
                }
                else
                {
                    label.Value = value;
                    label.IsPositive = verdict.Label;
                }
            }
        }
    }
}
