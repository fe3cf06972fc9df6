using TraceViewer.Jobs;

namespace TraceViewer.Tests.Jobs;

/// <summary>A progress feed the test pushes updates through, recording who subscribed with what.</summary>
internal sealed class FakeJobProgressFeed : IJobProgressFeed
{
    private readonly List<(JobTopic Topic, JobFeedBaseline Shown, Func<JobFeedUpdate, Task> OnUpdate)> _subscribers = [];

    public IReadOnlyList<(JobTopic Topic, JobFeedBaseline Shown, Func<JobFeedUpdate, Task> OnUpdate)> Subscribers => _subscribers;

    public int Unsubscribed { get; private set; }

    public IDisposable Subscribe(JobTopic topic, JobFeedBaseline shown, Func<JobFeedUpdate, Task> onUpdate)
    {
        var entry = (topic, shown, onUpdate);
        _subscribers.Add(entry);
        return new Unsubscriber(() =>
        {
            _subscribers.Remove(entry);
            Unsubscribed++;
        });
    }

    /// <summary>Sends the update to every subscriber whose topic covers the changed jobs (or to all when none changed).</summary>
    public Task PushAsync(JobFeedUpdate update) =>
        Task.WhenAll(_subscribers.ToList()
            .Where(s => update.Jobs.Count == 0 || update.Jobs.Any(j => s.Topic.Covers(j.Id, j.TraceId)))
            .Select(s => s.OnUpdate(update)));

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}

/// <summary>Job commands whose answers the test decides and releases.</summary>
internal sealed class FakeJobCommands : IJobCommands
{
    public List<(int JobId, JobAction Action)> Changes { get; } = [];

    public List<JobRequest> Requests { get; } = [];

    /// <summary>Completed by the test to answer the pending change.</summary>
    public TaskCompletionSource<JobChange> NextChange { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Func<JobRequest, (int?, IDictionary<string, string[]>?)> Create { get; set; } = _ => (1, null);

    public Task<JobChange> ChangeAsync(int jobId, JobAction action, CancellationToken ct)
    {
        Changes.Add((jobId, action));
        return NextChange.Task;
    }

    public Task<(int? JobId, IDictionary<string, string[]>? Errors)> CreateAsync(JobRequest request, CancellationToken ct)
    {
        Requests.Add(request);
        return Task.FromResult(Create(request));
    }
}
