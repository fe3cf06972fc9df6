using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Accounts;
using TraceViewer.Queues;
using TraceViewer.Tags;

namespace TraceViewer.Tests.Queues;

/// <summary>Queues on the real SQLite file: made from a filter, refused to non-researchers, progress counted from tags and marks.</summary>
public sealed class QueueStoreTests(TestApp app) : IClassFixture<TestApp>
{
    private QueueStore Store(TraceViewer.Data.TraceViewerDbContext db, IAccess access) =>
        new(db, access, app.Services.GetRequiredService<AccountsState>(), app.Clock);

    private async Task<(SeededTrace A, SeededTrace B, int Taxonomy)> SeedAsync()
    {
        var key = $"queues/{Guid.NewGuid():N}";
        // Trace A: sentence 2 then 0 have the largest |effect|; trace B: sentence 3 then 1.
        double?[] a = [0.4, 0.1, -0.8, 0.05];
        double?[] b = [0.0, -0.5, 0.2, 0.6];
        var traceA = await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = key, Title = "A", SourcePath = "a", Sentences = ["A0.", "A1.", "A2.", "A3."], Counterfactual = k => a[k] });
        var traceB = await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = key, Title = "B", SourcePath = "b", Sentences = ["B0.", "B1.", "B2.", "B3."], Counterfactual = k => b[k] });
        await using var db = app.CreateDbContext();
        return (traceA, traceB, await db.Set<Taxonomy>().Where(t => t.Name == BuiltInTaxonomies.Reasoning).Select(t => t.Id).SingleAsync());
    }

    [Fact]
    public async Task TopKPicksTheSentencesWithTheLargestEffectPerTrace()
    {
        var (a, b, taxonomy) = await SeedAsync();
        await using var db = app.CreateDbContext();

        var id = await Store(db, FixedAccess.Owner).CreateAsync(new QueueRequest
        {
            Name = "Top two", DatasetId = a.DatasetId, OutcomeId = a.OutcomeId, TopK = 2, TaxonomyId = taxonomy,
            Annotators = [BuiltInTaxonomies.LocalPerson], Overlap = 1,
        }, CancellationToken.None);

        var items = await db.Set<QueueItem>().Where(i => i.QueueId == id).OrderBy(i => i.Position).Select(i => new { i.TraceId, i.SentenceIndex }).ToListAsync();
        Assert.Equal([(a.TraceId, 0), (a.TraceId, 2), (b.TraceId, 1), (b.TraceId, 3)], items.Select(i => (i.TraceId, i.SentenceIndex)));
        Assert.Equal(4, await db.Set<QueueAssignment>().CountAsync(x => x.Item!.QueueId == id && x.Annotator == BuiltInTaxonomies.LocalPerson));
    }

    [Fact]
    public async Task TheTraceFilterAndAllSentencesTakeEverySentenceOfTheChosenTraces()
    {
        var (a, _, taxonomy) = await SeedAsync();
        await using var db = app.CreateDbContext();

        var id = await Store(db, FixedAccess.Owner).CreateAsync(new QueueRequest
        {
            Name = "All of A", DatasetId = a.DatasetId, Traces = $"{a.TraceId}", TaxonomyId = taxonomy, Annotators = [BuiltInTaxonomies.LocalPerson],
        }, CancellationToken.None);

        Assert.Equal([0, 1, 2, 3], await db.Set<QueueItem>().Where(i => i.QueueId == id).OrderBy(i => i.Position).Select(i => i.SentenceIndex).ToListAsync());
    }

    [Theory]
    [InlineData(Roles.Reader)]
    [InlineData(Roles.Annotator)]
    public async Task OnlyResearchersMakeQueues(string role)
    {
        var (a, _, taxonomy) = await SeedAsync();
        await using var db = app.CreateDbContext();
        var before = await db.Set<Queue>().CountAsync();

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Store(db, new FixedAccess(role)).CreateAsync(new QueueRequest
        {
            Name = "No", DatasetId = a.DatasetId, TaxonomyId = taxonomy, Annotators = [BuiltInTaxonomies.LocalPerson],
        }, CancellationToken.None));

        Assert.Equal(before, await db.Set<Queue>().CountAsync());
    }

    [Fact]
    public async Task AnInvalidRequestIsRefusedWithErrorsOnTheFields()
    {
        await using var db = app.CreateDbContext();

        var error = await Assert.ThrowsAsync<QueueRequestException>(() => Store(db, FixedAccess.Owner).CreateAsync(new QueueRequest
        {
            Name = "", TopK = 0, Annotators = [BuiltInTaxonomies.LocalPerson], Overlap = 2,
        }, CancellationToken.None));

        Assert.Contains(nameof(QueueRequest.Name), error.Errors.Keys);
        Assert.Contains(nameof(QueueRequest.DatasetId), error.Errors.Keys);
        Assert.Contains(nameof(QueueRequest.TaxonomyId), error.Errors.Keys);
        Assert.Contains(nameof(QueueRequest.TopK), error.Errors.Keys);
        Assert.Contains(nameof(QueueRequest.Overlap), error.Errors.Keys);
    }

    [Fact]
    public async Task AnItemIsDoneOnceTaggedWithTheTaxonomyOrMarkedDone()
    {
        var (a, _, taxonomy) = await SeedAsync();
        await using var db = app.CreateDbContext();
        var store = Store(db, FixedAccess.Owner);
        var id = await store.CreateAsync(new QueueRequest
        {
            Name = "Progress", DatasetId = a.DatasetId, Traces = $"{a.TraceId}", TaxonomyId = taxonomy, Annotators = [BuiltInTaxonomies.LocalPerson],
        }, CancellationToken.None);
        var tag = await db.Set<Tag>().Where(t => t.TaxonomyId == taxonomy).Select(t => t.Id).FirstAsync();
        db.Add(new SentenceTag { SentenceId = a.Sentences[1].Id, TagId = tag, AnnotatorKind = AnnotatorKind.Person, Annotator = BuiltInTaxonomies.LocalPerson });
        // Someone else's tag and an imported tag do not count.
        db.Add(new SentenceTag { SentenceId = a.Sentences[2].Id, TagId = tag, AnnotatorKind = AnnotatorKind.Person, Annotator = "someone-else" });
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        Assert.True(await store.MarkAsync(id, 3, AssignmentState.Done, CancellationToken.None));
        Assert.True(await store.MarkAsync(id, 0, AssignmentState.Skipped, CancellationToken.None));

        var mine = Assert.Single(await store.MineAsync(CancellationToken.None), q => q.Id == id);
        Assert.Equal((4, 2, 1), (mine.Total, mine.Done, mine.Skipped));
        var detail = await store.DetailAsync(id, CancellationToken.None);
        var person = Assert.Single(detail!.Annotators);
        Assert.Equal((4, 2), (person.Total, person.Done));
        var place = await store.PlaceAsync(id, a.TraceId, 0, CancellationToken.None);
        Assert.Equal(2, place!.NextOpen!.SentenceIndex);
        Assert.Equal(1, place.Next!.SentenceIndex);
        Assert.False(await Store(db, new FixedAccess(Roles.Reader)).MarkAsync(id, 2, AssignmentState.Done, CancellationToken.None));
    }
}
