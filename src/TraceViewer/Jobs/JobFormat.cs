using System.Globalization;

namespace TraceViewer.Jobs;

/// <summary>How the jobs pages and the trace page's panel write a job's numbers.</summary>
internal static class JobFormat
{
    public const string None = "–";

    public static string Rate(double? itemsPerMinute) =>
        itemsPerMinute is { } rate ? rate.ToString(rate >= 100 ? "N0" : "0.#", CultureInfo.InvariantCulture) + "/min" : None;

    public static string Eta(double? seconds)
    {
        if (seconds is not { } s || double.IsNaN(s) || double.IsInfinity(s))
        {
            return None;
        }

        var span = TimeSpan.FromSeconds(Math.Ceiling(Math.Max(0, s)));
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min"
            : span.TotalMinutes >= 1 ? $"{span.Minutes} min {span.Seconds} s"
            : $"{span.Seconds} s";
    }

    public static string Tokens(long tokens) => tokens.ToString("N0", CultureInfo.InvariantCulture);

    public static string Cost(double dollars) =>
        dollars <= 0 ? None : "$" + dollars.ToString(dollars < 1 ? "0.0000" : "N2", CultureInfo.InvariantCulture);

    public static string Percent(double fraction) => (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    public static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? None;

    public static string Positions(JobParameters parameters) => (parameters.From, parameters.To) switch
    {
        (null, null) => "all",
        (var from, var to) => $"{from?.ToString(CultureInfo.InvariantCulture) ?? "0"}–{to?.ToString(CultureInfo.InvariantCulture) ?? "last"}",
    };

    /// <summary>
    /// A job's work in a few words: the judge and its targets for a judge job, the positions and samples otherwise.
    /// <paramref name="oneTrace"/> is false for a job over a dataset; a job given a list of traces says how many.
    /// </summary>
    public static string What(JobParameters parameters, bool oneTrace = true)
    {
        var many = parameters.Traces is { } n ? $"{n.ToString("N0", CultureInfo.InvariantCulture)} trace{(n == 1 ? "" : "s")}"
            : oneTrace || parameters.Collect is not null ? null : "the dataset's traces";
        if (parameters.Tag is { } tag)
        {
            return $"tag with {tag.TaxonomyName ?? tag.Taxonomy} on {tag.Sentences?.ToString("N0", CultureInfo.InvariantCulture) ?? "?"} sentence{(tag.Sentences == 1 ? "" : "s")}"
                + (tag.TopK is { } k ? $" (top {k} per trace)" : "") + (tag.VoteCount > 1 ? $" × {tag.VoteCount} votes" : "");
        }

        if (parameters.Judge is { } judge)
        {
            var resamples = parameters.From is null && parameters.To is null ? "every resample" : $"the resamples at positions {Positions(parameters)}";
            return $"{judge.ClassifierName} on " + (judge.Target == JudgeSettings.Traces
                ? many is null ? "the base trace" : parameters.Traces == 1 ? "the base response of 1 trace" : $"the base responses of {many}"
                : many is null ? resamples : $"{resamples} of {many}");
        }

        return $"positions {Positions(parameters)} × {parameters.N}" + (many is null ? "" : $" on {many}");
    }

    /// <summary>A judge job's calls per target: its votes (the classifier's default when not given) and whether it stops early.</summary>
    public static string JudgeCalls(JudgeSettings judge)
    {
        var votes = judge.Votes ?? Judging.JudgeClassifiers.Find(judge.ClassifierName)?.DefaultVotes;
        var text = votes is { } n ? $"{n} vote{(n == 1 ? "" : "s")} per target" : "default votes";
        return judge.EarlyStop == true ? $"up to {text}, stopping once the majority is decided" : text;
    }

    /// <summary>How a judge job's (or a collect job's judge step's) votes become each label, as its labels store it.</summary>
    public static string JudgeRule(JudgeSettings judge)
    {
        var threshold = judge.EffectiveThreshold();
        return Judging.JudgeRule.Describe(threshold.Value, threshold.Inclusive, Judging.JudgeAggregator.DefaultMaxFailedShare);
    }

    /// <summary>How a resample job's alignment-faking judge turns votes into labels (the blackmail judge decides by majority too).</summary>
    public static string LabelJudgeRule(ResampleLabelSettings labels)
    {
        var judge = Outcomes.OutcomeLabelling.AlignmentFakingJudge(labels.AlignmentFaking) ?? Judging.JudgeClassifiers.AlignmentFakingFiveCriteria;
        var threshold = judge.DefaultThreshold;
        return $"{judge.Name}: " + Judging.JudgeRule.Describe(threshold.Value, threshold.Inclusive, Judging.JudgeAggregator.DefaultMaxFailedShare);
    }

    /// <summary>MudBlazor colour for a job status chip: the theme's colours, never a direction colour.</summary>
    public static MudBlazor.Color StatusColor(string status) => status switch
    {
        nameof(JobStatus.Running) => MudBlazor.Color.Primary,
        nameof(JobStatus.Queued) => MudBlazor.Color.Info,
        nameof(JobStatus.Paused) => MudBlazor.Color.Warning,
        nameof(JobStatus.Completed) => MudBlazor.Color.Success,
        nameof(JobStatus.Failed) => MudBlazor.Color.Error,
        _ => MudBlazor.Color.Default,
    };
}
