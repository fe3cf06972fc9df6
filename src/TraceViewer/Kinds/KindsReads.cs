using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using TraceViewer.Data;
using TraceViewer.Tags;

namespace TraceViewer.Kinds;

/// <summary>
/// The two large reads of a first load, written as SQL and read with a plain data reader into structs: the stored shown
/// effects of the shown metric sets, and the chosen taxonomy's tag rows on the shown traces. The SQL names the index
/// path each provider should take (on SQLite the join order and the index are fixed in the text, since without
/// statistics its planner reads the effects through an outcome-led rank index in random row order and the tag rows
/// from the tag-led index with a table look-up per row). The query filters of the context (<see cref="DatasetScope"/>)
/// do not apply to SQL run this way: callers pass only ids they read through those filters (metric sets and traces of
/// visible datasets), so the rows are the ones the filters would have let through.
/// </summary>
internal static class KindsReads
{
    /// <summary>A sentence's stored shown effect (<see cref="MetricSets.SearchEffect"/>), the columns the page uses.</summary>
    internal readonly record struct StoredEffect(int SentenceId, int TraceId, int SentenceIndex, int MetricSetId, double? Directional, double? Resampling, double KlRank);

    /// <summary>A sentence tag with its annotator as an index into the list the caller passed (-1 when not in it).</summary>
    internal readonly record struct TagRow(int TraceId, int SentenceId, int TagId, int Who);

    /// <summary>Someone who tags: an annotator's kind and name.</summary>
    internal sealed record TagAuthor(AnnotatorKind AnnotatorKind, string Annotator);

    /// <summary>
    /// Everyone who set a tag of <paramref name="taxonomyId"/> on a sentence the caller reads, in no particular order. On
    /// SQLite, for a caller who reads everything, one pass over the sentence-led index of sentence tags, which holds
    /// the tag and the annotator, instead of a table look-up for every tag row found through the tag-led index; otherwise
    /// through the context, whose query filters leave out the sentences of datasets the caller does not read.
    /// </summary>
    public static async Task<List<TagAuthor>> AnnotatorsAsync(TraceViewerDbContext db, int taxonomyId, CancellationToken ct)
    {
        if (db.Database.IsNpgsql() || DatasetScope.Current is not null)
        {
            return await (
                from st in db.Set<SentenceTag>().AsNoTracking()
                join t in db.Set<Tag>() on st.TagId equals t.Id
                where t.TaxonomyId == taxonomyId
                select new TagAuthor(st.AnnotatorKind, st.Annotator))
                .Distinct().ToListAsync(ct);
        }

        const string sql = """
            SELECT DISTINCT st."AnnotatorKind", st."Annotator"
            FROM "SentenceTag" AS st INDEXED BY "IX_SentenceTag_SentenceId_TagId_AnnotatorKind_Annotator"
            WHERE st."TagId" IN (SELECT t."Id" FROM "Tag" AS t WHERE t."TaxonomyId" = @taxonomy)
            """;
        var authors = new List<TagAuthor>();
        await using var opened = await OpenAsync(db, ct);
        await using var command = Command(db, sql);
        Add(command, "@taxonomy", taxonomyId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            authors.Add(new TagAuthor(Enum.Parse<AnnotatorKind>(reader.GetString(0)), reader.GetString(1)));
        }

        return authors;
    }

    /// <summary>The stored effects for <paramref name="outcomeId"/> that come from one of <paramref name="setIds"/>, in no particular order.</summary>
    public static async Task<List<StoredEffect>> StoredEffectsAsync(TraceViewerDbContext db, int outcomeId, IReadOnlyCollection<int> setIds, CancellationToken ct)
    {
        var rows = new List<StoredEffect>();
        if (setIds.Count == 0)
        {
            return rows;
        }

        var npgsql = db.Database.IsNpgsql();
        // SQLite: read by the metric set index, whose rows of one set lie together in the table; "+" keeps the outcome
        // out of the index choice.
        var sql = $"""
            SELECT e."SentenceId", e."TraceId", e."SentenceIndex", e."MetricSetId", e."Directional", e."Resampling", e."KlRank"
            FROM "SearchEffect" AS e
            WHERE e."MetricSetId" {InList(npgsql, "@sets")} AND {(npgsql ? "" : "+")}e."OutcomeId" = @outcome
            """;
        await using var opened = await OpenAsync(db, ct);
        await using var command = Command(db, sql);
        Add(command, "@sets", IdList(npgsql, setIds));
        Add(command, "@outcome", outcomeId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new StoredEffect(
                reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3),
                reader.IsDBNull(4) ? null : reader.GetDouble(4),
                reader.IsDBNull(5) ? null : reader.GetDouble(5),
                reader.GetDouble(6)));
        }

        return rows;
    }

    /// <summary>
    /// The tags of <paramref name="taxonomyId"/> on sentences of <paramref name="traceIds"/>, each with its annotator's
    /// place in <paramref name="annotators"/>; with <paramref name="only"/>, that annotator's rows alone. In no particular order.
    /// </summary>
    public static async Task<List<TagRow>> TagRowsAsync(
        TraceViewerDbContext db, int taxonomyId, IReadOnlyCollection<int> traceIds, IReadOnlyList<(AnnotatorKind Kind, string Annotator)> annotators,
        (AnnotatorKind Kind, string Annotator)? only, CancellationToken ct)
    {
        var rows = new List<TagRow>();
        if (traceIds.Count == 0)
        {
            return rows;
        }

        var npgsql = db.Database.IsNpgsql();
        var who = annotators.Count == 0
            ? "-1"
            : "CASE " + string.Concat(Enumerable.Range(0, annotators.Count).Select(i => $"""WHEN st."AnnotatorKind" = @k{i} AND st."Annotator" = @a{i} THEN {i} """)) + "ELSE -1 END";
        // SQLite: CROSS JOIN keeps the order written, so every step reads a covering index: the traces' sentences by
        // (TraceId, Index), their tags by (SentenceId, TagId, AnnotatorKind, Annotator), and the tag by its key.
        var sql = $"""
            SELECT s."TraceId", st."SentenceId", st."TagId", {who}
            FROM "Sentence" AS s CROSS JOIN "SentenceTag" AS st CROSS JOIN "Tag" AS t
            WHERE s."TraceId" {InList(npgsql, "@traces")} AND st."SentenceId" = s."Id" AND t."Id" = st."TagId" AND t."TaxonomyId" = @taxonomy
            {(only is null ? "" : """AND st."AnnotatorKind" = @onlyKind AND st."Annotator" = @onlyName""")}
            """;
        await using var opened = await OpenAsync(db, ct);
        await using var command = Command(db, sql);
        Add(command, "@traces", IdList(npgsql, traceIds));
        Add(command, "@taxonomy", taxonomyId);
        for (var i = 0; i < annotators.Count; i++)
        {
            Add(command, $"@k{i}", annotators[i].Kind.ToString());
            Add(command, $"@a{i}", annotators[i].Annotator);
        }

        if (only is { } one)
        {
            Add(command, "@onlyKind", one.Kind.ToString());
            Add(command, "@onlyName", one.Annotator);
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new TagRow(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3)));
        }

        return rows;
    }

    /// <summary>SQLite takes the ids as one JSON array, PostgreSQL as one integer array.</summary>
    private static string InList(bool npgsql, string parameter) =>
        npgsql ? $"= ANY({parameter})" : $"IN (SELECT value FROM json_each({parameter}))";

    private static object IdList(bool npgsql, IReadOnlyCollection<int> ids) =>
        npgsql ? ids.ToArray() : JsonSerializer.Serialize(ids);

    private static DbCommand Command(TraceViewerDbContext db, string sql)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return command;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>Opens the context's connection for the read and closes it after, as EF does for its own queries.</summary>
    private static async Task<IAsyncDisposable> OpenAsync(TraceViewerDbContext db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        return new Closing(db);
    }

    private sealed class Closing(TraceViewerDbContext db) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => new(db.Database.CloseConnectionAsync());
    }
}
