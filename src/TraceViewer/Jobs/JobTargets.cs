namespace TraceViewer.Jobs;

/// <summary>Checks and names the traces a job given a list of trace ids (traceIds) works on.</summary>
internal static class JobTargets
{
    /// <summary>Unknown ids listed in the message; null when every listed trace exists.</summary>
    public static string? Missing(IReadOnlyCollection<int> listed, IEnumerable<int> found)
    {
        var missing = listed.Except(found).Order().ToList();
        if (missing.Count == 0)
        {
            return null;
        }

        var shown = string.Join(", ", missing.Take(20));
        return missing.Count == 1 ? $"There is no trace with id {shown}."
            : $"There are no traces with ids {shown}{(missing.Count > 20 ? $" and {missing.Count - 20} more" : "")}.";
    }

    /// <summary>For a list of traces all in one dataset, that dataset (the job is filed under it); otherwise null.</summary>
    public static int? CommonDataset(IReadOnlyCollection<int>? listed, IEnumerable<int> datasets)
    {
        if (listed is null)
        {
            return null;
        }

        var distinct = datasets.Distinct().Take(2).ToList();
        return distinct.Count == 1 ? distinct[0] : null;
    }
}
