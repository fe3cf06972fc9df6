namespace TraceViewer.Data;

/// <summary>
/// The datasets the current caller may read, for this flow of work: null (nothing hidden) for the local owner, admins
/// and work without a caller (jobs, commands, start-up); otherwise the ids of the visible datasets. Set once per request
/// after sign-in and once per circuit activity (by the Datasets feature); the DbContext's query filters read it on each
/// query, so no query repeats the check.
/// </summary>
internal static class DatasetScope
{
    private static readonly AsyncLocal<int[]?> CurrentValue = new();

    public static int[]? Current => CurrentValue.Value;

    public static void Set(int[]? visibleDatasetIds) => CurrentValue.Value = visibleDatasetIds;
}

/// <summary>A dataset row: every other row is visible exactly when its dataset is.</summary>
internal interface IDatasetRow
{
    int Id { get; }
}

/// <summary>A trace row: rows with a <c>TraceId</c> belong to its dataset.</summary>
internal interface ITraceRow
{
    int Id { get; }

    int DatasetId { get; }
}

/// <summary>A sentence row: rows with a <c>SentenceId</c> (and no trace or dataset of their own) belong to its trace.</summary>
internal interface ISentenceRow
{
    int Id { get; }

    int TraceId { get; }
}
