using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace TraceViewer.Data;

/// <summary>
/// The query filters that hide what the caller may not read (<see cref="DatasetScope"/>): a dataset by its id, and every
/// row that belongs to one by its <c>DatasetId</c>, or through its <c>TraceId</c> or <c>SentenceId</c>. Found by those
/// property names on each table, so a new table that belongs to a dataset is filtered without being named here. Rows
/// with an empty dataset and trace (a job over everything) stay visible.
/// </summary>
internal partial class TraceViewerDbContext
{
    // Instance members on purpose: EF reads a context's members afresh on each query (a static member only once).
#pragma warning disable CA1822
    /// <summary>Whether the current caller reads only some datasets.</summary>
    internal bool RestrictsDatasets => DatasetScope.Current is not null;

    /// <summary>The datasets the current caller reads, when <see cref="RestrictsDatasets"/>.</summary>
    internal int[] VisibleDatasetIds => DatasetScope.Current ?? [];
#pragma warning restore CA1822

    private void ApplyDatasetFilters(ModelBuilder modelBuilder)
    {
        var roots = modelBuilder.Model.GetEntityTypes().Where(e => e.BaseType is null && !e.IsOwned()).Select(e => e.ClrType).ToList();
        var trace = roots.SingleOrDefault(t => typeof(ITraceRow).IsAssignableFrom(t));
        var sentence = roots.SingleOrDefault(t => typeof(ISentenceRow).IsAssignableFrom(t));
        foreach (var type in roots)
        {
            if (FilterFor(type, trace, sentence) is { } filter)
            {
                modelBuilder.Entity(type).HasQueryFilter(filter);
            }
        }
    }

    private LambdaExpression? FilterFor(Type type, Type? trace, Type? sentence)
    {
        var dataset = PropertyType(type, "DatasetId");
        var traceId = PropertyType(type, "TraceId");
        (string Name, Type[] Arguments)? choice =
            typeof(IDatasetRow).IsAssignableFrom(type) ? (nameof(ByOwnId), [type])
            : dataset == typeof(int) ? (nameof(ByDataset), [type])
            : dataset == typeof(int?) && traceId == typeof(int?) && trace is not null ? (nameof(ByOptionalDatasetOrTrace), [type, trace])
            : dataset == typeof(int?) ? (nameof(ByOptionalDataset), [type])
            : traceId == typeof(int) && trace is not null ? (nameof(ByTrace), [type, trace])
            : traceId == typeof(int?) && trace is not null ? (nameof(ByOptionalTrace), [type, trace])
            : PropertyType(type, "SentenceId") == typeof(int) && sentence is not null && trace is not null ? (nameof(BySentence), [type, sentence, trace])
            : null;
        if (choice is not { } chosen)
        {
            return null;
        }

        var method = typeof(TraceViewerDbContext).GetMethod(chosen.Name, BindingFlags.Instance | BindingFlags.NonPublic)!;
        return (LambdaExpression)method.MakeGenericMethod(chosen.Arguments).Invoke(this, null)!;
    }

    private static Type? PropertyType(Type type, string name) => type.GetProperty(name)?.PropertyType;

    private Expression<Func<T, bool>> ByOwnId<T>()
        where T : class, IDatasetRow =>
        e => !RestrictsDatasets || Enumerable.Contains(VisibleDatasetIds, e.Id);

    private Expression<Func<T, bool>> ByDataset<T>()
        where T : class =>
        e => !RestrictsDatasets || Enumerable.Contains(VisibleDatasetIds, EF.Property<int>(e, "DatasetId"));

    private Expression<Func<T, bool>> ByOptionalDataset<T>()
        where T : class =>
        e => !RestrictsDatasets || EF.Property<int?>(e, "DatasetId") == null || Enumerable.Contains(VisibleDatasetIds, (int)EF.Property<int?>(e, "DatasetId")!);

    private Expression<Func<T, bool>> ByOptionalDatasetOrTrace<T, TTrace>()
        where T : class
        where TTrace : class, ITraceRow =>
        e => !RestrictsDatasets
            || (EF.Property<int?>(e, "DatasetId") != null && Enumerable.Contains(VisibleDatasetIds, (int)EF.Property<int?>(e, "DatasetId")!))
            || (EF.Property<int?>(e, "DatasetId") == null
                && (EF.Property<int?>(e, "TraceId") == null
                    || Set<TTrace>().Any(t => t.Id == EF.Property<int?>(e, "TraceId") && Enumerable.Contains(VisibleDatasetIds, t.DatasetId))));

    private Expression<Func<T, bool>> ByTrace<T, TTrace>()
        where T : class
        where TTrace : class, ITraceRow =>
        e => !RestrictsDatasets || Set<TTrace>().Any(t => t.Id == EF.Property<int>(e, "TraceId") && Enumerable.Contains(VisibleDatasetIds, t.DatasetId));

    private Expression<Func<T, bool>> ByOptionalTrace<T, TTrace>()
        where T : class
        where TTrace : class, ITraceRow =>
        e => !RestrictsDatasets || EF.Property<int?>(e, "TraceId") == null
            || Set<TTrace>().Any(t => t.Id == EF.Property<int?>(e, "TraceId") && Enumerable.Contains(VisibleDatasetIds, t.DatasetId));

    private Expression<Func<T, bool>> BySentence<T, TSentence, TTrace>()
        where T : class
        where TSentence : class, ISentenceRow
        where TTrace : class, ITraceRow =>
        e => !RestrictsDatasets || Set<TSentence>().Any(s => s.Id == EF.Property<int>(e, "SentenceId")
            && Set<TTrace>().Any(t => t.Id == s.TraceId && Enumerable.Contains(VisibleDatasetIds, t.DatasetId)));
}
