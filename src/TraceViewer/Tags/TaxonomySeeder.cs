using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using TraceViewer.Data;

namespace TraceViewer.Tags;

/// <summary>
/// Brings the built-in taxonomies into the database, idempotently: a missing one is added whole; one whose stored
/// <see cref="Taxonomy.Version"/> is below its definition's gains the definition's missing tags, and empty colours,
/// descriptions and free hotkeys are filled in, once. Nothing a person changed afterwards is overwritten. Runs at
/// start-up after the migrations (not on a read-only database); two instances starting together both succeed.
/// </summary>
internal static class TaxonomySeeder
{
    public static async Task SeedAsync(TraceViewerDbContext db, CancellationToken ct)
    {
        foreach (var definition in BuiltInTaxonomies.All)
        {
            await UniqueRetry.RunAsync(db, () => SeedOneAsync(db, definition, ct), ct);
        }
    }

    private static async Task SeedOneAsync(TraceViewerDbContext db, TaxonomyDefinition definition, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var taxonomy = await db.Set<Taxonomy>().Include(t => t.Tags).SingleOrDefaultAsync(t => t.Name == definition.Name, ct);
        if (taxonomy is null)
        {
            db.Add(new Taxonomy
            {
                Name = definition.Name,
                Description = definition.Description,
                Version = definition.Version,
                MultiChoice = definition.MultiChoice,
                BuiltIn = true,
                Tags = [.. definition.Tags.Select(t => new Tag { Name = t.Name, Colour = t.Colour, Description = t.Description, Hotkey = t.Hotkey })],
            });
        }
        else if (taxonomy.BuiltIn && taxonomy.Version < definition.Version)
        {
            taxonomy.Description ??= definition.Description;
            var taken = taxonomy.Tags.Where(t => t.Hotkey is not null).Select(t => t.Hotkey!.Value).ToHashSet();
            foreach (var wanted in definition.Tags)
            {
                var tag = taxonomy.Tags.FirstOrDefault(t => t.Name == wanted.Name);
                if (tag is null)
                {
                    tag = new Tag { Name = wanted.Name };
                    taxonomy.Tags.Add(tag);
                }

                tag.Colour ??= wanted.Colour;
                tag.Description ??= wanted.Description;
                if (tag.Hotkey is null && wanted.Hotkey is { } key && taken.Add(key))
                {
                    tag.Hotkey = key;
                }
            }

            taxonomy.Version = definition.Version;
        }
        else
        {
            return;
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }
}

/// <summary>
/// Runs a unit of work again when it lost a race on a unique index (another writer inserted the same row first):
/// the next attempt reads what the winner wrote. The unit must start and commit its own transaction.
/// </summary>
internal static class UniqueRetry
{
    public const int Attempts = 5;

    public static async Task<T> RunAsync<T>(TraceViewerDbContext db, Func<Task<T>> work, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work();
            }
            catch (Exception e) when (attempt < Attempts && IsConflict(e))
            {
                db.ChangeTracker.Clear();
                ct.ThrowIfCancellationRequested();
            }
        }
    }

    public static Task RunAsync(TraceViewerDbContext db, Func<Task> work, CancellationToken ct) =>
        RunAsync(db, async () =>
        {
            await work();
            return true;
        }, ct);

    /// <summary>A unique-index violation on either provider, or a row another writer changed meanwhile.</summary>
    public static bool IsConflict(Exception e) => e switch
    {
        WriteConflictException => true,
        DbUpdateConcurrencyException => true,
        PostgresException pg => pg.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected,
        // SQLITE_CONSTRAINT_UNIQUE and _PRIMARYKEY.
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => e.InnerException is { } inner && IsConflict(inner),
    };
}

/// <summary>A write found the rows other than it read them (another writer got there first); the work is run again.</summary>
internal sealed class WriteConflictException(string message) : Exception(message);
