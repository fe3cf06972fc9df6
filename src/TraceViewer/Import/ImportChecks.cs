using System.Globalization;
namespace TraceViewer.Import;

/// <summary>Builds the error for a field of the source being checked (the file and line are the caller's).</summary>
internal delegate ImportException FieldError(string field, string detail);

/// <summary>
/// The rules every imported value meets before anything is written, whatever format it came from. A non-finite
/// metric value (NaN, ±Infinity, or a number beyond ±1.8e308 such as 1e400) is a value the source could not define:
/// it is stored as not defined, that is left out, as a recompute leaves out an undefined effect. Anything that must
/// be a number to make sense (offsets, indexes, counts, sample indexes, rates) is refused by name when it is not
/// finite or out of range, and so are duplicate keys, which the database would refuse halfway through.
/// </summary>
internal static class ImportChecks
{
    public static void Required(string? value, string field, FieldError error)
    {
        if (value is null)
        {
            throw error(field, "missing required field");
        }
    }

    public static void RequiredText(string? value, string field, FieldError error)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw error(field, value is null ? "missing required field" : "must not be empty");
        }
    }

    public static void Index(long value, long limit, string setting, string field, FieldError error)
    {
        if (value < 0)
        {
            throw error(field, $"{value} is negative; an index counts from 0");
        }

        if (value >= limit)
        {
            throw error(field, $"{value.ToString(CultureInfo.InvariantCulture)} is not below the limit of {limit.ToString(CultureInfo.InvariantCulture)} ({ImportOptions.Section}:{setting})");
        }
    }

    public static void Count(int? value, string field, FieldError error)
    {
        if (value < 0)
        {
            throw error(field, $"{value} is negative; a count cannot be");
        }
    }

    /// <summary>A parameter that must be a finite number when given.</summary>
    public static void Finite(double? value, string field, FieldError error, double min = double.MinValue, double max = double.MaxValue)
    {
        if (value is not { } v)
        {
            return;
        }

        if (!double.IsFinite(v))
        {
            throw error(field, $"{Show(v)} is not a finite number");
        }

        if (v < min || v > max)
        {
            throw error(field, $"{Show(v)} is outside [{Show(min)}, {Show(max)}]");
        }
    }

    public static string Show(double value) => value switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "Infinity (or a number too large for a double, such as 1e400)",
        double.NegativeInfinity => "-Infinity (or a number too large for a double, such as -1e400)",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>The trace's own fields; a non-finite largest importance is not defined.</summary>
    public static ImportedTrace TraceFields(ImportedTrace trace, string prefix, FieldError error)
    {
        RequiredText(trace.ExternalKey, prefix + "externalKey", error);
        Required(trace.Title, prefix + "title", error);
        Required(trace.Model, prefix + "model", error);
        RequiredText(trace.SourceFormat, prefix + "sourceFormat", error);
        Required(trace.Prompt, prefix + "prompt", error);
        Required(trace.Response, prefix + "response", error);
        Required(trace.Reasoning, prefix + "reasoning", error);
        Finite(trace.Temperature, prefix + "temperature", error, 0, 100);
        Finite(trace.TopP, prefix + "topP", error, 0, 1);
        Labels(trace.Labels, prefix + "labels", error);
        return trace.MaxImportance is { } max && !double.IsFinite(max) ? trace with { MaxImportance = null } : trace;
    }

    /// <summary>
    /// Indexes unique, 0..N-1 without gaps (a viewer bundle may skip chunk indexes as its source does, formats.md §c.3,
    /// but stays below <see cref="ImportOptions.MaxSentences"/>); offsets inside the reasoning text.
    /// </summary>
    public static void Sentences(IReadOnlyList<ImportedSentence> sentences, string reasoning, string sourceFormat, ImportOptions limits, string prefix, FieldError error)
    {
        var gapsAllowed = sourceFormat == SourceFormats.ViewerBundle;
        var seen = new HashSet<int>();
        for (var i = 0; i < sentences.Count; i++)
        {
            var s = sentences[i];
            var field = $"{prefix}[{i}]";
            if (s is null)
            {
                throw error(field, "wrong type: expected an object, found null");
            }

            Required(s.Text, field + ".text", error);
            Required(s.Separator, field + ".separator", error);
            Index(s.Index, limits.MaxSentences, nameof(ImportOptions.MaxSentences), field + ".index", error);
            if (!gapsAllowed && s.Index >= sentences.Count)
            {
                throw error(field + ".index", $"{s.Index} leaves a gap: the {sentences.Count} sentences must be numbered 0 to {sentences.Count - 1}");
            }

            if (!seen.Add(s.Index))
            {
                throw error(field + ".index", $"sentence index {s.Index} appears twice");
            }

            if (s.Start < 0 || s.Start > reasoning.Length)
            {
                throw error(field + ".start", $"{s.Start} is outside the reasoning text (0 to {reasoning.Length})");
            }

            if (s.End < s.Start || s.End > reasoning.Length)
            {
                throw error(field + ".end", $"{s.End} is outside the reasoning text ({s.Start} to {reasoning.Length})");
            }

            // Each function tag becomes a tag of the "Thought Anchors functions" taxonomy, whose names have a length limit.
            foreach (var tag in Tags.TagStore.DistinctFunctionTags(s.FunctionTags))
            {
                if (tag.Length > Tags.TagLimits.MaxNameLength)
                {
                    throw error(field + ".functionTags", $"a tag of {tag.Length} characters is longer than the {Tags.TagLimits.MaxNameLength} a tag name may have");
                }
            }
        }
    }

    public static void Labels(IReadOnlyList<ImportedLabel> labels, string prefix, FieldError error)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < labels.Count; i++)
        {
            var label = labels[i] ?? throw error($"{prefix}[{i}]", "wrong type: expected an object, found null");
            RequiredText(label.Outcome, $"{prefix}[{i}].outcome", error);
            if (!seen.Add(label.Outcome))
            {
                throw error($"{prefix}[{i}].outcome", $"outcome '{label.Outcome}' is labelled twice");
            }
        }
    }

    public static void Resample(ImportedResample resample, ImportOptions limits, string prefix, FieldError error)
    {
        Index(resample.Position, limits.MaxSentences, nameof(ImportOptions.MaxSentences), prefix + "position", error);
        Index(resample.SampleIndex, limits.MaxSamplesPerPosition, nameof(ImportOptions.MaxSamplesPerPosition), prefix + "sampleIndex", error);
        if (!Enum.IsDefined(resample.Origin))
        {
            throw error(prefix + "origin", $"unknown resample origin {(int)resample.Origin}");
        }

        Count(resample.PromptTokens, prefix + "promptTokens", error);
        Count(resample.CompletionTokens, prefix + "completionTokens", error);
        Labels(resample.Labels, prefix + "labels", error);
    }

    /// <summary>Checks a metric set and leaves out its non-finite values; <paramref name="undefined"/> counts them.</summary>
    public static ImportedMetricSet MetricSet(ImportedMetricSet set, ImportOptions limits, string prefix, FieldError error, out int undefined)
    {
        RequiredText(set.Outcome, prefix + "outcome", error);
        Finite(set.Threshold, prefix + "threshold", error);
        Finite(set.Alpha, prefix + "alpha", error, 0);
        Count(set.ResampleCount, prefix + "resampleCount", error);
        undefined = 0;
        var changed = false;
        var kept = new List<ImportedMetric>(set.Values.Count);
        var seen = new HashSet<(int, string)>();
        for (var i = 0; i < set.Values.Count; i++)
        {
            var field = $"{prefix}values[{i}]";
            var v = set.Values[i] ?? throw error(field, "wrong type: expected an object, found null");
            RequiredText(v.Name, field + ".name", error);
            Index(v.SentenceIndex, limits.MaxSentences, nameof(ImportOptions.MaxSentences), field + ".sentenceIndex", error);
            Count(v.Count, field + ".count", error);
            Count(v.Successes, field + ".successes", error);
            if (v.Successes > v.Count)
            {
                throw error(field + ".successes", $"{v.Successes} successes out of a count of {v.Count}");
            }

            if (!seen.Add((v.SentenceIndex, v.Name)))
            {
                throw error(field, $"metric '{v.Name}' of sentence {v.SentenceIndex} appears twice");
            }

            if (!double.IsFinite(v.Value))
            {
                undefined++;
                continue;
            }

            var metric = v with { Low = FiniteOrNull(v.Low), High = FiniteOrNull(v.High) };
            changed |= metric != v;
            if (ImportedMetrics.IsFraction(v.Name))
            {
                Finite(metric.Value, field + ".value", error, 0, 1);
                Finite(metric.Low, field + ".low", error, 0, 1);
                Finite(metric.High, field + ".high", error, 0, 1);
            }

            kept.Add(metric);
        }

        return kept.Count == set.Values.Count && !changed ? set : set with { Values = kept };
    }

    public static void Link(ImportedLink link, ImportOptions limits, string prefix, FieldError error)
    {
        RequiredText(link.Kind, prefix + "kind", error);
        Index(link.SourceIndex, limits.MaxSentences, nameof(ImportOptions.MaxSentences), prefix + "source", error);
        Index(link.TargetIndex, limits.MaxSentences, nameof(ImportOptions.MaxSentences), prefix + "target", error);
    }

    /// <summary>
    /// The last line of defence, run on every trace of every format before it is written: whatever a reader
    /// let through, the database never sees a duplicate key or an out-of-range number. Returns the trace with
    /// non-finite metric values left out.
    /// </summary>
    public static ImportedTrace Whole(ImportedTrace trace, ImportOptions limits, out int undefined)
    {
        var file = trace.SourcePath ?? trace.ExternalKey ?? "(trace)";
        ImportException Error(string field, string detail) => new(file, field, null, detail);
        trace = TraceFields(trace, "", Error);
        Sentences(trace.Sentences, trace.Reasoning, trace.SourceFormat, limits, "sentences", Error);

        // Resamples usually come in order of (position, sample index), and then no key can repeat; the set of keys
        // seen is built (from those before) only once one is out of order.
        HashSet<(int, int)>? keys = null;
        for (var i = 0; i < trace.Resamples.Count; i++)
        {
            var r = trace.Resamples[i] ?? throw Error($"resamples[{i}]", "wrong type: expected an object, found null");
            // The field names are built only for a resample that breaks a rule: hundreds of thousands pass.
            if (!Passes(r, limits))
            {
                Resample(r, limits, $"resamples[{i}].", Error);
            }

            if (keys is null)
            {
                if (i == 0 || After(trace.Resamples[i - 1], r))
                {
                    continue;
                }

                keys = [.. trace.Resamples.Take(i).Select(x => (x.Position, x.SampleIndex))];
            }

            if (!keys.Add((r.Position, r.SampleIndex)))
            {
                throw Error($"resamples[{i}]", DuplicateResample(r));
            }
        }

        undefined = 0;
        var sets = new List<ImportedMetricSet>(trace.MetricSets.Count);
        for (var i = 0; i < trace.MetricSets.Count; i++)
        {
            sets.Add(MetricSet(trace.MetricSets[i], limits, $"metricSets[{i}].", Error, out var dropped));
            undefined += dropped;
        }

        // As for resamples: the set of keys only once a link is out of order, and a new list only once a link is left out.
        List<ImportedLink>? links = null;
        HashSet<(string, int, int)>? linkKeys = null;
        for (var i = 0; i < trace.Links.Count; i++)
        {
            var link = trace.Links[i];
            if (!Passes(link, limits))
            {
                Link(link, limits, $"links[{i}].", Error);
            }

            if (linkKeys is null && i > 0 && !After(trace.Links[i - 1], link))
            {
                linkKeys = [.. trace.Links.Take(i).Select(x => (x.Kind, x.SourceIndex, x.TargetIndex))];
            }

            if (linkKeys?.Add((link.Kind, link.SourceIndex, link.TargetIndex)) == false)
            {
                throw Error($"links[{i}]", DuplicateLink(link));
            }

            if (double.IsFinite(link.Score))
            {
                links?.Add(link);
            }
            else
            {
                links ??= [.. trace.Links.Take(i)];
                undefined++;
            }
        }

        return trace with { MetricSets = sets, Links = links ?? trace.Links };
    }

    /// <summary>Whether <see cref="Resample"/> would let the resample through; it runs (and names the field) when not.</summary>
    private static bool Passes(ImportedResample r, ImportOptions limits)
    {
        if (r.Position < 0 || r.Position >= limits.MaxSentences || r.SampleIndex < 0 || r.SampleIndex >= limits.MaxSamplesPerPosition
            || !Enum.IsDefined(r.Origin) || r.PromptTokens < 0 || r.CompletionTokens < 0)
        {
            return false;
        }

        return r.Labels switch
        {
            null => false,
            var labels => labels.Count switch
        {
                0 => true,
                1 => labels[0] is { Outcome.Length: > 0 },
                _ => false,
            },
        };
    }

    /// <summary>Whether <paramref name="next"/> comes strictly after <paramref name="previous"/> (so their keys differ).</summary>
    private static bool After(ImportedResample previous, ImportedResample next) =>
        next.Position > previous.Position || (next.Position == previous.Position && next.SampleIndex > previous.SampleIndex);

    private static bool After(ImportedLink previous, ImportedLink next) =>
        string.CompareOrdinal(next.Kind, previous.Kind) switch
        {
            > 0 => true,
            < 0 => false,
            _ => next.SourceIndex > previous.SourceIndex || (next.SourceIndex == previous.SourceIndex && next.TargetIndex > previous.TargetIndex),
        };

    /// <summary>Whether <see cref="Link"/> would let the link through.</summary>
    private static bool Passes(ImportedLink link, ImportOptions limits) =>
        !string.IsNullOrEmpty(link.Kind) && link.SourceIndex >= 0 && link.SourceIndex < limits.MaxSentences
        && link.TargetIndex >= 0 && link.TargetIndex < limits.MaxSentences;

    public static string DuplicateResample(ImportedResample r) =>
        $"duplicate resample: position {r.Position}, sample index {r.SampleIndex} appears twice in this trace";

    public static string DuplicateLink(ImportedLink l) =>
        $"duplicate link: {l.Kind} from sentence {l.SourceIndex} to {l.TargetIndex} appears twice";

    /// <summary>The warning that reports non-finite values stored as not defined.</summary>
    public static string UndefinedWarning(string file, int count) =>
        $"{file}: {count} non-finite number{(count == 1 ? "" : "s")} (NaN, Infinity, or beyond ±1.8e308 such as 1e400) stored as not defined";

    private static double? FiniteOrNull(double? value) => value is { } v && !double.IsFinite(v) ? null : value;
}
