using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Accounts;
using TraceViewer.Agreement;
using TraceViewer.Data;
using TraceViewer.MetricSets;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Queues;

/// <summary>What a researcher asks for when making a queue. Field names match the form's fields for errors.</summary>
internal sealed record QueueRequest
{
    public string Name { get; init; } = "";

    public int? DatasetId { get; init; }

    /// <summary>Only traces of this condition (the trace's tier); empty for all.</summary>
    public string? Condition { get; init; }

    /// <summary>Only these trace ids (comma or space separated); empty for all.</summary>
    public string? Traces { get; init; }

    /// <summary>The outcome whose effects rank sentences; with <see cref="TopK"/>.</summary>
    public int? OutcomeId { get; init; }

    /// <summary>Sentences per trace by effect; null for every sentence.</summary>
    public int? TopK { get; init; }

    public int? TaxonomyId { get; init; }

    public IReadOnlyList<string> Annotators { get; init; } = [];

    public int Overlap { get; init; } = 1;
}

/// <summary>
/// A researcher's change to a queue: its annotators and overlap. The open items are dealt again; field names match the
/// <see cref="QueueRequest"/> fields for errors.
/// </summary>
internal sealed record QueueEdit
{
    public IReadOnlyList<string> Annotators { get; init; } = [];

    public int Overlap { get; init; } = 1;
}

/// <summary>What a re-deal changed: assignments given anew, taken away (never a done one), and kept.</summary>
internal sealed record QueueRedeal(int Added, int Removed, int Kept);

/// <summary>A queue could not be made: the errors by form field.</summary>
internal sealed class QueueRequestException(IReadOnlyDictionary<string, string> errors)
    : Exception(string.Join(" ", errors.Values))
{
    public IReadOnlyDictionary<string, string> Errors { get; } = errors;
}

internal sealed record QueueSummary(int Id, string Name, string Dataset, string Taxonomy, int Items, int Overlap, int Assigned, int Done, DateTimeOffset CreatedAt);

internal sealed record AnnotatorProgress(string Annotator, string Label, int Total, int Done, int Skipped);

/// <param name="Dealt">The annotators the queue deals to now (ids); <paramref name="Annotators"/> also lists those taken off who keep done items.</param>
internal sealed record QueueDetail(QueueSummary Queue, string? Filter, int? TopK, string? Outcome, IReadOnlyList<AnnotatorProgress> Annotators,
    IReadOnlyList<string> Dealt, string CreatedBy, string? ChangedBy, DateTimeOffset? ChangedAt)
{
    /// <summary>The changes of the deal, newest first: the re-deals, then the making of the queue.</summary>
    public IReadOnlyList<QueueHistoryEntry> History { get; init; } = [];
}

/// <summary>One change of a queue's deal (<see cref="QueueAudit"/>); <paramref name="AnnotatorsBefore"/> and <paramref name="OverlapBefore"/> are null when it was made.</summary>
internal sealed record QueueHistoryEntry(QueueAuditAction Action, string By, DateTimeOffset At, IReadOnlyList<string>? AnnotatorsBefore,
    IReadOnlyList<string> AnnotatorsAfter, int? OverlapBefore, int OverlapAfter, int Given, int Taken, int Kept);

internal sealed record MyQueue(int Id, string Name, string Taxonomy, int Total, int Done, int Skipped);

/// <summary>An annotator's place in a queue: the item on screen and its neighbours in the annotator's share.</summary>
internal sealed record QueuePlace(int QueueId, string Name, int TaxonomyId, int Total, int Done, int? Position, QueueStop? Current, QueueStop? Previous, QueueStop? Next, QueueStop? NextOpen);

internal sealed record QueueStop(int Position, int TraceId, int SentenceIndex, AssignmentState State, bool Tagged)
{
    public bool IsDone => State == AssignmentState.Done || Tagged;
}

internal sealed record QueueChoice(int Id, string Name);

internal sealed record QueueChoices(IReadOnlyList<QueueChoice> Datasets, IReadOnlyList<QueueChoice> Outcomes, IReadOnlyList<QueueChoice> Taxonomies, IReadOnlyList<QueuePerson> People);

/// <summary>A person who can be given items: the account's id, or <c>local</c> while no account exists.</summary>
internal sealed record QueuePerson(string Id, string Label);

/// <summary>
/// Makes queues and reads where they stand. Every write asks <see cref="IAccess.AllowsAsync"/> at that moment:
/// making a queue needs <see cref="AccessPolicies.Research"/>, changing one the researcher who made it or an admin,
/// moving through one's own items <see cref="AccessPolicies.Annotate"/>; each also in the workspace of the queue's dataset.
/// An item is done for an annotator once they have any tag of the queue's taxonomy on its sentence, or marked it done.
/// </summary>
internal sealed class QueueStore(TraceViewerDbContext db, IAccess access, AccountsState accounts, TimeProvider time)
{
    /// <summary>The role in the queue's dataset's workspace, read at the moment of each write.</summary>
    private readonly Traces.WorkspaceWrites writes = new(db, accounts);

    /// <summary>The form's choices: datasets (those in workspaces where the user may make a queue), outcomes and taxonomies, by id and name.</summary>
    public async Task<QueueChoices> ChoicesAsync(CancellationToken ct)
    {
        var workspaces = (await writes.WorkspacesWhereAsync(await access.UserAsync(), AccessPolicies.Research, ct)).Select(w => w.Id).ToList();
        return new(
        await db.Set<Datasets.Dataset>().AsNoTracking().Where(d => workspaces.Contains(d.WorkspaceId)).OrderBy(d => d.Name).ThenBy(d => d.Id).Select(d => new QueueChoice(d.Id, d.Name + " (" + d.Model + ")")).ToListAsync(ct),
        await db.Set<Outcomes.Outcome>().AsNoTracking().OrderBy(o => o.Name).Select(o => new QueueChoice(o.Id, o.Name)).ToListAsync(ct),
        await db.Set<Taxonomy>().AsNoTracking().OrderBy(t => t.Name).Select(t => new QueueChoice(t.Id, t.Name)).ToListAsync(ct),
        await PeopleAsync(ct));
    }

    /// <summary>Null when the current user may make a write under <paramref name="policy"/> to dataset <paramref name="datasetId"/>'s workspace; else why not.</summary>
    private async Task<string?> WorkspaceRefusalAsync(string policy, int datasetId, CancellationToken ct) =>
        await writes.RefusalAsync(await access.UserAsync(), policy, [datasetId], ct);

    public async Task<string?> CurrentPersonAsync() => VerdictStore.PersonId(await access.UserAsync());

    /// <summary>Who can be an annotator: every account, or the local owner while none exists.</summary>
    public async Task<IReadOnlyList<QueuePerson>> PeopleAsync(CancellationToken ct)
    {
        var users = await db.Set<IdentityUser>().AsNoTracking().OrderBy(u => u.Id).Select(u => new { u.Id, u.UserName }).ToListAsync(ct);
        if (users.Count == 0 || !accounts.Exist)
        {
            return [new QueuePerson(BuiltInTaxonomies.LocalPerson, "local")];
        }

        return [.. users.Select(u => new QueuePerson(u.Id, u.UserName ?? u.Id))];
    }

    /// <summary>Makes a queue from <paramref name="request"/> and deals its items.</summary>
    /// <exception cref="UnauthorizedAccessException">The user is not a researcher (now).</exception>
    /// <exception cref="QueueRequestException">The request is not valid; errors by field.</exception>
    public async Task<int> CreateAsync(QueueRequest request, CancellationToken ct)
    {
        if (!await access.AllowsAsync(AccessPolicies.Research))
        {
            throw new UnauthorizedAccessException("Making a queue needs the researcher role.");
        }

        var creator = await CurrentPersonAsync() ?? "unknown";
        var errors = new Dictionary<string, string>();
        var name = request.Name.Trim();
        if (name.Length is 0 or > QueueConfiguration.MaxNameLength)
        {
            errors[nameof(QueueRequest.Name)] = $"A name is 1 to {QueueConfiguration.MaxNameLength} characters.";
        }

        if (request.DatasetId is not { } datasetId || !await db.Set<Datasets.Dataset>().AnyAsync(d => d.Id == datasetId, ct))
        {
            errors[nameof(QueueRequest.DatasetId)] = "Choose a dataset.";
        }
        else if (await WorkspaceRefusalAsync(AccessPolicies.Research, datasetId, ct) is { } refusal)
        {
            errors[nameof(QueueRequest.DatasetId)] = refusal;
        }

        if (request.TaxonomyId is not { } taxonomyId || !await db.Set<Taxonomy>().AnyAsync(t => t.Id == taxonomyId, ct))
        {
            errors[nameof(QueueRequest.TaxonomyId)] = "Choose a taxonomy.";
        }

        if (request.TopK is { } k && (k < 1 || k > 1000))
        {
            errors[nameof(QueueRequest.TopK)] = "Top k is 1 to 1000, or empty for every sentence.";
        }
        else if (request.TopK is not null && (request.OutcomeId is not { } o || !await db.Set<Outcomes.Outcome>().AnyAsync(x => x.Id == o, ct)))
        {
            errors[nameof(QueueRequest.OutcomeId)] = "Top k ranks sentences by their effect on an outcome: choose one.";
        }

        var traceIds = new List<int>();
        foreach (var part in (request.Traces ?? "").Split([',', ' ', ';', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(part, out var id) && id > 0)
            {
                traceIds.Add(id);
            }
            else
            {
                errors[nameof(QueueRequest.Traces)] = $"\"{part}\" is not a trace id.";
                break;
            }
        }

        var annotators = await CheckDealAsync(request.Annotators, request.Overlap, errors, ct);
        if (errors.Count > 0)
        {
            throw new QueueRequestException(errors);
        }

        var sentences = await PickAsync(request.DatasetId!.Value, request.Condition, traceIds, request.OutcomeId, request.TopK, ct);
        if (sentences.Count == 0)
        {
            throw new QueueRequestException(new Dictionary<string, string> { [nameof(QueueRequest.DatasetId)] = "The filter matches no sentence." });
        }

        var assignments = QueueRules.Assign(sentences.Count, annotators, request.Overlap);
        var queue = new Queue
        {
            Name = name, DatasetId = request.DatasetId!.Value, TaxonomyId = request.TaxonomyId!.Value,
            OutcomeId = request.TopK is null ? null : request.OutcomeId, TopK = request.TopK, Overlap = request.Overlap,
            Annotators = string.Join('\n', annotators), Filter = Describe(request.Condition, traceIds), CreatedBy = creator, CreatedAt = time.GetUtcNow(),
        };
        for (var i = 0; i < sentences.Count; i++)
        {
            queue.Items.Add(new QueueItem { Position = i, SentenceId = sentences[i].Id, TraceId = sentences[i].TraceId, SentenceIndex = sentences[i].Index });
        }

        foreach (var a in assignments)
        {
            queue.Items[a.Item].Assignments.Add(new QueueAssignment { Annotator = a.Annotator, State = AssignmentState.Open });
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Add(queue);
        await db.SaveChangesAsync(ct);
        db.Add(new QueueAudit
        {
            QueueId = queue.Id, Action = QueueAuditAction.Created, By = creator, At = queue.CreatedAt, AnnotatorsAfter = string.Join('\n', annotators),
            OverlapAfter = queue.Overlap, Given = assignments.Count,
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return queue.Id;
    }

    /// <summary>
    /// The checks on who gets items and how many per item, for making a queue and changing one: at least one annotator,
    /// each a known person, an overlap of 1 to their number. Errors go into <paramref name="errors"/> by field.
    /// </summary>
    /// <returns>The annotators, deduplicated and ordered by id.</returns>
    private async Task<List<string>> CheckDealAsync(IReadOnlyList<string> requested, int overlap, Dictionary<string, string> errors, CancellationToken ct)
    {
        var known = (await PeopleAsync(ct)).Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var annotators = requested.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a.Trim()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (annotators.Count == 0)
        {
            errors[nameof(QueueRequest.Annotators)] = "Choose at least one annotator.";
        }
        else if (annotators.FirstOrDefault(a => !known.Contains(a)) is { } stranger)
        {
            errors[nameof(QueueRequest.Annotators)] = $"There is no person \"{stranger}\".";
        }
        else if (overlap < 1 || overlap > annotators.Count)
        {
            errors[nameof(QueueRequest.Overlap)] = $"The overlap is 1 to {annotators.Count} (the annotators chosen).";
        }

        return annotators;
    }

    /// <summary>Whether to offer the current user the change form: a researcher who made the queue, or an admin.</summary>
    public async Task<bool> MayChangeAsync(int queueId, CancellationToken ct)
    {
        var queue = await db.Set<Queue>().AsNoTracking().Where(q => q.Id == queueId).Select(q => new { q.CreatedBy, q.DatasetId }).SingleOrDefaultAsync(ct);
        return queue is not null && await access.ShowsAsync(AccessPolicies.Research)
            && (queue.CreatedBy == await CurrentPersonAsync() || await access.ShowsAsync(AccessPolicies.Administer))
            && await WorkspaceRefusalAsync(AccessPolicies.Research, queue.DatasetId, ct) is null;
    }

    /// <summary>
    /// Changes queue <paramref name="queueId"/>'s annotators and overlap and deals its items again by
    /// <see cref="QueueRules.Redeal"/>: done assignments stay (and count), open and skipped ones the new deal keeps stay
    /// as they are, the others go, and the new ones start open. The deal is decided on what was read, then written in one
    /// transaction only if nothing it relied on changed meanwhile: the queue's <see cref="Queue.Version"/> is the one
    /// read, and every assignment taken away is still neither marked done nor tagged by its annotator (checked by the
    /// delete itself). An annotator's tag saved between the read and the write makes the write take nothing and the
    /// re-deal is decided again on the new state, so the tag's assignment stays with its annotator and counts. The change
    /// is written to the queue's history (<see cref="QueueAudit"/>) in the same transaction.
    /// </summary>
    /// <returns>What changed; null when there is no such queue.</returns>
    /// <exception cref="UnauthorizedAccessException">The user is not (now) a researcher who made the queue, or an admin.</exception>
    /// <exception cref="QueueRequestException">The annotators or overlap are not valid; errors by field.</exception>
    public async Task<QueueRedeal?> RedealAsync(int queueId, QueueEdit edit, CancellationToken ct)
    {
        if (!await access.AllowsAsync(AccessPolicies.Research))
        {
            throw new UnauthorizedAccessException("Changing a queue needs the researcher role.");
        }

        var me = await CurrentPersonAsync() ?? "unknown";
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await RedealOnceAsync(queueId, edit, me, ct);
            }
            catch (Exception e) when (attempt < RedealAttempts && UniqueRetry.IsConflict(e))
            {
                db.ChangeTracker.Clear();
                ct.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>Re-deals decided again at most this often when their reads went stale before their write.</summary>
    public const int RedealAttempts = 10;

    /// <summary>
    /// Called between a re-deal's reads and its write (each attempt), for tests that make another writer act in between.
    /// </summary>
    internal Func<CancellationToken, Task>? BeforeRedealWrite { get; set; }

    private async Task<QueueRedeal?> RedealOnceAsync(int queueId, QueueEdit edit, string me, CancellationToken ct)
    {
        var queue = await db.Set<Queue>().AsNoTracking().SingleOrDefaultAsync(q => q.Id == queueId, ct);
        if (queue is null)
        {
            return null;
        }

        if (queue.CreatedBy != me && !await access.AllowsAsync(AccessPolicies.Administer))
        {
            throw new UnauthorizedAccessException("Only the researcher who made this queue, or an admin, can change it.");
        }

        if (await WorkspaceRefusalAsync(AccessPolicies.Research, queue.DatasetId, ct) is { } refusal)
        {
            throw new UnauthorizedAccessException(refusal);
        }

        var errors = new Dictionary<string, string>();
        var annotators = await CheckDealAsync(edit.Annotators, edit.Overlap, errors, ct);
        if (errors.Count > 0)
        {
            throw new QueueRequestException(errors);
        }

        var items = await db.Set<QueueItem>().AsNoTracking().Where(i => i.QueueId == queueId).OrderBy(i => i.Position)
            .Select(i => new { i.Id, i.Position }).ToListAsync(ct);
        var taxonomyId = queue.TaxonomyId;
        var held = await (
            from a in db.Set<QueueAssignment>().AsNoTracking()
            join i in db.Set<QueueItem>() on a.QueueItemId equals i.Id
            where i.QueueId == queueId
            select new
            {
                a.Id, a.Annotator, a.State, i.Position,
                Tagged = db.Set<SentenceTag>().Any(st => st.SentenceId == i.SentenceId && st.AnnotatorKind == AnnotatorKind.Person
                    && st.Annotator == a.Annotator && st.Tag!.TaxonomyId == taxonomyId),
            }).ToListAsync(ct);
        var deal = QueueRules.Redeal(items.Count,
            held.Select(h => new HeldAssignment(h.Position, h.Annotator, h.State == AssignmentState.Done || h.Tagged)), annotators, edit.Overlap);
        var wanted = deal.Select(d => (d.Item, d.Annotator)).ToHashSet();
        var have = held.Select(h => (h.Position, h.Annotator)).ToHashSet();
        var removed = held.Where(h => !wanted.Contains((h.Position, h.Annotator))).Select(h => h.Id).ToList();
        var added = deal.Where(d => !have.Contains((d.Item, d.Annotator))).ToList();

        if (BeforeRedealWrite is { } hook)
        {
            await hook(ct);
        }

        // SQLite: the transaction takes the write lock as it begins, so the checks below see every committed write and
        // nothing commits between them and the commit. PostgreSQL: the queue row's update locks it against another
        // re-deal, and the delete re-checks each row it takes (waiting for a concurrent mark on it to commit first).
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        var after = string.Join('\n', annotators);
        var changed = await db.Set<Queue>().Where(q => q.Id == queueId && q.Version == queue.Version)
            .ExecuteUpdateAsync(u => u
                .SetProperty(q => q.Version, queue.Version + 1)
                .SetProperty(q => q.Overlap, edit.Overlap)
                .SetProperty(q => q.Annotators, after)
                .SetProperty(q => q.ChangedBy, me)
                .SetProperty(q => q.ChangedAt, now), ct);
        if (changed == 0)
        {
            throw new WriteConflictException($"Queue {queueId} was changed meanwhile.");
        }

        if (removed.Count > 0)
        {
            // Never a done one: an assignment marked done or tagged by its annotator since the read stays, and the deal
            // is decided again.
            var taken = await db.Set<QueueAssignment>()
                .Where(a => removed.Contains(a.Id) && a.State != AssignmentState.Done
                    && !db.Set<QueueItem>().Any(i => i.Id == a.QueueItemId && db.Set<SentenceTag>().Any(st => st.SentenceId == i.SentenceId
                        && st.AnnotatorKind == AnnotatorKind.Person && st.Annotator == a.Annotator && st.Tag!.TaxonomyId == taxonomyId)))
                .ExecuteDeleteAsync(ct);
            if (taken != removed.Count)
            {
                throw new WriteConflictException($"An assignment of queue {queueId} was done meanwhile.");
            }
        }

        foreach (var a in added)
        {
            db.Add(new QueueAssignment { QueueItemId = items[a.Item].Id, Annotator = a.Annotator, State = AssignmentState.Open, UpdatedAt = now });
        }

        var result = new QueueRedeal(added.Count, removed.Count, held.Count - removed.Count);
        db.Add(new QueueAudit
        {
            QueueId = queueId, Action = QueueAuditAction.Redealt, By = me, At = now,
            AnnotatorsBefore = queue.Annotators ?? string.Join('\n', held.Select(h => h.Annotator).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
            AnnotatorsAfter = after, OverlapBefore = queue.Overlap, OverlapAfter = edit.Overlap,
            Given = result.Added, Taken = result.Removed, Kept = result.Kept,
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return result;
    }

    /// <summary>The changes of queue <paramref name="queueId"/>'s deal, newest first.</summary>
    public async Task<IReadOnlyList<QueueHistoryEntry>> HistoryAsync(int queueId, CancellationToken ct)
    {
        var rows = await db.Set<QueueAudit>().AsNoTracking().Where(a => a.QueueId == queueId).OrderByDescending(a => a.Id).ToListAsync(ct);
        static IReadOnlyList<string> Split(string value) => value.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return [.. rows.Select(r => new QueueHistoryEntry(r.Action, r.By, r.At, r.AnnotatorsBefore is { } b ? Split(b) : null, Split(r.AnnotatorsAfter),
            r.OverlapBefore, r.OverlapAfter, r.Given, r.Taken, r.Kept))];
    }

    private static string? Describe(string? condition, List<int> traceIds)
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(condition))
        {
            parts.Add($"condition {condition.Trim()}");
        }

        if (traceIds.Count > 0)
        {
            parts.Add($"traces {string.Join(", ", traceIds)}");
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    private sealed record Picked(int Id, int TraceId, int Index);

    /// <summary>The filter's sentences in queue order (trace id, then sentence index).</summary>
    private async Task<List<Picked>> PickAsync(int datasetId, string? condition, List<int> traceIds, int? outcomeId, int? topK, CancellationToken ct)
    {
        var traces = db.Set<Trace>().AsNoTracking().Where(t => t.DatasetId == datasetId);
        if (!string.IsNullOrWhiteSpace(condition))
        {
            var c = condition.Trim();
            traces = traces.Where(t => t.Tier == c || t.PromptVariant == c);
        }

        if (traceIds.Count > 0)
        {
            traces = traces.Where(t => traceIds.Contains(t.Id));
        }

        var ids = await traces.OrderBy(t => t.Id).Select(t => t.Id).ToListAsync(ct);
        var sentences = await db.Set<Sentence>().AsNoTracking().Where(s => ids.Contains(s.TraceId))
            .Select(s => new Picked(s.Id, s.TraceId, s.Index)).ToListAsync(ct);
        var byTrace = sentences.GroupBy(s => s.TraceId).ToDictionary(g => g.Key, g => g.ToDictionary(s => s.Index));
        Dictionary<int, MetricSetChoice> shown = [];
        if (topK is not null)
        {
            var sets = await db.Set<MetricSet>().AsNoTracking().Where(m => m.OutcomeId == outcomeId && ids.Contains(m.TraceId))
                .Select(ShownMetricSets.Projection).ToListAsync(ct);
            shown = ShownMetricSets.PerTrace(sets);
        }

        var setIds = shown.Values.Select(s => s.Id).ToList();
        var values = topK is null ? [] : await db.Set<SentenceMetric>().AsNoTracking()
            .Where(v => setIds.Contains(v.MetricSetId)
                && (v.Name == MetricNames.CounterfactualEffect || v.Name == MetricNames.ResamplingEffect || v.Name == MetricNames.DissimilarFraction))
            .Select(v => new { v.MetricSetId, v.SentenceIndex, v.Name, v.Value }).ToListAsync(ct);
        var result = new List<Picked>();
        foreach (var traceId in ids)
        {
            if (!byTrace.TryGetValue(traceId, out var inTrace))
            {
                continue;
            }

            var effects = new Dictionary<int, double>();
            if (topK is not null && shown.TryGetValue(traceId, out var set))
            {
                // Each sentence's effect as the trace page reads it: the counterfactual effect or its fallback.
                foreach (var sentence in values.Where(v => v.MetricSetId == set.Id).GroupBy(v => v.SentenceIndex))
                {
                    double? Read(string name) => sentence.FirstOrDefault(v => v.Name == name)?.Value;
                    if (ShownMetricSets.Influence(Read(MetricNames.CounterfactualEffect), Read(MetricNames.ResamplingEffect), Read(MetricNames.DissimilarFraction)).Effect is { } effect)
                    {
                        effects[sentence.Key] = effect;
                    }
                }
            }

            foreach (var index in QueueRules.PickSentences([.. inTrace.Keys], effects, topK))
            {
                result.Add(inTrace[index]);
            }
        }

        return result;
    }

    private sealed record Row(int QueueId, string Annotator, AssignmentState State, bool Tagged);

    private IQueryable<Row> Rows(IQueryable<QueueAssignment> assignments) =>
        from a in assignments
        join i in db.Set<QueueItem>() on a.QueueItemId equals i.Id
        join q in db.Set<Queue>() on i.QueueId equals q.Id
        select new Row(q.Id, a.Annotator, a.State,
            db.Set<SentenceTag>().Any(st => st.SentenceId == i.SentenceId && st.AnnotatorKind == AnnotatorKind.Person
                && st.Annotator == a.Annotator && st.Tag!.TaxonomyId == q.TaxonomyId));

    private static bool IsDone(Row r) => r.State == AssignmentState.Done || r.Tagged;

    public async Task<IReadOnlyList<QueueSummary>> ListAsync(CancellationToken ct)
    {
        var queues = await (
            from q in db.Set<Queue>().AsNoTracking()
            join d in db.Set<Datasets.Dataset>() on q.DatasetId equals d.Id
            join t in db.Set<Taxonomy>() on q.TaxonomyId equals t.Id
            orderby q.Id descending
            select new { q.Id, q.Name, Dataset = d.Name, Taxonomy = t.Name, Items = q.Items.Count, q.Overlap, q.CreatedAt }).ToListAsync(ct);
        var rows = await Rows(db.Set<QueueAssignment>().AsNoTracking()).ToListAsync(ct);
        var byQueue = rows.GroupBy(r => r.QueueId).ToDictionary(g => g.Key, g => (Total: g.Count(), Done: g.Count(IsDone)));
        return [.. queues.Select(q =>
        {
            var p = byQueue.GetValueOrDefault(q.Id);
            return new QueueSummary(q.Id, q.Name, q.Dataset, q.Taxonomy, q.Items, q.Overlap, p.Total, p.Done, q.CreatedAt);
        })];
    }

    public async Task<QueueDetail?> DetailAsync(int id, CancellationToken ct)
    {
        var summary = (await ListAsync(ct)).FirstOrDefault(q => q.Id == id);
        if (summary is null)
        {
            return null;
        }

        var queue = await db.Set<Queue>().AsNoTracking().SingleAsync(q => q.Id == id, ct);
        var outcome = queue.OutcomeId is { } o ? await db.Set<Outcomes.Outcome>().Where(x => x.Id == o).Select(x => x.Name).SingleOrDefaultAsync(ct) : null;
        var people = (await PeopleAsync(ct)).ToDictionary(p => p.Id, p => p.Label);
        var rows = await Rows(db.Set<QueueAssignment>().AsNoTracking().Where(a => a.Item!.QueueId == id)).ToListAsync(ct);
        var progress = rows.GroupBy(r => r.Annotator).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new AnnotatorProgress(g.Key, people.GetValueOrDefault(g.Key, g.Key), g.Count(), g.Count(IsDone), g.Count(r => !IsDone(r) && r.State == AssignmentState.Skipped)))
            .ToList();
        IReadOnlyList<string> dealt = queue.Annotators is { } kept
            ? kept.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            : [.. rows.Select(r => r.Annotator).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        return new QueueDetail(summary, queue.Filter, queue.TopK, outcome, progress, dealt, queue.CreatedBy, queue.ChangedBy, queue.ChangedAt)
        {
            History = await HistoryAsync(id, ct),
        };
    }

    /// <summary>The queues that give the current user items, with their progress.</summary>
    public async Task<IReadOnlyList<MyQueue>> MineAsync(CancellationToken ct)
    {
        var me = await CurrentPersonAsync();
        if (me is null)
        {
            return [];
        }

        var rows = await Rows(db.Set<QueueAssignment>().AsNoTracking().Where(a => a.Annotator == me)).ToListAsync(ct);
        var ids = rows.Select(r => r.QueueId).Distinct().ToList();
        var names = await (
            from q in db.Set<Queue>().AsNoTracking()
            join t in db.Set<Taxonomy>() on q.TaxonomyId equals t.Id
            where ids.Contains(q.Id)
            select new { q.Id, q.Name, Taxonomy = t.Name }).ToListAsync(ct);
        return [.. names.OrderByDescending(n => n.Id).Select(n =>
        {
            var mine = rows.Where(r => r.QueueId == n.Id).ToList();
            return new MyQueue(n.Id, n.Name, n.Taxonomy, mine.Count, mine.Count(IsDone), mine.Count(r => !IsDone(r) && r.State == AssignmentState.Skipped));
        })];
    }

    /// <summary>
    /// Where the current user stands in queue <paramref name="queueId"/> at the sentence (trace, index) on screen; with
    /// no such item of theirs, <see cref="QueuePlace.Position"/> is null. Null when the queue gives them nothing.
    /// </summary>
    public async Task<QueuePlace?> PlaceAsync(int queueId, int? traceId, int? sentenceIndex, CancellationToken ct)
    {
        var me = await CurrentPersonAsync();
        var queue = await db.Set<Queue>().AsNoTracking().Where(q => q.Id == queueId).Select(q => new { q.Id, q.Name, q.TaxonomyId }).SingleOrDefaultAsync(ct);
        if (me is null || queue is null)
        {
            return null;
        }

        var stops = await (
            from a in db.Set<QueueAssignment>().AsNoTracking()
            join i in db.Set<QueueItem>() on a.QueueItemId equals i.Id
            where i.QueueId == queueId && a.Annotator == me
            orderby i.Position
            select new QueueStop(i.Position, i.TraceId, i.SentenceIndex, a.State,
                db.Set<SentenceTag>().Any(st => st.SentenceId == i.SentenceId && st.AnnotatorKind == AnnotatorKind.Person
                    && st.Annotator == me && st.Tag!.TaxonomyId == queue.TaxonomyId))).ToListAsync(ct);
        if (stops.Count == 0)
        {
            return null;
        }

        var at = stops.FindIndex(s => s.TraceId == traceId && s.SentenceIndex == sentenceIndex);
        var current = at >= 0 ? stops[at] : null;
        var nextOpen = NextOpen(stops, at);
        return new QueuePlace(queueId, queue.Name, queue.TaxonomyId, stops.Count, stops.Count(s => s.IsDone), current?.Position, current,
            at > 0 ? stops[at - 1] : null, at >= 0 && at + 1 < stops.Count ? stops[at + 1] : null, nextOpen);
    }

    /// <summary>The first open item after <paramref name="at"/>, wrapping round; then the first skipped one; null when all are done.</summary>
    internal static QueueStop? NextOpen(IReadOnlyList<QueueStop> stops, int at)
    {
        for (var n = 1; n <= stops.Count; n++)
        {
            var s = stops[((at < 0 ? -1 : at) + n + stops.Count) % stops.Count];
            if (!s.IsDone && s.State == AssignmentState.Open && (at < 0 || s != stops[at]))
            {
                return s;
            }
        }

        return stops.FirstOrDefault(s => !s.IsDone && s.State == AssignmentState.Skipped && (at < 0 || s != stops[at]));
    }

    /// <summary>Marks the current user's item at <paramref name="position"/> done, skipped or open again.</summary>
    /// <returns>False when refused (not an annotator now) or the item is not theirs.</returns>
    public async Task<bool> MarkAsync(int queueId, int position, AssignmentState state, CancellationToken ct)
    {
        if (!await access.AllowsAsync(AccessPolicies.Annotate)
            || await db.Set<Queue>().AsNoTracking().Where(q => q.Id == queueId).Select(q => (int?)q.DatasetId).SingleOrDefaultAsync(ct) is not { } datasetId
            || await WorkspaceRefusalAsync(AccessPolicies.Annotate, datasetId, ct) is not null)
        {
            return false;
        }

        var me = await CurrentPersonAsync();
        var row = await db.Set<QueueAssignment>().AsTracking()
            .SingleOrDefaultAsync(a => a.Annotator == me && a.Item!.QueueId == queueId && a.Item.Position == position, ct);
        if (row is null)
        {
            return false;
        }

        row.State = state;
        row.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        return true;
    }
}
