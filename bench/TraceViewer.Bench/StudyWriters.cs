using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using TraceViewer.Import;

namespace TraceViewer.Bench;

/// <summary>Writes a generated study's rows into a database the app has migrated, one trace at a time.</summary>
internal interface IStudyWriter : IAsyncDisposable
{
    /// <summary>Writes (or queues) the trace's rows; returns the trace's id.</summary>
    Task<int> WriteAsync(GeneratedTrace trace);

    /// <summary>Writes what is queued and makes it lasting.</summary>
    Task CompleteAsync();
}

/// <summary>
/// SQLite: prepared inserts, one row each, in one transaction on the app's file; the full-text index and the dataset
/// summaries are kept by the app's triggers as the rows go in.
/// </summary>
internal sealed class SqliteStudyWriter : IStudyWriter
{
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly int[] _datasetIds;
    private readonly int _outcomeId;
    private readonly SqliteCommand _trace, _label, _sentence, _set, _value, _resample, _resampleLabel;

    private SqliteStudyWriter(SqliteConnection connection, SqliteTransaction transaction, int[] datasetIds, int outcomeId)
    {
        (_connection, _transaction, _datasetIds, _outcomeId) = (connection, transaction, datasetIds, outcomeId);
        var when = BulkCopy.SqliteText(StudyGenerator.When);
        _trace = Prepare($"""
            INSERT INTO "Trace" ("DatasetId","ExternalKey","Title","Prompt","Response","Reasoning","Model","SourceFormat","HasLabelledResamples","MaxImportance","SentenceCount","ResampleCount","ImportedAt")
            VALUES ($d,$k,$t,'{StudyGenerator.Prompt}','{StudyGenerator.Response}',$r,$m,'{StudyGenerator.SourceFormat}',1,$mi,$sc,$rc,'{when}') RETURNING "Id"
            """, "$d", "$k", "$t", "$r", "$m", "$mi", "$sc", "$rc");
        _label = Prepare("""INSERT INTO "TraceLabel" ("TraceId","OutcomeId","Value","IsPositive") VALUES ($t,$o,$v,$p)""", "$t", "$o", "$v", "$p");
        _sentence = Prepare("""INSERT INTO "Sentence" ("TraceId","Index","Text","Separator","Start","End") VALUES ($t,$i,$x,' ',0,0)""", "$t", "$i", "$x");
        _set = Prepare($"""
            INSERT INTO "MetricSet" ("TraceId","OutcomeId","Source","Threshold","ResampleCount","ComputedAt") VALUES ($t,$o,'Imported',{StudyGenerator.Threshold.ToString(CultureInfo.InvariantCulture)},$rc,'{when}') RETURNING "Id"
            """, "$t", "$o", "$rc");
        _value = Prepare("""
            INSERT INTO "SentenceMetric" ("MetricSetId","SentenceIndex","Name","Value","Low","High","Negated") VALUES ($s,$i,$n,$v,$l,$h,0)
            """, "$s", "$i", "$n", "$v", "$l", "$h");
        _resample = Prepare($"""
            INSERT INTO "Resample" ("TraceId","Position","SampleIndex","FirstSentence","Continuation","FinalOutput","Answer","Origin","CreatedAt")
            VALUES ($t,$p,$i,$f,'{StudyGenerator.Continuation}',$a,$a,'imported','{when}') RETURNING "Id"
            """, "$t", "$p", "$i", "$f", "$a");
        _resampleLabel = Prepare("""INSERT INTO "ResampleLabel" ("ResampleId","OutcomeId","Value","IsPositive") VALUES ($r,$o,$v,$p)""", "$r", "$o", "$v", "$p");
    }

    public static async Task<SqliteStudyWriter> OpenAsync(string path, int[] datasetIds, int outcomeId)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous = OFF;";
            await pragma.ExecuteNonQueryAsync();
        }

        return new SqliteStudyWriter(connection, (SqliteTransaction)await connection.BeginTransactionAsync(), datasetIds, outcomeId);
    }

    public Task<int> WriteAsync(GeneratedTrace trace)
    {
        var resamples = trace.ResamplesPerPosition;
        var traceId = Convert.ToInt32(Run(_trace, _datasetIds[trace.Dataset], trace.Key, trace.Title, trace.Reasoning, trace.Model,
            trace.MaxImportance, trace.SentenceCount, trace.SentenceCount * resamples), CultureInfo.InvariantCulture);
        Run(_label, traceId, _outcomeId, trace.Label, trace.Correct);
        for (var k = 0; k < trace.SentenceCount; k++)
        {
            Run(_sentence, traceId, k, trace.Texts[k]);
        }

        var setId = Convert.ToInt32(Run(_set, traceId, _outcomeId, trace.SentenceCount * resamples), CultureInfo.InvariantCulture);
        for (var k = 0; k < trace.SentenceCount; k++)
        {
            for (var m = 0; m < StudyGenerator.MetricsPerSentence; m++)
            {
                var (name, value, low, high) = trace.Metric(k, m);
                Run(_value, setId, k, name, value, low, high);
            }

            for (var j = 0; j < resamples; j++)
            {
                var answer = trace.Answer(k, j);
                var id = Run(_resample, traceId, k, j, trace.FirstSentence(k, j), answer);
                Run(_resampleLabel, id, _outcomeId, answer, trace.IsRight(k, j));
            }
        }

        return Task.FromResult(traceId);
    }

    public Task CompleteAsync() => _transaction.CommitAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var command in new[] { _trace, _label, _sentence, _set, _value, _resample, _resampleLabel })
        {
            await command.DisposeAsync();
        }

        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private SqliteCommand Prepare(string sql, params string[] names)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
        }

        command.Prepare();
        return command;
    }

    private static object? Run(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command.ExecuteScalar();
    }
}

/// <summary>
/// PostgreSQL: binary COPY (Npgsql's <see cref="NpgsqlBinaryImporter"/>), a batch of traces at a time, table by table in
/// the order of their foreign keys, one transaction per batch. Keys are given here, after the largest each table holds
/// (nothing else writes the study's tables meanwhile), and each identity's sequence is moved past them at the end. COPY
/// fires the row triggers, so the dataset summaries are kept as by any insert; the full-text index is an expression
/// index over the sentence's text, filled as rows arrive.
/// </summary>
internal sealed class PostgresStudyWriter : IStudyWriter
{
    private const int BatchTraces = 25;

    private static readonly string[] Keyed = ["Trace", "Sentence", "MetricSet", "SentenceMetric", "Resample"];

    private readonly NpgsqlConnection _connection;
    private readonly int[] _datasetIds;
    private readonly int _outcomeId;
    private readonly List<Pending> _batch = [];
    private long _traceId, _sentenceId, _setId, _valueId, _resampleId;

    private PostgresStudyWriter(NpgsqlConnection connection, int[] datasetIds, int outcomeId) =>
        (_connection, _datasetIds, _outcomeId) = (connection, datasetIds, outcomeId);

    /// <summary>One queued trace and the first key of each of its tables' rows.</summary>
    private sealed record Pending(GeneratedTrace Trace, int TraceId, int SentenceId, int SetId, long ValueId, long ResampleId);

    public static async Task<PostgresStudyWriter> OpenAsync(string connectionString, int[] datasetIds, int outcomeId)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var writer = new PostgresStudyWriter(connection, datasetIds, outcomeId);
        var next = new long[Keyed.Length];
        for (var i = 0; i < Keyed.Length; i++)
        {
            await using var command = new NpgsqlCommand($"""SELECT COALESCE(MAX("Id"), 0) + 1 FROM "{Keyed[i]}" """, connection);
            next[i] = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        (writer._traceId, writer._sentenceId, writer._setId, writer._valueId, writer._resampleId) = (next[0], next[1], next[2], next[3], next[4]);
        return writer;
    }

    public async Task<int> WriteAsync(GeneratedTrace trace)
    {
        var pending = new Pending(trace, checked((int)_traceId), checked((int)_sentenceId), checked((int)_setId), _valueId, _resampleId);
        _traceId++;
        _sentenceId += trace.SentenceCount;
        _setId++;
        _valueId += trace.SentenceCount * StudyGenerator.MetricsPerSentence;
        _resampleId += trace.SentenceCount * trace.ResamplesPerPosition;
        _batch.Add(pending);
        if (_batch.Count >= BatchTraces)
        {
            await FlushAsync();
        }

        return pending.TraceId;
    }

    public async Task CompleteAsync()
    {
        await FlushAsync();
        foreach (var table in Keyed)
        {
            await using var command = new NpgsqlCommand(
                $"""SELECT setval(pg_get_serial_sequence('"{table}"', 'Id'), (SELECT MAX("Id") FROM "{table}"))""", _connection);
            await command.ExecuteScalarAsync();
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private async Task FlushAsync()
    {
        if (_batch.Count == 0)
        {
            return;
        }

        await using var transaction = await _connection.BeginTransactionAsync();
        await CopyAsync("""COPY "Trace" ("Id","DatasetId","ExternalKey","Title","Prompt","Response","Reasoning","Model","SourceFormat","HasLabelledResamples","MaxImportance","SentenceCount","ResampleCount","ImportedAt") FROM STDIN (FORMAT BINARY)""", copy =>
        {
            foreach (var p in _batch)
            {
                var t = p.Trace;
                copy.StartRow();
                copy.Write(p.TraceId, NpgsqlDbType.Integer);
                copy.Write(_datasetIds[t.Dataset], NpgsqlDbType.Integer);
                copy.Write(t.Key, NpgsqlDbType.Text);
                copy.Write(t.Title, NpgsqlDbType.Text);
                copy.Write(StudyGenerator.Prompt, NpgsqlDbType.Text);
                copy.Write(StudyGenerator.Response, NpgsqlDbType.Text);
                copy.Write(t.Reasoning, NpgsqlDbType.Text);
                copy.Write(t.Model, NpgsqlDbType.Text);
                copy.Write(StudyGenerator.SourceFormat, NpgsqlDbType.Text);
                copy.Write(true, NpgsqlDbType.Boolean);
                copy.Write(t.MaxImportance, NpgsqlDbType.Double);
                copy.Write(t.SentenceCount, NpgsqlDbType.Integer);
                copy.Write(t.SentenceCount * t.ResamplesPerPosition, NpgsqlDbType.Integer);
                copy.Write(StudyGenerator.When, NpgsqlDbType.TimestampTz);
            }
        });
        await CopyAsync("""COPY "TraceLabel" ("TraceId","OutcomeId","Value","IsPositive") FROM STDIN (FORMAT BINARY)""", copy =>
        {
            foreach (var p in _batch)
            {
                copy.StartRow();
                copy.Write(p.TraceId, NpgsqlDbType.Integer);
                copy.Write(_outcomeId, NpgsqlDbType.Integer);
                copy.Write(p.Trace.Label, NpgsqlDbType.Text);
                copy.Write(p.Trace.Correct, NpgsqlDbType.Boolean);
            }
        });
        await CopyAsync("""COPY "Sentence" ("Id","TraceId","Index","Text","Separator","Start","End") FROM STDIN (FORMAT BINARY)""", copy =>
        {
            foreach (var p in _batch)
            {
                for (var k = 0; k < p.Trace.SentenceCount; k++)
                {
                    copy.StartRow();
                    copy.Write(p.SentenceId + k, NpgsqlDbType.Integer);
                    copy.Write(p.TraceId, NpgsqlDbType.Integer);
                    copy.Write(k, NpgsqlDbType.Integer);
                    copy.Write(p.Trace.Texts[k], NpgsqlDbType.Text);
                    copy.Write(" ", NpgsqlDbType.Text);
                    copy.Write(0, NpgsqlDbType.Integer);
                    copy.Write(0, NpgsqlDbType.Integer);
                }
            }
        });
        await CopyAsync("""COPY "MetricSet" ("Id","TraceId","OutcomeId","Source","Threshold","ResampleCount","ComputedAt") FROM STDIN (FORMAT BINARY)""", copy =>
        {
            foreach (var p in _batch)
            {
                copy.StartRow();
                copy.Write(p.SetId, NpgsqlDbType.Integer);
                copy.Write(p.TraceId, NpgsqlDbType.Integer);
                copy.Write(_outcomeId, NpgsqlDbType.Integer);
                copy.Write("Imported", NpgsqlDbType.Varchar);
                copy.Write(StudyGenerator.Threshold, NpgsqlDbType.Double);
                copy.Write(p.Trace.SentenceCount * p.Trace.ResamplesPerPosition, NpgsqlDbType.Integer);
                copy.Write(StudyGenerator.When, NpgsqlDbType.TimestampTz);
            }
        });
        await CopyAsync("""COPY "SentenceMetric" ("Id","MetricSetId","SentenceIndex","Name","Value","Low","High","Negated") FROM STDIN (FORMAT BINARY)""", copy =>
        {
            foreach (var p in _batch)
            {
                var id = p.ValueId;
                for (var k = 0; k < p.Trace.SentenceCount; k++)
                {
                    for (var m = 0; m < StudyGenerator.MetricsPerSentence; m++)
                    {
                        var (name, value, low, high) = p.Trace.Metric(k, m);
                        copy.StartRow();
                        copy.Write(id++, NpgsqlDbType.Bigint);
                        copy.Write(p.SetId, NpgsqlDbType.Integer);
                        copy.Write(k, NpgsqlDbType.Integer);
                        copy.Write(name, NpgsqlDbType.Text);
                        copy.Write(value, NpgsqlDbType.Double);
                        WriteNullable(copy, low);
                        WriteNullable(copy, high);
                        copy.Write(false, NpgsqlDbType.Boolean);
                    }
                }
            }
        });
        await CopyAsync("""COPY "Resample" ("Id","TraceId","Position","SampleIndex","FirstSentence","Continuation","FinalOutput","Answer","Origin","CreatedAt") FROM STDIN (FORMAT BINARY)""", copy =>
        {
            foreach (var p in _batch)
            {
                var id = p.ResampleId;
                for (var k = 0; k < p.Trace.SentenceCount; k++)
                {
                    for (var j = 0; j < p.Trace.ResamplesPerPosition; j++)
                    {
                        var answer = p.Trace.Answer(k, j);
                        copy.StartRow();
                        copy.Write(id++, NpgsqlDbType.Bigint);
                        copy.Write(p.TraceId, NpgsqlDbType.Integer);
                        copy.Write(k, NpgsqlDbType.Integer);
                        copy.Write(j, NpgsqlDbType.Integer);
                        copy.Write(p.Trace.FirstSentence(k, j), NpgsqlDbType.Text);
                        copy.Write(StudyGenerator.Continuation, NpgsqlDbType.Text);
                        copy.Write(answer, NpgsqlDbType.Text);
                        copy.Write(answer, NpgsqlDbType.Text);
                        copy.Write("imported", NpgsqlDbType.Text);
                        copy.Write(StudyGenerator.When, NpgsqlDbType.TimestampTz);
                    }
                }
            }
        });
        await CopyAsync("""COPY "ResampleLabel" ("ResampleId","OutcomeId","Value","IsPositive") FROM STDIN (FORMAT BINARY)""", copy =>
        {
            foreach (var p in _batch)
            {
                var id = p.ResampleId;
                for (var k = 0; k < p.Trace.SentenceCount; k++)
                {
                    for (var j = 0; j < p.Trace.ResamplesPerPosition; j++)
                    {
                        copy.StartRow();
                        copy.Write(id++, NpgsqlDbType.Bigint);
                        copy.Write(_outcomeId, NpgsqlDbType.Integer);
                        copy.Write(p.Trace.Answer(k, j), NpgsqlDbType.Text);
                        copy.Write(p.Trace.IsRight(k, j), NpgsqlDbType.Boolean);
                    }
                }
            }
        });
        await transaction.CommitAsync();
        _batch.Clear();
    }

    private async Task CopyAsync(string copyCommand, Action<NpgsqlBinaryImporter> rows)
    {
        await using var copy = await _connection.BeginBinaryImportAsync(copyCommand);
        // The importer fills its buffer and sends it when full, so writing row by row waits on the socket only then.
        rows(copy);
        await copy.CompleteAsync();
    }

    private static void WriteNullable(NpgsqlBinaryImporter copy, double? value)
    {
        if (value is { } v)
        {
            copy.Write(v, NpgsqlDbType.Double);
        }
        else
        {
            copy.WriteNull();
        }
    }
}
