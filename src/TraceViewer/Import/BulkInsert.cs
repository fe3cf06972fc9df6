using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using TraceViewer.Data;

namespace TraceViewer.Import;

/// <summary>
/// Inserts many rows of one entity through a single prepared command on the context's own connection and
/// transaction. Table, columns and value conversions come from the EF model, so it follows the migrations.
/// SaveChanges manages about 4,000 rows a second on SQLite here; this does roughly ten times that, which is
/// what keeps a 15,000-resample trace within seconds.
/// </summary>
internal static class BulkInsert
{
    /// <param name="setGeneratedKey">Receives the generated key of each row (rows are inserted in order).</param>
    public static async Task InsertAsync<T>(TraceViewerDbContext db, IReadOnlyCollection<T> rows, Action<T, long>? setGeneratedKey, CancellationToken ct)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not an entity.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var key = entity.FindPrimaryKey()!.Properties;
        var generated = key.Count == 1 && key[0].ValueGenerated == ValueGenerated.OnAdd ? key[0] : null;
        var columns = entity.GetProperties()
            .Where(p => p != generated)
            .Select(p => (Property: p, Clr: p.PropertyInfo ?? throw new InvalidOperationException($"{typeof(T).Name}.{p.Name} is a shadow property."), Mapping: p.GetRelationalTypeMapping()))
            .ToList();

        await db.Database.OpenConnectionAsync(ct);
        var sql = db.GetService<ISqlGenerationHelper>();
        var insert = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Property.GetColumnName(table)!)))}) ";
        var returning = generated is null ? "" : $" RETURNING {sql.DelimitIdentifier(generated.GetColumnName(table)!)}";
        if (!db.Database.IsSqlite())
        {
            // A server round trip per row would dominate: send many rows per statement instead.
            await InsertBatchesAsync(db, rows, setGeneratedKey, columns, insert, returning, ct);
            return;
        }

        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var names = columns.Select((_, i) => "@p" + i).ToList();
        command.CommandText = insert + $"VALUES ({string.Join(", ", names)})" + returning;

        var parameters = new DbParameter[columns.Count];
        var first = rows.First();
        for (var i = 0; i < columns.Count; i++)
        {
            var (property, clr, mapping) = columns[i];
            // CreateParameter converts the model value itself; later rows are converted by hand below.
            parameters[i] = mapping.CreateParameter(command, names[i], clr.GetValue(first), property.IsNullable);
            command.Parameters.Add(parameters[i]);
        }

        await command.PrepareAsync(ct);
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Count; i++)
            {
                parameters[i].Value = Convert(columns[i].Mapping, columns[i].Clr.GetValue(row)) ?? DBNull.Value;
            }

            if (generated is null)
            {
                await command.ExecuteNonQueryAsync(ct);
            }
            else
            {
                var id = await command.ExecuteScalarAsync(ct);
                setGeneratedKey?.Invoke(row, System.Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>
    /// Inserts the rows that do not collide with an existing row on a unique key (INSERT ... ON CONFLICT DO NOTHING, the
    /// same on SQLite and PostgreSQL), so concurrent or repeated writers store each row once. One prepared statement per row.
    /// </summary>
    /// <returns>The rows inserted, in order; <paramref name="setGeneratedKey"/> has received their keys.</returns>
    public static async Task<List<T>> InsertIgnoringConflictsAsync<T>(TraceViewerDbContext db, IReadOnlyCollection<T> rows, Action<T, long>? setGeneratedKey, CancellationToken ct)
        where T : class
    {
        var inserted = new List<T>();
        if (rows.Count == 0)
        {
            return inserted;
        }

        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not an entity.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var key = entity.FindPrimaryKey()!.Properties;
        var generated = key.Count == 1 && key[0].ValueGenerated == ValueGenerated.OnAdd ? key[0] : null;
        var columns = entity.GetProperties()
            .Where(p => p != generated)
            .Select(p => (Property: p, Clr: p.PropertyInfo ?? throw new InvalidOperationException($"{typeof(T).Name}.{p.Name} is a shadow property."), Mapping: p.GetRelationalTypeMapping()))
            .ToList();

        await db.Database.OpenConnectionAsync(ct);
        var sql = db.GetService<ISqlGenerationHelper>();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var names = columns.Select((_, i) => "@p" + i).ToList();
        // RETURNING yields a row only when the row was inserted, on both providers.
        command.CommandText = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Property.GetColumnName(table)!)))}) "
            + $"VALUES ({string.Join(", ", names)}) ON CONFLICT DO NOTHING RETURNING {sql.DelimitIdentifier((generated ?? key[0]).GetColumnName(table)!)}";
        var parameters = new DbParameter[columns.Count];
        var first = rows.First();
        for (var i = 0; i < columns.Count; i++)
        {
            var (property, clr, mapping) = columns[i];
            parameters[i] = mapping.CreateParameter(command, names[i], clr.GetValue(first), property.IsNullable);
            command.Parameters.Add(parameters[i]);
        }

        await command.PrepareAsync(ct);
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Count; i++)
            {
                parameters[i].Value = Convert(columns[i].Mapping, columns[i].Clr.GetValue(row)) ?? DBNull.Value;
            }

            var id = await command.ExecuteScalarAsync(ct);
            if (id is null or DBNull)
            {
                continue;
            }

            if (generated is not null)
            {
                setGeneratedKey?.Invoke(row, System.Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture));
            }

            inserted.Add(row);
        }

        return inserted;
    }

    /// <summary>Multi-row INSERT ... VALUES (...), (...) RETURNING, which returns keys in row order.</summary>
    private static async Task InsertBatchesAsync<T>(TraceViewerDbContext db, IReadOnlyCollection<T> rows, Action<T, long>? setGeneratedKey,
        List<(IProperty Property, System.Reflection.PropertyInfo Clr, RelationalTypeMapping Mapping)> columns, string insert, string returning, CancellationToken ct)
        where T : class
    {
        // PostgreSQL allows 65,535 parameters per statement.
        var batchSize = Math.Max(1, Math.Min(1000, 60_000 / columns.Count));
        foreach (var batch in rows.Chunk(batchSize))
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            var text = new System.Text.StringBuilder(insert).Append("VALUES ");
            var p = 0;
            for (var r = 0; r < batch.Length; r++)
            {
                text.Append(r == 0 ? "(" : ", (");
                for (var i = 0; i < columns.Count; i++)
                {
                    var name = "@p" + p++;
                    text.Append(i == 0 ? name : ", " + name);
                    var (property, clr, mapping) = columns[i];
                    command.Parameters.Add(mapping.CreateParameter(command, name, clr.GetValue(batch[r]), property.IsNullable));
                }

                text.Append(')');
            }

            command.CommandText = text.Append(returning).ToString();
            if (returning.Length == 0)
            {
                await command.ExecuteNonQueryAsync(ct);
                continue;
            }

            await using var reader = await command.ExecuteReaderAsync(ct);
            var index = 0;
            while (await reader.ReadAsync(ct))
            {
                setGeneratedKey?.Invoke(batch[index], reader.GetInt64(0));
                index++;
            }

            if (index != batch.Length)
            {
                throw new InvalidOperationException($"Inserted {batch.Length} {typeof(T).Name} rows but got {index} keys back.");
            }
        }
    }

    private static object? Convert(RelationalTypeMapping mapping, object? value) =>
        value is null ? null : mapping.Converter?.ConvertToProvider(value) ?? value;
}
