using System.Collections.Concurrent;
using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;
using TraceViewer.Data;

namespace TraceViewer.Import;

/// <summary>
/// Writes the many rows an import owns (sentences, resamples, labels, metric values, links) inside the import's open
/// transaction, as fast as each database takes them. Generated keys are taken before the write and set on the rows, so
/// nothing is read back: on SQLite the keys after the largest one the table has ever given (the transaction holds the
/// write lock, so no one else takes them); on PostgreSQL values drawn from the column's sequence. SQLite then gets
/// statements of many rows each, prepared once and bound by position on the connection's own handle (the ADO.NET
/// layer looks every parameter up by name on every execution, which costs more than the insert); PostgreSQL gets a
/// binary COPY. Table, columns and value conversions come from the EF model, as in <see cref="BulkInsert"/>.
/// </summary>
internal static class BulkCopy
{
    /// <summary>Rows per SQLite statement: enough to spread a statement's cost, few enough to stay far below SQLite's parameter limit.</summary>
    private const int SqliteRowsPerStatement = 32;

    private static readonly ConcurrentDictionary<(Type Context, Type Entity), Shape> Shapes = new();

    /// <summary>Writes <paramref name="rows"/> in order; an entity with a generated key gets its key set first.</summary>
    /// <exception cref="InvalidOperationException">No transaction is open: the keys are only safe inside one.</exception>
    public static async Task WriteAsync<T>(TraceViewerDbContext db, IReadOnlyList<T> rows, CancellationToken ct)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("BulkCopy writes inside a transaction only.");
        }

        var shape = Shapes.GetOrAdd((db.GetType(), typeof(T)), key => Shape.Of(db, key.Entity));
        await db.Database.OpenConnectionAsync(ct);
        if (db.Database.GetDbConnection() is SqliteConnection sqlite)
        {
            if (shape.Generated is { } generated)
            {
                var next = NextSqliteKey(sqlite, shape);
                foreach (var row in rows)
                {
                    generated.SetKey(row, next++);
                }
            }

            InsertSqlite(sqlite, shape, rows);
            return;
        }

        var npgsql = (NpgsqlConnection)db.Database.GetDbConnection();
        if (shape.Generated is { } key)
        {
            var keys = await NextPostgresKeysAsync(npgsql, shape, rows.Count, ct);
            for (var i = 0; i < rows.Count; i++)
            {
                key.SetKey(rows[i], keys[i]);
            }
        }

        await CopyAsync(npgsql, shape, rows, ct);
    }

    /// <summary>The first key after both the largest row and the largest key AUTOINCREMENT ever gave (it never reuses one).</summary>
    private static long NextSqliteKey(SqliteConnection connection, Shape shape)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = $name), 0), coalesce((SELECT max({shape.Generated!.SqlName}) FROM {shape.Table}), 0)) + 1";
        command.Parameters.AddWithValue("$name", shape.TableName);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void InsertSqlite<T>(SqliteConnection connection, Shape shape, IReadOnlyList<T> rows)
        where T : class
    {
        var handle = connection.Handle!;
        var full = Math.Min(SqliteRowsPerStatement, rows.Count);
        var statement = new SqliteRows(handle, Prepare(handle, shape, full), shape.Columns.Count * full);
        try
        {
            var offset = 0;
            for (; offset + full <= rows.Count; offset += full)
            {
                statement.Execute(shape, rows, offset, full);
            }

            if (offset < rows.Count)
            {
                var rest = rows.Count - offset;
                using var tail = new SqliteRows(handle, Prepare(handle, shape, rest), shape.Columns.Count * rest);
                tail.Execute(shape, rows, offset, rest);
            }
        }
        finally
        {
            statement.Dispose();
        }
    }

    private static sqlite3_stmt Prepare(sqlite3 handle, Shape shape, int rows)
    {
        var text = new StringBuilder(shape.InsertInto).Append(" VALUES ");
        var row = "(" + string.Join(", ", Enumerable.Repeat("?", shape.Columns.Count)) + ")";
        for (var r = 0; r < rows; r++)
        {
            text.Append(r == 0 ? row : ", " + row);
        }

        var rc = raw.sqlite3_prepare_v2(handle, text.ToString(), out var statement);
        if (rc != raw.SQLITE_OK)
        {
            statement.Dispose();
            SqliteException.ThrowExceptionForRC(rc, handle);
        }

        return statement;
    }

    /// <summary>
    /// A prepared statement of many rows and what each of its parameters holds. SQLite keeps a parameter's value across
    /// executions, so a value equal to the one already bound (the trace's id, a constant origin, a null column) is not
    /// bound again; text goes to SQLite as UTF-8 from one reused buffer instead of a new array per value.
    /// </summary>
    private sealed class SqliteRows(sqlite3 handle, sqlite3_stmt statement, int parameters) : IDisposable
    {
        private readonly object?[] _bound = new object?[parameters];
        private readonly bool[] _set = new bool[parameters];
        private readonly long[] _integers = new long[parameters];
        private readonly double[] _reals = new double[parameters];
        private readonly DateTimeOffset[] _times = new DateTimeOffset[parameters];
        private byte[] _utf8 = new byte[1024];
        private DateTimeOffset _lastTime;
        private string? _lastTimeText;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute<T>(Shape shape, IReadOnlyList<T> rows, int offset, int count)
            where T : class
        {
            var columns = shape.Columns;
            var p = 0;
            for (var r = 0; r < count; r++)
            {
                var row = rows[offset + r];
                for (var c = 0; c < columns.Count; c++, p++)
                {
                    // Integers, reals and text are read typed (no box per value); the rest as objects.
                    var column = columns[c];
                    switch (column.Kind)
                    {
                        case ValueKind.Integer:
                            BindInteger(p, column.GetInteger(row));
                            break;
                        case ValueKind.Real:
                            BindReal(p, column.GetReal(row));
                            break;
                        case ValueKind.Text:
                            BindTextValue(p, column.GetText(row));
                            break;
                        case ValueKind.Time:
                            BindTime(p, column.GetTime(row));
                            break;
                        default:
                            var value = column.ProviderValue(row);
                            if (!_set[p] || !Same(_bound[p], value))
                            {
                                Bind(p + 1, value);
                                _bound[p] = value;
                                _set[p] = true;
                            }

                            break;
                    }
                }
            }

            var rc = raw.sqlite3_step(statement);
            raw.sqlite3_reset(statement);
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, handle);
            }
        }

        private void BindInteger(int p, long? value)
        {
            if (value is { } v)
            {
                if (!_set[p] || _bound[p] is not IntegerBound || _integers[p] != v)
                {
                    Check(raw.sqlite3_bind_int64(statement, p + 1, v), p + 1);
                    (_bound[p], _integers[p], _set[p]) = (IntegerBound.Instance, v, true);
                }
            }
            else
            {
                BindNull(p);
            }
        }

        private void BindReal(int p, double? value)
        {
            if (value is { } v)
            {
                if (!_set[p] || _bound[p] is not RealBound || BitConverter.DoubleToInt64Bits(_reals[p]) != BitConverter.DoubleToInt64Bits(v))
                {
                    Check(raw.sqlite3_bind_double(statement, p + 1, v), p + 1);
                    (_bound[p], _reals[p], _set[p]) = (RealBound.Instance, v, true);
                }
            }
            else
            {
                BindNull(p);
            }
        }

        private void BindTextValue(int p, string? value)
        {
            if (value is null)
            {
                BindNull(p);
            }
            else if (!_set[p] || !ReferenceEquals(_bound[p], value))
            {
                Check(BindText(p + 1, value), p + 1);
                (_bound[p], _set[p]) = (value, true);
            }
        }

        private void BindTime(int p, DateTimeOffset? value)
        {
            if (value is not { } v)
            {
                BindNull(p);
            }
            else if (!_set[p] || _bound[p] is not TimeBound || !_times[p].EqualsExact(v))
            {
                // The same text Microsoft.Data.Sqlite writes for a DateTimeOffset.
                Check(BindText(p + 1, TimeText(v)), p + 1);
                (_bound[p], _times[p], _set[p]) = (TimeBound.Instance, v, true);
            }
        }

        private void BindNull(int p)
        {
            if (!_set[p] || _bound[p] is not null)
            {
                Check(raw.sqlite3_bind_null(statement, p + 1), p + 1);
                (_bound[p], _set[p]) = (null, true);
            }
        }

        private static void Check(int rc, int index)
        {
            if (rc != raw.SQLITE_OK)
            {
                throw new InvalidOperationException($"SQLite refused parameter {index} (code {rc}).");
            }
        }

        /// <summary>What a parameter holds when it was bound typed: the value itself is in <see cref="_integers"/> or <see cref="_reals"/>.</summary>
        private sealed class IntegerBound
        {
            public static readonly IntegerBound Instance = new();
        }

        private sealed class RealBound
        {
            public static readonly RealBound Instance = new();
        }

        private sealed class TimeBound
        {
            public static readonly TimeBound Instance = new();
        }

        /// <summary>Only values that would be stored the same: the same string instance, the same bits of a double, the same offset of a time.</summary>
        private static bool Same(object? bound, object? value) => bound switch
        {
            null => value is null,
            int i => value is int v && v == i,
            long l => value is long v && v == l,
            bool b => value is bool v && v == b,
            double d => value is double v && BitConverter.DoubleToInt64Bits(v) == BitConverter.DoubleToInt64Bits(d),
            DateTimeOffset t => value is DateTimeOffset v && v.EqualsExact(t),
            _ => ReferenceEquals(bound, value),
        };

        /// <summary>Binds a provider value as Microsoft.Data.Sqlite would store it.</summary>
        private void Bind(int index, object? value)
        {
            var rc = value switch
            {
                null => raw.sqlite3_bind_null(statement, index),
                string s => BindText(index, s),
                int i => raw.sqlite3_bind_int64(statement, index, i),
                long l => raw.sqlite3_bind_int64(statement, index, l),
                bool b => raw.sqlite3_bind_int64(statement, index, b ? 1 : 0),
                double d => raw.sqlite3_bind_double(statement, index, d),
                short s => raw.sqlite3_bind_int64(statement, index, s),
                byte b => raw.sqlite3_bind_int64(statement, index, b),
                float f => raw.sqlite3_bind_double(statement, index, f),
                DateTimeOffset d => BindText(index, TimeText(d)),
                byte[] bytes => raw.sqlite3_bind_blob(statement, index, bytes),
                DBNull => raw.sqlite3_bind_null(statement, index),
                _ => throw new NotSupportedException($"BulkCopy cannot write a {value.GetType().Name} to SQLite."),
            };
            if (rc != raw.SQLITE_OK)
            {
                throw new InvalidOperationException($"SQLite refused parameter {index} (code {rc}).");
            }
        }

        private int BindText(int index, string text)
        {
            // The empty string and text holding NUL go the way they always went (an empty span would bind NULL).
            if (text.Length == 0 || text.Contains('\0', StringComparison.Ordinal))
            {
                return raw.sqlite3_bind_text(statement, index, text);
            }

            var most = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (most > _utf8.Length)
            {
                _utf8 = new byte[Math.Max(most, _utf8.Length * 2)];
            }

            var length = Encoding.UTF8.GetBytes(text, _utf8);
            // SQLite copies the bytes (SQLITE_TRANSIENT), so the buffer is free again at once.
            return raw.sqlite3_bind_text(statement, index, _utf8.AsSpan(0, length));
        }

        private string TimeText(DateTimeOffset value)
        {
            if (_lastTimeText is null || value != _lastTime || value.Offset != _lastTime.Offset)
            {
                _lastTime = value;
                _lastTimeText = SqliteText(value);
            }

            return _lastTimeText;
        }

        public void Dispose() => statement.Dispose();
    }

    /// <summary>A DateTimeOffset as text, the way Microsoft.Data.Sqlite writes it (and EF reads it back).</summary>
    internal static string SqliteText(DateTimeOffset value) =>
        value.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    /// <summary>Values of the key column's sequence; other writers may draw from it meanwhile, so they need not be consecutive.</summary>
    private static async Task<long[]> NextPostgresKeysAsync(NpgsqlConnection connection, Shape shape, int count, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT nextval(pg_get_serial_sequence(@table, @column)) FROM generate_series(1, @count)";
        command.Parameters.AddWithValue("table", shape.Table);
        command.Parameters.AddWithValue("column", shape.Generated!.Name);
        command.Parameters.AddWithValue("count", count);
        var keys = new long[count];
        var n = 0;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            keys[n++] = reader.GetInt64(0);
        }

        return n == count ? keys : throw new InvalidOperationException($"Asked {count} keys of {shape.Table}, got {n}.");
    }

    private static async Task CopyAsync<T>(NpgsqlConnection connection, Shape shape, IReadOnlyList<T> rows, CancellationToken ct)
        where T : class
    {
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {shape.Table} ({string.Join(", ", shape.Columns.Select(c => c.SqlName))}) FROM STDIN (FORMAT BINARY)", ct);
        // Row by row the importer only fills its buffer, so the synchronous calls wait on the socket only when it is full.
        // Each value is written typed (Write<T> with its NpgsqlDbType), never boxed.
        var columns = shape.Columns;
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            importer.StartRow();
            for (var c = 0; c < columns.Count; c++)
            {
                columns[c].Copy(importer, row);
            }
        }

        await importer.CompleteAsync(ct);
    }

    /// <summary>How SQLite gets a column's values: read typed (whole numbers and booleans, reals, text, times) or as objects.</summary>
    private enum ValueKind
    {
        Object,
        Integer,
        Real,
        Text,
        Time,
    }

    /// <summary>
    /// One column: its SQL name and store type, and compiled reads of the row's value as the database stores it (the
    /// model's value converter applied), typed for SQLite's binds and PostgreSQL's COPY so that no value is boxed.
    /// </summary>
    private sealed class Column(string name, string sqlName, string storeType, Func<object, object?> get, Func<object?, object?>? convert, Action<object, long>? setKey)
    {
        public ValueKind Kind { get; private init; }

        public Func<object, long?> GetInteger { get; private init; } = null!;

        public Func<object, double?> GetReal { get; private init; } = null!;

        public Func<object, string?> GetText { get; private init; } = null!;

        public Func<object, DateTimeOffset?> GetTime { get; private init; } = null!;

        /// <summary>Writes the row's value of this column to a COPY: typed, with its NpgsqlDbType, or a NULL.</summary>
        public Action<NpgsqlBinaryImporter, object> Copy { get; private init; } = null!;

        public string Name => name;

        public string SqlName => sqlName;

        public string StoreType => storeType;

        /// <returns>The value as the database stores it; null for SQL NULL.</returns>
        public object? ProviderValue(object row) =>
            get(row) is { } value ? (convert is null ? value : convert(value)) : null;

        public void SetKey(object row, long key) => setKey!(row, key);

        public static Column Of(IProperty property, StoreObjectIdentifier table, ISqlGenerationHelper sql)
        {
            var clr = property.PropertyInfo ?? throw new InvalidOperationException($"{property.DeclaringType.ClrType.Name}.{property.Name} is a shadow property.");
            var row = Expression.Parameter(typeof(object), "row");
            var typed = Expression.Convert(row, clr.DeclaringType!);
            var get = Expression.Lambda<Func<object, object?>>(Expression.Convert(Expression.Property(typed, clr), typeof(object)), row).Compile();
            Action<object, long>? setKey = null;
            if (property.ValueGenerated == ValueGenerated.OnAdd)
            {
                var key = Expression.Parameter(typeof(long), "key");
                setKey = Expression.Lambda<Action<object, long>>(Expression.Assign(Expression.Property(typed, clr), Expression.Convert(key, clr.PropertyType)), row, key).Compile();
            }

            var mapping = property.GetRelationalTypeMapping();
            var columnName = property.GetColumnName(table)!;
            // COPY names the type without its facets: "character varying", not "character varying(16)".
            var storeType = mapping.StoreType.Split('(')[0];

            // The stored value as an expression of the provider type: whether there is one, and the value (the model's
            // converter applied to a value that is not null, as EF applies it).
            var value = Expression.Property(typed, clr);
            var underlying = Nullable.GetUnderlyingType(clr.PropertyType);
            Expression hasValue = underlying is not null ? Expression.Property(value, "HasValue")
                : clr.PropertyType.IsValueType ? Expression.Constant(true)
                : Expression.NotEqual(value, Expression.Constant(null, clr.PropertyType));
            Expression present = underlying is not null ? Expression.Property(value, "Value") : value;
            if (mapping.Converter is { } converter)
            {
                var toProvider = converter.ConvertToProviderExpression;
                var input = present.Type == toProvider.Parameters[0].Type ? present : Expression.Convert(present, toProvider.Parameters[0].Type);
                present = Expression.Invoke(toProvider, input);
            }

            var provider = Nullable.GetUnderlyingType(present.Type) ?? present.Type;
            if (provider != present.Type)
            {
                hasValue = Expression.AndAlso(hasValue, Expression.Property(present, "HasValue"));
                present = Expression.Property(present, "Value");
            }

            var copy = CopyWriter(row, hasValue, present, storeType);
            Column Make(ValueKind kind = ValueKind.Object, Func<object, string?>? text = null, Func<object, long?>? integer = null, Func<object, double?>? real = null,
                Func<object, DateTimeOffset?>? time = null) =>
                new(columnName, sql.DelimitIdentifier(columnName), storeType, get, mapping.Converter?.ConvertToProvider, setKey)
                {
                    Kind = kind, GetText = text!, GetInteger = integer!, GetReal = real!, GetTime = time!, Copy = copy,
                };

            // Typed reads for SQLite, the same values ProviderValue gives: a bool as 0 or 1, a float widened.
            Func<object, TResult?> Read<TResult>(Expression widened)
                where TResult : struct
            {
                var nullable = typeof(TResult?);
                return Expression.Lambda<Func<object, TResult?>>(
                    Expression.Condition(hasValue, Expression.Convert(widened, nullable), Expression.Constant(null, nullable)), row).Compile();
            }

            if (provider == typeof(string))
            {
                // A converter may still give null for a value; that is stored as NULL, as before.
                return Make(ValueKind.Text, text: Expression.Lambda<Func<object, string?>>(
                    Expression.Condition(hasValue, present, Expression.Constant(null, typeof(string))), row).Compile());
            }

            if (provider == typeof(DateTimeOffset))
            {
                return Make(ValueKind.Time, time: Read<DateTimeOffset>(present));
            }

            if (provider == typeof(int) || provider == typeof(long) || provider == typeof(short) || provider == typeof(byte) || provider == typeof(bool))
            {
                var widened = provider == typeof(bool)
                    ? Expression.Condition(present, Expression.Constant(1L), Expression.Constant(0L))
                    : (Expression)Expression.Convert(present, typeof(long));
                return Make(ValueKind.Integer, integer: Read<long>(widened));
            }

            if (provider == typeof(double) || provider == typeof(float))
            {
                return Make(ValueKind.Real, real: Read<double>(Expression.Convert(present, typeof(double))));
            }

            return Make();
        }

        /// <summary>A compiled COPY write of the column: NULL, or the provider value through Write&lt;T&gt; with its NpgsqlDbType.</summary>
        private static Action<NpgsqlBinaryImporter, object> CopyWriter(ParameterExpression row, Expression hasValue, Expression present, string storeType)
        {
            var importer = Expression.Parameter(typeof(NpgsqlBinaryImporter), "importer");
            var writeNull = Expression.Call(importer, typeof(NpgsqlBinaryImporter).GetMethod(nameof(NpgsqlBinaryImporter.WriteNull), Type.EmptyTypes)!);
            Expression write = NpgsqlType(storeType) is { } type
                ? Expression.Call(typeof(Column).GetMethod(nameof(CopyTyped), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(present.Type), importer, present, Expression.Constant(type))
                : Expression.Call(typeof(Column).GetMethod(nameof(CopyNamed), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(present.Type), importer, present, Expression.Constant(storeType));
            return Expression.Lambda<Action<NpgsqlBinaryImporter, object>>(Expression.IfThenElse(hasValue, write, writeNull), importer, row).Compile();
        }

        private static void CopyTyped<T>(NpgsqlBinaryImporter importer, T value, NpgsqlDbType type)
        {
            if (value is null)
            {
                importer.WriteNull();
            }
            else
            {
                importer.Write(value, type);
            }
        }

        /// <summary>A store type without an NpgsqlDbType here: still typed, named as the model names it.</summary>
        private static void CopyNamed<T>(NpgsqlBinaryImporter importer, T value, string storeType)
        {
            if (value is null)
            {
                importer.WriteNull();
            }
            else
            {
                importer.Write(value, storeType);
            }
        }

        private static NpgsqlDbType? NpgsqlType(string storeType) => storeType switch
        {
            "integer" => NpgsqlDbType.Integer,
            "bigint" => NpgsqlDbType.Bigint,
            "smallint" => NpgsqlDbType.Smallint,
            "boolean" => NpgsqlDbType.Boolean,
            "double precision" => NpgsqlDbType.Double,
            "real" => NpgsqlDbType.Real,
            "text" => NpgsqlDbType.Text,
            "character varying" => NpgsqlDbType.Varchar,
            "timestamp with time zone" => NpgsqlDbType.TimestampTz,
            "jsonb" => NpgsqlDbType.Jsonb,
            "bytea" => NpgsqlDbType.Bytea,
            "uuid" => NpgsqlDbType.Uuid,
            _ => null,
        };
    }

    /// <summary>The entity's table as the model maps it: every column, the generated key among them.</summary>
    private sealed record Shape(string Table, string TableName, string InsertInto, Column? Generated, IReadOnlyList<Column> Columns)
    {
        public static Shape Of(TraceViewerDbContext db, Type type)
        {
            var entity = db.Model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not an entity.");
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var sql = db.GetService<ISqlGenerationHelper>();
            var key = entity.FindPrimaryKey()!.Properties;
            var generatedKey = key.Count == 1 && key[0].ValueGenerated == ValueGenerated.OnAdd ? key[0] : null;
            var columns = entity.GetProperties().Select(p => Column.Of(p, table, sql)).ToList();
            var generated = generatedKey is null ? null : columns.Single(c => c.Name == generatedKey.GetColumnName(table));
            var delimited = sql.DelimitIdentifier(table.Name, table.Schema);
            return new Shape(delimited, table.Name, $"INSERT INTO {delimited} ({string.Join(", ", columns.Select(c => c.SqlName))})", generated, columns);
        }
    }
}
