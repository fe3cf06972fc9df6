namespace TraceViewer.Jobs;

/// <summary>What a page's buttons do to a job.</summary>
public enum JobAction
{
    Pause,
    Resume,
    Cancel,
}

/// <summary>Starts and changes jobs from the pages. The pages' circuits live long, so each command gets its own scope.</summary>
internal interface IJobCommands
{
    Task<JobChange> ChangeAsync(int jobId, JobAction action, CancellationToken ct);

    /// <summary>Null when <paramref name="user"/> may pause, resume and cancel job <paramref name="jobId"/> (the researcher role in the workspaces of its datasets); else why not.</summary>
    Task<string?> ControlRefusalAsync(int jobId, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct) => Task.FromResult<string?>(null);

    /// <returns>The new job's id, or the invalid fields (the API's names) with their messages.</returns>
    Task<(int? JobId, IDictionary<string, string[]>? Errors)> CreateAsync(JobRequest request, CancellationToken ct);

    /// <summary>As <see cref="CreateAsync(JobRequest, CancellationToken)"/>, for <paramref name="user"/>: refused (field <c>workspace</c>) without the researcher role in a target's workspace.</summary>
    Task<(int? JobId, IDictionary<string, string[]>? Errors)> CreateAsync(JobRequest request, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct) =>
        CreateAsync(request, ct);
}

internal sealed class JobCommands(IServiceScopeFactory scopes) : IJobCommands
{
    public async Task<JobChange> ChangeAsync(int jobId, JobAction action, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var jobs = scope.ServiceProvider.GetRequiredService<JobService>();
        return action switch
        {
            JobAction.Pause => await jobs.PauseAsync(jobId, ct),
            JobAction.Resume => await jobs.ResumeAsync(jobId, ct),
            JobAction.Cancel => await jobs.CancelAsync(jobId, ct),
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
        };
    }

    public async Task<string?> ControlRefusalAsync(int jobId, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobService>().ControlRefusalAsync(user, jobId, ct);
    }

    public async Task<(int? JobId, IDictionary<string, string[]>? Errors)> CreateAsync(JobRequest request, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobService>().CreateAsync(request, ct);
    }

    public async Task<(int? JobId, IDictionary<string, string[]>? Errors)> CreateAsync(JobRequest request, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var jobs = scope.ServiceProvider.GetRequiredService<JobService>();
        if (await jobs.WorkspaceRefusalAsync(user, request, ct) is { } refusal)
        {
            return (null, new Dictionary<string, string[]> { ["workspace"] = [refusal] });
        }

        return await jobs.CreateAsync(request, ct);
    }
}
