using TraceViewer.Outcomes;

namespace TraceViewer.Jobs;

/// <summary>
/// What the app knows of one job kind: its handler and the rules its requests follow. Requests, the worker and the
/// registration of handlers all read these; nothing else spells out a kind.
/// </summary>
/// <param name="TakesTraceList">A request may name a list of traces (<c>traceIds</c>).</param>
/// <param name="NeedsTarget">A request names exactly one of a trace, a list of traces or a dataset.</param>
/// <param name="UsesProvider">A request names a configured provider (and model).</param>
/// <param name="RecomputesMetrics">Finishing every item of a trace position recomputes the trace's metrics.</param>
/// <param name="Outcomes">The outcomes the job's labels refer to, made sure of before its items are saved.</param>
internal sealed record JobKindInfo(
    JobKind Kind,
    Type Handler,
    bool TakesTraceList = false,
    bool NeedsTarget = true,
    bool UsesProvider = true,
    bool RecomputesMetrics = false,
    Func<JobPlan, IEnumerable<string>>? Outcomes = null)
{
    /// <summary>The kind as people read and type it: "resample", "judge"...</summary>
    public string Label => Kind.ToString().ToLowerInvariant();
}

/// <summary>The job kinds. Adding a kind is its name in <see cref="JobKind"/>, its handler, and one entry here.</summary>
internal static class JobKinds
{
    public static readonly IReadOnlyList<JobKindInfo> All =
    [
        new(JobKind.Resample, typeof(ResampleHandler), TakesTraceList: true, RecomputesMetrics: true, Outcomes: _ => [OutcomeRegistry.Compliance]),
        new(JobKind.Embed, typeof(EmbedHandler), UsesProvider: false, RecomputesMetrics: true),
        new(JobKind.Judge, typeof(JudgeHandler), TakesTraceList: true, RecomputesMetrics: true,
            Outcomes: plan => (plan.Judge ?? plan.Collect?.Judge) is { } judge ? [judge.OutcomeKey] : []),
        new(JobKind.Collect, typeof(CollectHandler), NeedsTarget: false,
            Outcomes: plan => (plan.Judge ?? plan.Collect?.Judge) is { } judge ? [OutcomeRegistry.Compliance, judge.OutcomeKey] : [OutcomeRegistry.Compliance]),
        new(JobKind.Tag, typeof(TagHandler)),
    ];

    private static readonly Dictionary<JobKind, JobKindInfo> ByKind = All.ToDictionary(k => k.Kind);

    public static JobKindInfo Of(JobKind kind) => ByKind[kind];

    /// <summary>"resample and judge": the labels of the kinds that match, for messages.</summary>
    public static string Labels(Func<JobKindInfo, bool> which)
    {
        var labels = All.Where(which).Select(k => k.Label).ToList();
        return labels.Count <= 1 ? string.Concat(labels) : $"{string.Join(", ", labels[..^1])} and {labels[^1]}";
    }

    /// <summary>Registers each kind's handler, scoped, keyed by its kind.</summary>
    public static IServiceCollection AddJobHandlers(this IServiceCollection services)
    {
        foreach (var kind in All)
        {
            services.AddKeyedScoped(typeof(IJobItemHandler), kind.Kind, kind.Handler);
        }

        return services;
    }
}
