namespace TraceViewer.Data;

/// <summary>
/// Whether the database can be written: read-only from the start (see <see cref="DatabaseOptions"/>), or failing
/// writes right now (a full or failing disk). Pages and the jobs API show <see cref="Problem"/>; writes are refused
/// while read-only.
/// </summary>
internal sealed class DatabaseAccess(TimeProvider clock)
{
    // Replaced whole, so readers on other threads see one consistent failure or none.
    private volatile Failure? _failure;

    /// <summary>Why the database was opened read-only, or null when it is writable.</summary>
    public string? ReadOnlyReason { get; set; }

    public bool IsReadOnly => ReadOnlyReason is not null;

    public bool IsFailing => _failure is not null;

    /// <summary>Records a failed write; the first failure of a run of them keeps its time.</summary>
    public void ReportWriteFailure(string reason) => _failure = new Failure(_failure?.Since ?? clock.GetUtcNow(), reason);

    /// <summary>Records a successful write: the database is writable again. Returns true when it had been failing.</summary>
    public bool ReportWriteSuccess()
    {
        var was = _failure is not null;
        _failure = null;
        return was;
    }

    /// <summary>A sentence for users, or null when all is well.</summary>
    public string? Problem => ReadOnlyReason is { } readOnly
        ? $"The database is open read-only ({readOnly}): pages and reads work, changes are refused and jobs do not run."
        : _failure is { } failure
            ? $"Writing to the database has failed since {failure.Since:yyyy-MM-dd HH:mm:ss} UTC ({failure.Reason}); results are kept and written once it works again."
            : null;

    private sealed record Failure(DateTimeOffset Since, string Reason);
}
