namespace TraceViewer.Statistics.TagEffects;

/// <summary>
/// Per tag, how much the sentences carrying it move the outcome (method.md §9). Intervals come from a percentile
/// bootstrap over traces: sentences of one trace are not independent, so a replicate draws whole traces with
/// replacement and keeps all their sentences. Every tag is measured on the same resampled traces.
/// </summary>
/// <remarks>
/// Per (trace, tag) sums are built once; a replicate then only adds up the sums of its drawn traces, so the cost is
/// replicates × traces × tags, independent of the number of sentences.
/// </remarks>
internal static class TagEffectAnalysis
{
    public const string BootstrapUnits = "traces";

    private const ulong TraceStream = 9;

    public static TagEffectReport Compute(TagEffectTable table, int topK, BootstrapOptions bootstrap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        bootstrap.Validate();
        var sums = new TraceSums(table, topK);
        var g = table.Tags.Count;
        var b = bootstrap.Replicates;

        // replicates[statistic][tag * b + r]
        var replicates = new double[Statistic.Count][];
        for (var i = 0; i < replicates.Length; i++)
        {
            replicates[i] = new double[g * b];
        }

        var t = sums.Traces;
        if (t == 0)
        {
            foreach (var values in replicates)
            {
                Array.Fill(values, double.NaN);
            }
        }
        else
        {
            var random = new SplitMix64(bootstrap.Seed, TraceStream);
            var count = new long[g];
            var sum = new double[g];
            var absolute = new double[g];
            var topShare = new double[g];
            var share = new double[g];
            for (var r = 0; r < b; r++)
            {
                Array.Clear(count);
                Array.Clear(sum);
                Array.Clear(absolute);
                Array.Clear(topShare);
                Array.Clear(share);
                long allCount = 0;
                double allSum = 0, allAbsolute = 0;
                for (var j = 0; j < t; j++)
                {
                    var trace = random.NextInt(t);
                    allCount += sums.TraceCount[trace];
                    allSum += sums.TraceSum[trace];
                    allAbsolute += sums.TraceAbsolute[trace];
                    var offset = trace * g;
                    for (var tag = 0; tag < g; tag++)
                    {
                        count[tag] += sums.Count[offset + tag];
                        sum[tag] += sums.Sum[offset + tag];
                        absolute[tag] += sums.Absolute[offset + tag];
                        topShare[tag] += sums.TopShare[offset + tag];
                        share[tag] += sums.Share[offset + tag];
                    }
                }

                for (var tag = 0; tag < g; tag++)
                {
                    var at = tag * b + r;
                    var untagged = allCount - count[tag];
                    var signedTagged = Mean(sum[tag], count[tag]);
                    var signedUntagged = Mean(allSum - sum[tag], untagged);
                    var absoluteTagged = Mean(absolute[tag], count[tag]);
                    var absoluteUntagged = Mean(allAbsolute - absolute[tag], untagged);
                    replicates[Statistic.SignedTagged][at] = signedTagged;
                    replicates[Statistic.SignedUntagged][at] = signedUntagged;
                    replicates[Statistic.AbsoluteTagged][at] = absoluteTagged;
                    replicates[Statistic.AbsoluteUntagged][at] = absoluteUntagged;
                    replicates[Statistic.SignedDifference][at] = signedTagged - signedUntagged;
                    replicates[Statistic.AbsoluteDifference][at] = absoluteTagged - absoluteUntagged;
                    replicates[Statistic.TopShareTagged][at] = topShare[tag] / t;
                    replicates[Statistic.TopShareUntagged][at] = 1 - topShare[tag] / t;
                    replicates[Statistic.ShareTagged][at] = share[tag] / t;
                    replicates[Statistic.ShareUntagged][at] = 1 - share[tag] / t;
                }
            }
        }

        var effects = new List<TagEffect>(g);
        for (var tag = 0; tag < g; tag++)
        {
            var point = sums.PointEstimates(tag);
            Estimate Of(int statistic) => new(
                Defined(point[statistic]),
                PercentileBootstrap.Interval(replicates[statistic].AsSpan(tag * b, b).ToArray(), bootstrap.Confidence, BootstrapUnits));

            var tagged = new TagEffectGroup(
                (int)sums.TagCount(tag), sums.TracesWith(tag, tagged: true),
                Of(Statistic.SignedTagged), Of(Statistic.AbsoluteTagged), Of(Statistic.TopShareTagged), Of(Statistic.ShareTagged));
            var untagged = new TagEffectGroup(
                table.Sentences - (int)sums.TagCount(tag), sums.TracesWith(tag, tagged: false),
                Of(Statistic.SignedUntagged), Of(Statistic.AbsoluteUntagged), Of(Statistic.TopShareUntagged), Of(Statistic.ShareUntagged));
            effects.Add(new TagEffect(table.Tags[tag], tagged, untagged, Of(Statistic.SignedDifference), Of(Statistic.AbsoluteDifference)));
        }

        return new TagEffectReport(t, table.Sentences, topK, bootstrap, effects);
    }

    private static double Mean(double sum, long count) => count == 0 ? double.NaN : sum / count;

    private static double? Defined(double value) => double.IsNaN(value) ? null : value;

    private static class Statistic
    {
        public const int SignedTagged = 0;
        public const int SignedUntagged = 1;
        public const int AbsoluteTagged = 2;
        public const int AbsoluteUntagged = 3;
        public const int SignedDifference = 4;
        public const int AbsoluteDifference = 5;
        public const int TopShareTagged = 6;
        public const int TopShareUntagged = 7;
        public const int ShareTagged = 8;
        public const int ShareUntagged = 9;
        public const int Count = 10;
    }

    /// <summary>Per trace, and per (trace, tag) in trace-major order: sentence counts, effect sums and shares.</summary>
    private sealed class TraceSums
    {
        private readonly int tags;

        public TraceSums(TagEffectTable table, int topK)
        {
            tags = table.Tags.Count;
            Traces = table.Traces.Count;
            TraceCount = new long[Traces];
            TraceSum = new double[Traces];
            TraceAbsolute = new double[Traces];
            Count = new long[Traces * tags];
            Sum = new double[Traces * tags];
            Absolute = new double[Traces * tags];
            TopShare = new double[Traces * tags];
            Share = new double[Traces * tags];

            var sentencesOf = new List<int>[Traces];
            for (var trace = 0; trace < Traces; trace++)
            {
                sentencesOf[trace] = [];
            }

            for (var s = 0; s < table.Sentences; s++)
            {
                var trace = table.TraceOf[s];
                var effect = table.Effects[s];
                sentencesOf[trace].Add(s);
                TraceCount[trace]++;
                TraceSum[trace] += effect;
                TraceAbsolute[trace] += Math.Abs(effect);
                for (var tag = 0; tag < tags; tag++)
                {
                    if (table.Tagged[tag][s])
                    {
                        var at = trace * tags + tag;
                        Count[at]++;
                        Sum[at] += effect;
                        Absolute[at] += Math.Abs(effect);
                    }
                }
            }

            var topCount = new int[tags];
            for (var trace = 0; trace < Traces; trace++)
            {
                var sentences = sentencesOf[trace];
                if (sentences.Count == 0)
                {
                    throw new ArgumentException($"Trace '{table.Traces[trace]}' has no annotated sentence.", nameof(table));
                }

                // Strongest first; a stable sort keeps the given order among equal strengths.
                var strongest = sentences.OrderByDescending(s => Math.Abs(table.Effects[s])).Take(topK).ToArray();
                Array.Clear(topCount);
                foreach (var s in strongest)
                {
                    for (var tag = 0; tag < tags; tag++)
                    {
                        topCount[tag] += table.Tagged[tag][s] ? 1 : 0;
                    }
                }

                for (var tag = 0; tag < tags; tag++)
                {
                    var at = trace * tags + tag;
                    TopShare[at] = (double)topCount[tag] / strongest.Length;
                    Share[at] = (double)Count[at] / sentences.Count;
                }
            }
        }

        public int Traces { get; }

        public long[] TraceCount { get; }

        public double[] TraceSum { get; }

        public double[] TraceAbsolute { get; }

        public long[] Count { get; }

        public double[] Sum { get; }

        public double[] Absolute { get; }

        public double[] TopShare { get; }

        public double[] Share { get; }

        public long TagCount(int tag) => Column(Count, tag).Sum();

        public int TracesWith(int tag, bool tagged)
        {
            var traces = 0;
            for (var trace = 0; trace < Traces; trace++)
            {
                var count = Count[trace * tags + tag];
                traces += (tagged ? count > 0 : count < TraceCount[trace]) ? 1 : 0;
            }

            return traces;
        }

        /// <summary>The statistics on the traces as they are, indexed like <see cref="Statistic"/>.</summary>
        public double[] PointEstimates(int tag)
        {
            long count = TagCount(tag), all = TraceCount.Sum();
            double sum = Column(Sum, tag).Sum(), absolute = Column(Absolute, tag).Sum();
            double allSum = TraceSum.Sum(), allAbsolute = TraceAbsolute.Sum();
            double topShare = Traces == 0 ? double.NaN : Column(TopShare, tag).Sum() / Traces;
            double share = Traces == 0 ? double.NaN : Column(Share, tag).Sum() / Traces;
            var signedTagged = Mean(sum, count);
            var signedUntagged = Mean(allSum - sum, all - count);
            var absoluteTagged = Mean(absolute, count);
            var absoluteUntagged = Mean(allAbsolute - absolute, all - count);
            return
            [
                signedTagged, signedUntagged, absoluteTagged, absoluteUntagged,
                signedTagged - signedUntagged, absoluteTagged - absoluteUntagged,
                topShare, 1 - topShare, share, 1 - share,
            ];
        }

        private IEnumerable<T> Column<T>(T[] values, int tag)
        {
            for (var trace = 0; trace < Traces; trace++)
            {
                yield return values[trace * tags + tag];
            }
        }
    }
}
