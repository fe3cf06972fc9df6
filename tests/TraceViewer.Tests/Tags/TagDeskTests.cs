using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using TraceViewer.Accounts;
using TraceViewer.Tags;

namespace TraceViewer.Tests.Tags;

/// <summary>The workbench's server side on the real database: role checked at each write, key presses applied once.</summary>
public sealed class TagDeskTests(TestApp app) : IClassFixture<TestApp>
{
    private TagDesk Desk(FixedAccess access, TagNotifier? notifier = null) =>
        new(app.Services.GetRequiredService<IServiceScopeFactory>(), access, notifier ?? new TagNotifier(), NullLogger<TagDesk>.Instance);

    private async Task<(SeededTrace Trace, int Taxonomy)> SeedAsync()
    {
        var trace = await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = $"desk/{Guid.NewGuid():N}", Sentences = ["One.", "Two.", "Three."] });
        await using var db = app.CreateDbContext();
        return (trace, await db.Set<Taxonomy>().Where(t => t.Name == BuiltInTaxonomies.Reasoning).Select(t => t.Id).SingleAsync());
    }

    private async Task<List<(int Index, string Annotator, string? Note)>> PersonRowsAsync(int traceId)
    {
        await using var db = app.CreateDbContext();
        var rows = await (
            from st in db.Set<SentenceTag>()
            join s in db.Set<TraceViewer.Traces.Sentence>() on st.SentenceId equals s.Id
            where s.TraceId == traceId && st.AnnotatorKind == AnnotatorKind.Person
            orderby s.Index
            select new { s.Index, st.Annotator, st.Note }).ToListAsync();
        return [.. rows.Select(r => (r.Index, r.Annotator, r.Note))];
    }

    private static TagKeystroke Toggle(int traceId, int taxonomy, int key, int from, int to) => new(Guid.NewGuid(), "toggle", traceId, taxonomy, key, from, to, null, null);

    [Fact]
    public async Task AReadersKeyPressIsRefusedOnTheServerAndWritesNothing()
    {
        var (trace, taxonomy) = await SeedAsync();
        var reader = new FixedAccess(Roles.Reader);

        var result = await Desk(reader).ApplyAsync(Toggle(trace.TraceId, taxonomy, 1, 0, 1), CancellationToken.None);

        Assert.Equal(KeystrokeResult.Refused, result.Outcome);
        Assert.Equal(1, reader.Confirmations);
        Assert.Empty(await PersonRowsAsync(trace.TraceId));
        Assert.False(await Desk(reader).SubmitAsync(trace.TraceId, CancellationToken.None));
    }

    [Fact]
    public async Task AnAnnotatorsRangeIsTaggedAndTheOtherCircuitsAreTold()
    {
        var (trace, taxonomy) = await SeedAsync();
        var notifier = new TagNotifier();
        var told = new List<int>();
        notifier.Changed += (traceId, _) => told.Add(traceId);

        var result = await Desk(new FixedAccess(Roles.Annotator), notifier).ApplyAsync(Toggle(trace.TraceId, taxonomy, 2, 0, 1), CancellationToken.None);

        Assert.Equal(KeystrokeResult.Saved, result.Outcome);
        Assert.Equal([0, 1], result.Sentences);
        // The annotator is the user id.
        Assert.Equal([(0, "annotator-id", (string?)null), (1, "annotator-id", null)], await PersonRowsAsync(trace.TraceId));
        Assert.Equal([trace.TraceId], told);
    }

    [Fact]
    public async Task AKeyPressSentTwiceIsAppliedOnce()
    {
        var (trace, taxonomy) = await SeedAsync();
        var desk = Desk(FixedAccess.Owner);
        var key = Toggle(trace.TraceId, taxonomy, 3, 2, 2);

        Assert.Equal(KeystrokeResult.Saved, (await desk.ApplyAsync(key, CancellationToken.None)).Outcome);
        Assert.Equal(KeystrokeResult.Saved, (await desk.ApplyAsync(key, CancellationToken.None)).Outcome);
        Assert.Equal([(2, BuiltInTaxonomies.LocalPerson, (string?)null)], await PersonRowsAsync(trace.TraceId));

        var undo = new TagKeystroke(Guid.NewGuid(), "undo", trace.TraceId, taxonomy, 0, -1, -1, null, null);
        Assert.Equal([2], (await desk.ApplyAsync(undo, CancellationToken.None)).Sentences);
        await desk.ApplyAsync(undo, CancellationToken.None);
        Assert.Empty(await PersonRowsAsync(trace.TraceId));
        // The undo sent again did not undo anything further back: a new toggle is still there after it.
        await desk.ApplyAsync(Toggle(trace.TraceId, taxonomy, 3, 0, 0), CancellationToken.None);
        await desk.ApplyAsync(undo, CancellationToken.None);
        Assert.Single(await PersonRowsAsync(trace.TraceId));
    }

    [Fact]
    public async Task ANoteIsSetOnTheViewersTagAndASubmissionIsStoredOnce()
    {
        var (trace, taxonomy) = await SeedAsync();
        var desk = Desk(FixedAccess.Owner);
        await desk.ApplyAsync(Toggle(trace.TraceId, taxonomy, 1, 1, 1), CancellationToken.None);
        await using (var db = app.CreateDbContext())
        {
            var tagId = await db.Set<Tag>().Where(t => t.TaxonomyId == taxonomy && t.Hotkey == 1).Select(t => t.Id).SingleAsync();
            var note = new TagKeystroke(Guid.NewGuid(), "note", trace.TraceId, taxonomy, 0, 1, 1, tagId, "  says it is watched ");
            Assert.Equal(KeystrokeResult.Saved, (await desk.ApplyAsync(note, CancellationToken.None)).Outcome);
        }

        Assert.Equal([(1, BuiltInTaxonomies.LocalPerson, "says it is watched")], await PersonRowsAsync(trace.TraceId));

        var before = await desk.LoadAsync(trace.TraceId, await desk.AuthorAsync(), CancellationToken.None);
        Assert.False(before.Submitted);
        Assert.True(await desk.SubmitAsync(trace.TraceId, CancellationToken.None));
        Assert.True(await desk.SubmitAsync(trace.TraceId, CancellationToken.None));
        var after = await desk.LoadAsync(trace.TraceId, await desk.AuthorAsync(), CancellationToken.None);
        Assert.True(after.Submitted);
        Assert.Contains(after.Taxonomies, t => t.Name == BuiltInTaxonomies.Functions);
        await using var check = app.CreateDbContext();
        Assert.Equal(1, await check.Set<TagSubmission>().CountAsync(s => s.TraceId == trace.TraceId));
    }
}
