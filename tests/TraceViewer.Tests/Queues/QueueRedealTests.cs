using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Accounts;
using TraceViewer.Queues;
using TraceViewer.Tags;
using TraceViewer.Tests.Data;

namespace TraceViewer.Tests.Queues;

/// <summary>
/// Changing a queue's annotators and overlap on each provider: the open items dealt again by the rule, done items kept and
/// counted (done by a tag or a mark), only the researcher who made it or an admin may, and the change is recorded.
/// </summary>
public abstract class QueueRedealTests(PostgresServer? postgres) : ProviderAppTests(postgres)
{
    private const string Maker = Roles.Researcher + "-id";

    protected override async Task SetUpAsync()
    {
        await using var db = App.CreateDbContext();
        foreach (var id in new[] { "ann", "bob", "cat", "dan", Maker, Roles.Admin + "-id" })
        {
            db.Add(new IdentityUser { Id = id, UserName = id, NormalizedUserName = id.ToUpperInvariant() });
        }

        await db.SaveChangesAsync();
        App.Services.GetRequiredService<AccountsState>().MarkExist();
    }

    private QueueStore Store(TraceViewer.Data.TraceViewerDbContext db, string role) =>
        new(db, new FixedAccess(role), App.Services.GetRequiredService<AccountsState>(), App.Clock);

    /// <summary>A queue of one trace's four sentences for ann, bob and cat with overlap 2, made by the researcher.</summary>
    private async Task<(int Queue, SeededTrace Trace, int Taxonomy)> QueueAsync()
    {
        var trace = await TraceSeeder.SeedAsync(App, new TraceSeed
        {
            DatasetKey = $"redeal/{Guid.NewGuid():N}", Title = "R", SourcePath = "r", Sentences = ["S0.", "S1.", "S2.", "S3."],
        });
        await using var db = App.CreateDbContext();
        var taxonomy = await db.Set<Taxonomy>().Where(t => t.Name == BuiltInTaxonomies.Reasoning).Select(t => t.Id).SingleAsync();
        var id = await Store(db, Roles.Researcher).CreateAsync(new QueueRequest
        {
            Name = "Redeal", DatasetId = trace.DatasetId, Traces = $"{trace.TraceId}", TaxonomyId = taxonomy, Annotators = ["cat", "ann", "bob"], Overlap = 2,
        }, CancellationToken.None);
        return (id, trace, taxonomy);
    }

    private async Task<List<(int Item, string Annotator, AssignmentState State)>> DealAsync(int queue)
    {
        await using var db = App.CreateDbContext();
        var rows = await db.Set<QueueAssignment>().Where(a => a.Item!.QueueId == queue)
            .Select(a => new { a.Item!.Position, a.Annotator, a.State }).ToListAsync();
        return [.. rows.Select(r => (r.Position, r.Annotator, r.State)).OrderBy(r => r.Position).ThenBy(r => r.Annotator, StringComparer.Ordinal)];
    }

    [Fact]
    public async Task TheOpenItemsAreDealtAgainByTheRuleAndDoneOnesStayWithTheirAnnotator()
    {
        var (queue, trace, taxonomy) = await QueueAsync();
        await using var db = App.CreateDbContext();
        // Dealt: 0 -> ann, bob; 1 -> cat, ann; 2 -> bob, cat; 3 -> ann, bob. cat tags item 1; bob marks item 0 done; ann skips item 3.
        var tag = await db.Set<Tag>().Where(t => t.TaxonomyId == taxonomy).Select(t => t.Id).FirstAsync();
        db.Add(new SentenceTag { SentenceId = trace.Sentences[1].Id, TagId = tag, AnnotatorKind = AnnotatorKind.Person, Annotator = "cat" });
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
        await MarkAsAsync(queue, "bob", 0, AssignmentState.Done);
        await MarkAsAsync(queue, "ann", 3, AssignmentState.Skipped);
        var before = await DealAsync(queue);

        // cat is taken off, dan joins.
        var result = await Store(db, Roles.Researcher).RedealAsync(queue, new QueueEdit { Annotators = ["dan", "ann", "bob"], Overlap = 2 }, CancellationToken.None);

        var expected = QueueRules.Redeal(4, before.Select(b => new HeldAssignment(b.Item, b.Annotator,
            b.State == AssignmentState.Done || (b.Item, b.Annotator) == (1, "cat"))), ["ann", "bob", "dan"], 2);
        var after = await DealAsync(queue);
        Assert.Equal(expected.Select(e => (e.Item, e.Annotator)).OrderBy(e => e.Item).ThenBy(e => e.Annotator, StringComparer.Ordinal), after.Select(a => (a.Item, a.Annotator)));
        Assert.Contains((1, "cat", AssignmentState.Open), after);
        Assert.Contains((0, "bob", AssignmentState.Done), after);
        Assert.Contains((3, "ann", AssignmentState.Skipped), after);
        Assert.DoesNotContain(after, a => a.Annotator == "cat" && a.Item != 1);
        var added = after.Except(before).Count();
        Assert.Equal((added, before.Except(after).Count(), after.Count - added), (result!.Added, result.Removed, result.Kept));
        Assert.True(result.Added > 0 && result.Removed > 0);

        var detail = await Store(db, Roles.Researcher).DetailAsync(queue, CancellationToken.None);
        Assert.Equal(["ann", "bob", "dan"], detail!.Dealt);
        Assert.Equal((2, Maker), (detail.Queue.Overlap, detail.ChangedBy));
        Assert.Equal(App.Clock.GetUtcNow().ToUnixTimeMilliseconds(), detail.ChangedAt!.Value.ToUnixTimeMilliseconds());
        var cat = Assert.Single(detail.Annotators, a => a.Annotator == "cat");
        Assert.Equal((1, 1), (cat.Total, cat.Done));
        Assert.Equal(2, detail.Queue.Done);
    }

    private async Task MarkAsAsync(int queue, string annotator, int position, AssignmentState state)
    {
        await using var db = App.CreateDbContext();
        var row = await db.Set<QueueAssignment>().AsTracking().SingleAsync(a => a.Item!.QueueId == queue && a.Item.Position == position && a.Annotator == annotator);
        row.State = state;
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task AHigherOverlapGivesEveryOpenItemMoreAnnotators()
    {
        var (queue, _, _) = await QueueAsync();
        await using var db = App.CreateDbContext();

        var result = await Store(db, Roles.Admin).RedealAsync(queue, new QueueEdit { Annotators = ["ann", "bob", "cat"], Overlap = 3 }, CancellationToken.None);

        var after = await DealAsync(queue);
        Assert.Equal(12, after.Count);
        Assert.Equal((4, 0, 8), (result!.Added, result.Removed, result.Kept));
        Assert.Equal(3, (await Store(db, Roles.Admin).DetailAsync(queue, CancellationToken.None))!.Queue.Overlap);
    }

    [Theory]
    [InlineData(Roles.Annotator)]
    [InlineData(Roles.Researcher + "-other")]
    public async Task OnlyTheResearcherWhoMadeItOrAnAdminMayChangeIt(string who)
    {
        var (queue, _, _) = await QueueAsync();
        await using var db = App.CreateDbContext();
        var before = await DealAsync(queue);
        // A second researcher: same role, another person.
        var store = who == Roles.Annotator ? Store(db, Roles.Annotator) : new QueueStore(db, new OtherResearcher(), App.Services.GetRequiredService<AccountsState>(), App.Clock);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => store.RedealAsync(queue, new QueueEdit { Annotators = ["ann"], Overlap = 1 }, CancellationToken.None));

        Assert.False(await store.MayChangeAsync(queue, CancellationToken.None));
        Assert.True(await Store(db, Roles.Researcher).MayChangeAsync(queue, CancellationToken.None));
        Assert.True(await Store(db, Roles.Admin).MayChangeAsync(queue, CancellationToken.None));
        Assert.Equal(before, await DealAsync(queue));
    }

    [Fact]
    public async Task AnInvalidChangeIsRefusedOnItsFieldAndChangesNothing()
    {
        var (queue, _, _) = await QueueAsync();
        await using var db = App.CreateDbContext();
        var before = await DealAsync(queue);
        var store = Store(db, Roles.Researcher);

        var overlap = await Assert.ThrowsAsync<QueueRequestException>(() => store.RedealAsync(queue, new QueueEdit { Annotators = ["ann", "bob"], Overlap = 3 }, CancellationToken.None));
        var stranger = await Assert.ThrowsAsync<QueueRequestException>(() => store.RedealAsync(queue, new QueueEdit { Annotators = ["ann", "zed"], Overlap = 1 }, CancellationToken.None));
        var nobody = await Assert.ThrowsAsync<QueueRequestException>(() => store.RedealAsync(queue, new QueueEdit { Annotators = [], Overlap = 1 }, CancellationToken.None));

        Assert.Equal("The overlap is 1 to 2 (the annotators chosen).", overlap.Errors[nameof(QueueRequest.Overlap)]);
        Assert.Equal("There is no person \"zed\".", stranger.Errors[nameof(QueueRequest.Annotators)]);
        Assert.Equal("Choose at least one annotator.", nobody.Errors[nameof(QueueRequest.Annotators)]);
        Assert.Equal(before, await DealAsync(queue));
        Assert.Null((await store.DetailAsync(queue, CancellationToken.None))!.ChangedAt);
        Assert.Equal([QueueAuditAction.Created], (await store.HistoryAsync(queue, CancellationToken.None)).Select(h => h.Action));
        Assert.Null(await store.RedealAsync(queue + 1000, new QueueEdit { Annotators = ["ann"], Overlap = 1 }, CancellationToken.None));
    }

    [Fact]
    public async Task MakingTheQueueAndEachReDealAreWrittenToItsHistory()
    {
        var (queue, _, _) = await QueueAsync();
        var made = App.Clock.GetUtcNow();
        App.Clock.Advance(TimeSpan.FromMinutes(5));
        await using var db = App.CreateDbContext();

        var first = await Store(db, Roles.Researcher).RedealAsync(queue, new QueueEdit { Annotators = ["ann", "bob", "dan"], Overlap = 2 }, CancellationToken.None);
        App.Clock.Advance(TimeSpan.FromMinutes(5));
        var second = await Store(db, Roles.Admin).RedealAsync(queue, new QueueEdit { Annotators = ["ann", "bob", "dan"], Overlap = 3 }, CancellationToken.None);

        var history = (await Store(db, Roles.Researcher).DetailAsync(queue, CancellationToken.None))!.History;
        Assert.Equal([QueueAuditAction.Redealt, QueueAuditAction.Redealt, QueueAuditAction.Created], history.Select(h => h.Action));
        var (latest, earlier, creation) = (history[0], history[1], history[2]);
        Assert.Equal((Maker, made.ToUnixTimeMilliseconds(), (IReadOnlyList<string>?)null, 2, 8, 0, 0),
            (creation.By, creation.At.ToUnixTimeMilliseconds(), creation.AnnotatorsBefore, creation.OverlapAfter, creation.Given, creation.Taken, creation.Kept));
        Assert.Equal(["ann", "bob", "cat"], creation.AnnotatorsAfter);
        Assert.Equal((Maker, made.AddMinutes(5).ToUnixTimeMilliseconds(), 2, 2, first!.Added, first.Removed, first.Kept),
            (earlier.By, earlier.At.ToUnixTimeMilliseconds(), earlier.OverlapBefore, earlier.OverlapAfter, earlier.Given, earlier.Taken, earlier.Kept));
        Assert.Equal(["ann", "bob", "cat"], earlier.AnnotatorsBefore!);
        Assert.Equal(["ann", "bob", "dan"], earlier.AnnotatorsAfter);
        Assert.True(earlier.Given > 0 && earlier.Taken > 0);
        Assert.Equal((Roles.Admin + "-id", made.AddMinutes(10).ToUnixTimeMilliseconds(), 2, 3, 4, 0, 8),
            (latest.By, latest.At.ToUnixTimeMilliseconds(), latest.OverlapBefore, latest.OverlapAfter, latest.Given, latest.Taken, latest.Kept));
        Assert.Equal((second!.Added, second.Removed, second.Kept), (latest.Given, latest.Taken, latest.Kept));
        Assert.Equal(["ann", "bob", "dan"], latest.AnnotatorsBefore!);
        Assert.Equal(["ann", "bob", "dan"], latest.AnnotatorsAfter);
    }

    /// <summary>
    /// The re-deal is held between its reads and its write while cat, whom it takes off, tags item 1: the tag commits
    /// first, so the assignment must stay with cat and count, and the item must not be given to a third annotator.
    /// </summary>
    [Fact]
    public async Task ATagSavedBetweenAReDealsReadAndItsWriteKeepsItsAssignmentAndCounts()
    {
        var (queue, trace, taxonomy) = await QueueAsync();
        var before = await DealAsync(queue);
        Assert.Contains((1, "cat", AssignmentState.Open), before);
        var (read, release) = (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var attempts = 0;
        await using var redealDb = App.CreateDbContext();
        var store = Store(redealDb, Roles.Researcher);
        store.BeforeRedealWrite = async _ =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                read.SetResult();
                await release.Task;
            }
        };

        var redeal = store.RedealAsync(queue, new QueueEdit { Annotators = ["ann", "bob", "dan"], Overlap = 2 }, CancellationToken.None);
        await read.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await using (var tagDb = App.CreateDbContext())
        {
            var tag = await tagDb.Set<Tag>().Where(t => t.TaxonomyId == taxonomy).Select(t => t.Id).FirstAsync();
            var saved = await new TagWriter(tagDb, App.Clock).ToggleAsync(TagAuthor.Person("cat"), taxonomy, [tag], [trace.Sentences[1].Id], CancellationToken.None);
            Assert.NotNull(saved.ChangeId);
        }

        release.SetResult();
        var result = await redeal.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, attempts);
        var after = await DealAsync(queue);
        var expected = QueueRules.Redeal(4, before.Select(b => new HeldAssignment(b.Item, b.Annotator, (b.Item, b.Annotator) == (1, "cat"))), ["ann", "bob", "dan"], 2);
        Assert.Equal(expected.Select(e => (e.Item, e.Annotator)).OrderBy(e => e.Item).ThenBy(e => e.Annotator, StringComparer.Ordinal), after.Select(a => (a.Item, a.Annotator)));
        Assert.Contains((1, "cat", AssignmentState.Open), after);
        Assert.Equal(2, after.Count(a => a.Item == 1));
        Assert.Equal(before.Count(b => !after.Contains(b)), result!.Removed);
        var detail = await Store(redealDb, Roles.Researcher).DetailAsync(queue, CancellationToken.None);
        var cat = Assert.Single(detail!.Annotators, a => a.Annotator == "cat");
        Assert.Equal((1, 1), (cat.Total, cat.Done));
        Assert.Equal(2, detail.History.Count);
    }

    /// <summary>A re-deal held between its read and its write while another re-deal of the queue commits is decided again on the other's result.</summary>
    [Fact]
    public async Task AReDealThatAnotherReDealOvertookIsDecidedAgainOnItsResult()
    {
        var (queue, _, _) = await QueueAsync();
        var (read, release) = (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var attempts = 0;
        await using var heldDb = App.CreateDbContext();
        var held = Store(heldDb, Roles.Researcher);
        held.BeforeRedealWrite = async _ =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                read.SetResult();
                await release.Task;
            }
        };

        var slow = held.RedealAsync(queue, new QueueEdit { Annotators = ["ann", "bob", "cat", "dan"], Overlap = 2 }, CancellationToken.None);
        await read.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await using (var otherDb = App.CreateDbContext())
        {
            await Store(otherDb, Roles.Admin).RedealAsync(queue, new QueueEdit { Annotators = ["ann", "bob"], Overlap = 1 }, CancellationToken.None);
        }

        var between = await DealAsync(queue);
        release.SetResult();
        var result = await slow.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, attempts);
        var expected = QueueRules.Redeal(4, between.Select(b => new HeldAssignment(b.Item, b.Annotator, false)), ["ann", "bob", "cat", "dan"], 2);
        var after = await DealAsync(queue);
        Assert.Equal(expected.Select(e => (e.Item, e.Annotator)).OrderBy(e => e.Item).ThenBy(e => e.Annotator, StringComparer.Ordinal), after.Select(a => (a.Item, a.Annotator)));
        Assert.Equal(8, after.Count);
        var history = await Store(heldDb, Roles.Researcher).HistoryAsync(queue, CancellationToken.None);
        Assert.Equal(3, history.Count);
        Assert.Equal((1, 2, result!.Added), (history[0].OverlapBefore!.Value, history[0].OverlapAfter, history[0].Given));
        Assert.Equal(["ann", "bob"], history[0].AnnotatorsBefore!);
    }

    /// <summary>A researcher who did not make the queue.</summary>
    private sealed class OtherResearcher : IAccess
    {
        private readonly FixedAccess _role = new(Roles.Researcher);

        public Task<bool> ShowsAsync(string policy) => _role.ShowsAsync(policy);

        public Task<bool> AllowsAsync(string policy) => _role.AllowsAsync(policy);

        public Task<System.Security.Claims.ClaimsPrincipal> UserAsync() => Task.FromResult(new System.Security.Claims.ClaimsPrincipal(
            new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "other-researcher"),
                new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Role, Roles.Researcher)], "Test")));
    }
}

public sealed class SqliteQueueRedealTests() : QueueRedealTests(null);

[Collection(PostgresServerGroup.Name)]
public sealed class PostgresQueueRedealTests(PostgresServer server) : QueueRedealTests(server);
