namespace TraceViewer.Views;

/// <summary>
/// Which datasets the current caller reads, for the datasets saved views name (a dataset id or key from a <c>dataset=</c>
/// parameter, or a study's dataset id). Implemented by a feature that knows datasets; views themselves do not.
/// </summary>
internal interface IViewDatasets
{
    /// <summary>
    /// Null when the caller reads every dataset (an admin, the local owner); otherwise those of <paramref name="named"/>
    /// that name datasets the caller reads. A name that matches no dataset, or also a dataset the caller does not read
    /// (an id that is another dataset's key), is not in the answer.
    /// </summary>
    Task<IReadOnlySet<string>?> ReadAsync(IReadOnlyCollection<string> named, CancellationToken ct = default);
}
