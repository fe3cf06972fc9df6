using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Data;
using TraceViewer.Import;
using TraceViewer.Tags;

namespace TraceViewer.Tests.Import;

/// <summary>Runs imports against a test app's database and reads raw table contents back.</summary>
internal static class ImportDatabase
{
    public static async Task<ImportSummary> ImportAsync(this TestApp app, string path, bool namesAboveRoot = false)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ImportService>().ImportAsync(path, namesAboveRoot, null, CancellationToken.None);
    }

    /// <summary>The tables that hold the app's data: not the data-protection keys, which the first page that carries a form token adds.</summary>
    public static IReadOnlyList<string> Tables(TraceViewerDbContext db) =>
        [.. db.Model.GetEntityTypes().Where(e => e.ClrType != typeof(Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey))
            .Select(e => e.GetTableName()).OfType<string>().Distinct().Order(StringComparer.Ordinal)];

    /// <summary>The tables an import may write: all but the data-protection keys, which the first page carrying an antiforgery token makes.</summary>
    public static IEnumerable<string> DataTables(TraceViewerDbContext db) => Tables(db).Where(t => t != "DataProtectionKeys");

    /// <summary>Row count of every table the model maps, beyond the rows a new database has (see <see cref="Seeded"/>).</summary>
    public static async Task<Dictionary<string, long>> CountRowsAsync(this TestApp app)
    {
        using var db = app.CreateDbContext();
        var counts = new Dictionary<string, long>();
        foreach (var table in DataTables(db))
        {
            counts[table] = (await DumpAsync(db, table)).Count - Seeded(db, table);
        }

        return counts;
    }

    /// <summary>
    /// Rows a database has before anything is imported: the rows the migrations seed from the model (the Default
    /// workspace) and the built-in taxonomies and their tags, which start-up adds.
    /// </summary>
    public static long Seeded(TraceViewerDbContext db, string table) =>
        SchemaSeed(db).Where(s => s.Table == table).Sum(s => (long)s.Rows.Count) + table switch
        {
            "Taxonomy" => BuiltInTaxonomies.All.Count,
            "Tag" => BuiltInTaxonomies.All.Sum(t => t.Tags.Count),
            _ => 0,
        };

    /// <summary>The rows the model seeds (<c>HasData</c>, written by the migrations), per table, as the database stores them.</summary>
    public static IReadOnlyList<(string Table, IReadOnlyEntityType Type, IReadOnlyList<IDictionary<string, object?>> Rows)> SchemaSeed(TraceViewerDbContext db) =>
        [.. db.GetService<IDesignTimeModel>().Model.GetEntityTypes()
            .Select(e => (Table: e.GetTableName()!, Type: (IReadOnlyEntityType)e, Rows: (IReadOnlyList<IDictionary<string, object?>>)[.. e.GetSeedData(providerValues: true)]))
            .Where(s => s.Table is not null && s.Rows.Count > 0)];

    /// <summary>Writes the model's seed rows (<see cref="SchemaSeed"/>) again, as into a new database.</summary>
    public static async Task RestoreSchemaSeedAsync(TraceViewerDbContext db)
    {
        foreach (var (table, type, rows) in SchemaSeed(db))
        {
            foreach (var row in rows)
            {
                // Seed rows are keyed by member name and may carry navigations too; only the mapped properties are columns.
                var values = row.Where(r => type.FindProperty(r.Key) is not null)
                    .Select(r => (Column: type.FindProperty(r.Key)!.GetColumnName(), r.Value)).ToList();
                var placeholders = Enumerable.Range(0, values.Count).Select(i => "{" + i.ToString(CultureInfo.InvariantCulture) + "}");
#pragma warning disable EF1002 // table and column names come from the model, values are parameters
                await db.Database.ExecuteSqlRawAsync(
                    $"INSERT INTO \"{table}\" ({string.Join(", ", values.Select(v => $"\"{v.Column}\""))}) VALUES ({string.Join(", ", placeholders)})",
                    [.. values.Select(v => v.Value ?? DBNull.Value)]);
#pragma warning restore EF1002
            }
        }
    }

    /// <summary>Every row of every table as text, in rowid order: two databases with the same data give the same dump.</summary>
    public static async Task<Dictionary<string, List<string>>> DumpAsync(this TestApp app)
    {
        using var db = app.CreateDbContext();
        var dump = new Dictionary<string, List<string>>();
        foreach (var table in Tables(db))
        {
            dump[table] = await DumpAsync(db, table);
        }

        return dump;
    }

    private static async Task<List<string>> DumpAsync(TraceViewerDbContext db, string table)
    {
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\" ORDER BY rowid";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var cells = new string[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var value = reader.GetValue(i);
                cells[i] = reader.GetName(i) + "=" + (value switch
                {
                    double d => d.ToString("R", CultureInfo.InvariantCulture),
                    byte[] bytes => Convert.ToHexString(bytes),
                    _ => Convert.ToString(value, CultureInfo.InvariantCulture),
                });
            }

            rows.Add(string.Join("|", cells));
        }

        return rows;
    }
}
