namespace TraceViewer.Jobs;

/// <summary>What became of one claimed item; the result writer stores it.</summary>
internal abstract record JobItemOutcome(JobWork Work);

/// <summary>The handler finished the item; its result is staged with others in one transaction.</summary>
internal sealed record ItemDone(JobWork Work, JobItemResult Result, double ElapsedMs) : JobItemOutcome(Work);

/// <summary>The attempt failed with an error worth trying again, not before <see cref="NextAttemptAt"/>.</summary>
internal sealed record ItemRetry(JobWork Work, string Error, DateTimeOffset NextAttemptAt) : JobItemOutcome(Work);

/// <summary>The item failed for good.</summary>
internal sealed record ItemFailed(JobWork Work, string Error) : JobItemOutcome(Work);

/// <summary>Claimed but not started (or abandoned) because its job was paused or cancelled, or the host is stopping.</summary>
internal sealed record ItemReleased(JobWork Work) : JobItemOutcome(Work);
