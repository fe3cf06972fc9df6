using Microsoft.EntityFrameworkCore;
using TraceViewer.Tags;

namespace TraceViewer.Tests.Tags;

public sealed class TaxonomySeederTests : IDisposable
{
    private readonly TestApp _app = new();

    [Fact]
    public async Task AStartedAppHasBothBuiltInTaxonomiesWithHotkeysOneToNineInOrder()
    {
        await using var db = _app.CreateDbContext();

        var taxonomies = await db.Set<Taxonomy>().Include(t => t.Tags).OrderBy(t => t.Id).ToListAsync();

        Assert.Equal([BuiltInTaxonomies.Functions, BuiltInTaxonomies.Reasoning], taxonomies.Select(t => t.Name));
        Assert.All(taxonomies, t => Assert.Equal((true, true, 1), (t.BuiltIn, t.MultiChoice, t.Version)));
        Assert.Equal(
            ["problem_setup", "plan_generation", "fact_retrieval", "active_computation", "uncertainty_management", "result_consolidation", "self_checking", "final_answer_emission"],
            taxonomies[0].Tags.OrderBy(t => t.Hotkey).Select(t => t.Name));
        var reasoning = taxonomies[1].Tags.OrderBy(t => t.Hotkey).ToList();
        Assert.Equal(Enumerable.Range(1, 9), reasoning.Select(t => t.Hotkey!.Value));
        Assert.Equal(["training_objective", "monitoring", "rlhf_modification"], reasoning.Take(3).Select(t => t.Name));
        Assert.All(reasoning.Take(3), t => Assert.DoesNotContain("own addition", t.Description, StringComparison.Ordinal));
        Assert.All(reasoning.Skip(3), t => Assert.StartsWith("TraceViewer's own addition", t.Description, StringComparison.Ordinal));
        // Every colour is the product palette's, and none is a direction colour.
        Assert.All(taxonomies.SelectMany(t => t.Tags), t => Assert.Matches("^#[0-9A-F]{6}$", t.Colour));
        Assert.DoesNotContain(taxonomies.SelectMany(t => t.Tags), t => t.Colour == TraceViewer.Components.ProductColors.Promotes.Hex || t.Colour == TraceViewer.Components.ProductColors.Suppresses.Hex);
    }

    [Fact]
    public async Task SeedingAgainAddsNothingAndKeepsWhatAPersonChanged()
    {
        await using (var db = _app.CreateDbContext())
        {
            var tag = await db.Set<Tag>().SingleAsync(t => t.Name == "monitoring");
            tag.Colour = "#123456";
            tag.Hotkey = null;
            await db.SaveChangesAsync();
        }

        await using (var db = _app.CreateDbContext())
        {
            await TaxonomySeeder.SeedAsync(db, CancellationToken.None);
            await TaxonomySeeder.SeedAsync(db, CancellationToken.None);
        }

        await using var check = _app.CreateDbContext();
        Assert.Equal(2, await check.Set<Taxonomy>().CountAsync());
        Assert.Equal(17, await check.Set<Tag>().CountAsync());
        var monitoring = await check.Set<Tag>().SingleAsync(t => t.Name == "monitoring");
        Assert.Equal(("#123456", (int?)null), (monitoring.Colour, monitoring.Hotkey));
    }

    [Fact]
    public async Task TheDatabaseRefusesAHotkeyOutsideOneToNineOrTwiceInATaxonomy()
    {
        await using var db = _app.CreateDbContext();
        var taxonomy = await db.Set<Taxonomy>().SingleAsync(t => t.Name == BuiltInTaxonomies.Reasoning);

        db.Add(new Tag { TaxonomyId = taxonomy.Id, Name = "tenth", Hotkey = 10 });
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        db.ChangeTracker.Clear();
        db.Add(new Tag { TaxonomyId = taxonomy.Id, Name = "another first", Hotkey = 1 });
        var twice = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.True(UniqueRetry.IsConflict(twice));
    }

    public void Dispose() => _app.Dispose();
}
