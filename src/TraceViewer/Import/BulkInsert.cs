using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using TraceViewer.Data;

namespace TraceViewer.Import;

/// <summary>
/// Inserts many rows of one entity on the context's own connection and transaction. Table, columns and value
/// conversions come from the EF model, so it follows the migrations. On SQLite one prepared statement runs per row:
/// SaveChanges manages about 4,000 rows a second there, this roughly ten times that, which keeps a 15,000-resample
/// trace within seconds. On a server database a round trip per row would dominate, so rows go many to a statement.
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

        var table = await TableShape.OpenAsync<T>(db, ct);
        var returning = table.Generated is null ? "" : " RETURNING " + table.Column(table.Generated);
        if (!db.Database.IsSqlite())
        {
            await InsertBatchesAsync(db, table, rows, setGeneratedKey, returning, ct);
            return;
        }

        await using var statement = await RowStatement.PrepareAsync(db, table, returning, rows.First(), ct);
        foreach (var row in rows)
        {
            if (table.Generated is null)
            {
                await statement.Bind(row).ExecuteNonQueryAsync(ct);
            }
            else
            {
                var id = await statement.Bind(row).ExecuteScalarAsync(ct);
                setGeneratedKey?.Invoke(row, System.Convert.ToInt64(id, CultureInfo.InvariantCulture));
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

        var table = await TableShape.OpenAsync<T>(db, ct);
        // RETURNING yields a row only when the row was inserted, on both providers.
        var returning = " ON CONFLICT DO NOTHING RETURNING " + table.Column(table.Generated ?? table.Key[0]);
        await using var statement = await RowStatement.PrepareAsync(db, table, returning, rows.First(), ct);
        foreach (var row in rows)
        {
            var id = await statement.Bind(row).ExecuteScalarAsync(ct);
            if (id is null or DBNull)
            {
                continue;
            }

            if (table.Generated is not null)
            {
                setGeneratedKey?.Invoke(row, System.Convert.ToInt64(id, CultureInfo.InvariantCulture));
            }

            inserted.Add(row);
        }

        return inserted;
    }

    /// <summary>Multi-row INSERT ... VALUES (...), (...) RETURNING, which returns keys in row order.</summary>
    private static async Task InsertBatchesAsync<T>(TraceViewerDbContext db, TableShape table, IReadOnlyCollection<T> rows, Action<T, long>? setGeneratedKey,
        string returning, CancellationToken ct)
        where T : class
    {
        // PostgreSQL allows 65,535 parameters per statement.
        var batchSize = Math.Max(1, Math.Min(1000, 60_000 / table.Columns.Count));
        foreach (var batch in rows.Chunk(batchSize))
        {
            await using var command = CreateCommand(db);
            var text = new StringBuilder(table.InsertInto).Append("VALUES ");
            var p = 0;
            for (var r = 0; r < batch.Length; r++)
            {
                text.Append(r == 0 ? "(" : ", (");
                for (var i = 0; i < table.Columns.Count; i++)
                {
                    var name = "@p" + p++;
                    text.Append(i == 0 ? name : ", " + name);
                    command.Parameters.Add(table.Columns[i].CreateParameter(command, name, batch[r]));
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

    private static DbCommand CreateCommand(TraceViewerDbContext db)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return command;
    }

    private sealed record ColumnShape(IProperty Property, PropertyInfo Clr, RelationalTypeMapping Mapping)
    {
        /// <summary>CreateParameter converts the model value itself.</summary>
        public DbParameter CreateParameter(DbCommand command, string name, object row) =>
            Mapping.CreateParameter(command, name, Clr.GetValue(row), Property.IsNullable);

        public object ProviderValue(object row) =>
            Clr.GetValue(row) is { } value ? Mapping.Converter?.ConvertToProvider(value) ?? value : DBNull.Value;
    }

    /// <summary>The entity's table as the model maps it: inserted columns (all but a generated key), keys, SQL names.</summary>
    private sealed record TableShape(StoreObjectIdentifier Table, ISqlGenerationHelper Sql, IReadOnlyList<IProperty> Key, IProperty? Generated, IReadOnlyList<ColumnShape> Columns)
    {
        public string InsertInto => $"INSERT INTO {Sql.DelimitIdentifier(Table.Name, Table.Schema)} ({string.Join(", ", Columns.Select(c => Column(c.Property)))}) ";

        public string Column(IProperty property) => Sql.DelimitIdentifier(property.GetColumnName(Table)!);

        public static async Task<TableShape> OpenAsync<T>(TraceViewerDbContext db, CancellationToken ct)
        {
            var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not an entity.");
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var key = entity.FindPrimaryKey()!.Properties;
            var generated = key.Count == 1 && key[0].ValueGenerated == ValueGenerated.OnAdd ? key[0] : null;
            var columns = entity.GetProperties()
                .Where(p => p != generated)
                .Select(p => new ColumnShape(p, p.PropertyInfo ?? throw new InvalidOperationException($"{typeof(T).Name}.{p.Name} is a shadow property."), p.GetRelationalTypeMapping()))
                .ToList();
            await db.Database.OpenConnectionAsync(ct);
            return new TableShape(table, db.GetService<ISqlGenerationHelper>(), key, generated, columns);
        }
    }

    /// <summary>One prepared single-row INSERT whose parameters are rebound for each row.</summary>
    private sealed class RowStatement : IAsyncDisposable
    {
        private readonly DbCommand _command;
        private readonly TableShape _table;
        private readonly DbParameter[] _parameters;

        private RowStatement(DbCommand command, TableShape table, DbParameter[] parameters)
        {
            _command = command;
            _table = table;
            _parameters = parameters;
        }

        public static async Task<RowStatement> PrepareAsync(TraceViewerDbContext db, TableShape table, string suffix, object first, CancellationToken ct)
        {
            var command = CreateCommand(db);
            var names = table.Columns.Select((_, i) => "@p" + i).ToList();
            command.CommandText = table.InsertInto + $"VALUES ({string.Join(", ", names)})" + suffix;
            var parameters = new DbParameter[table.Columns.Count];
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i] = table.Columns[i].CreateParameter(command, names[i], first);
                command.Parameters.Add(parameters[i]);
            }

            await command.PrepareAsync(ct);
            return new RowStatement(command, table, parameters);
        }

        public DbCommand Bind(object row)
        {
            for (var i = 0; i < _parameters.Length; i++)
            {
                _parameters[i].Value = _table.Columns[i].ProviderValue(row);
            }

            return _command;
        }

        public ValueTask DisposeAsync() => _command.DisposeAsync();
    }
}
