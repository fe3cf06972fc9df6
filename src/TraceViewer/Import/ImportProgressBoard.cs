using System.Collections.Concurrent;

namespace TraceViewer.Import;

/// <summary>Where an upload's import stands on the server: saving its files, reading them, writing traces.</summary>
public sealed record ImportStage(string Name, long Done, long Total);

/// <summary>
/// Carries an upload's progress on the server to the page that sent it. The page picks an id, watches it here (in
/// its circuit) and sends the upload with that id; the upload request reports to it. An upload that lands on another
/// instance than the page's circuit just shows no stages.
/// </summary>
internal sealed class ImportProgressBoard
{
    private readonly ConcurrentDictionary<Guid, Action<ImportStage>> _watchers = new();

    public IDisposable Watch(Guid id, Action<ImportStage> onChange)
    {
        _watchers[id] = onChange;
        return new Watcher(() => _watchers.TryRemove(id, out _));
    }

    public void Report(Guid? id, ImportStage stage)
    {
        if (id is { } key && _watchers.TryGetValue(key, out var watcher))
        {
            watcher(stage);
        }
    }

    /// <summary>The import's own progress (files read, traces written) as stages of this upload.</summary>
    public IProgress<ImportProgress>? For(Guid? id) => id is null ? null : new Stages(this, id.Value);

    private sealed class Stages(ImportProgressBoard board, Guid id) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => board.Report(id, value.TracesTotal > 0
            ? new ImportStage("writing", value.TracesWritten, value.TracesTotal)
            : new ImportStage("reading", value.FilesParsed, value.FilesTotal));
    }

    /// <summary>Reports as they come, on the caller's thread (<see cref="Progress{T}"/> would post them, out of order).</summary>
    public sealed class Callback<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private sealed class Watcher(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
