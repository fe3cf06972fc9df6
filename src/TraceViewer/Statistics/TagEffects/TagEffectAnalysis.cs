using System.Runtime.Intrinsics;

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

    /// <summary>The bootstrap's stream of <see cref="SplitMix64"/>.</summary>
    internal const ulong TraceStream = 9;

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
            // A replicate adds up the blocks of its drawn traces, in the order drawn: every sum gets the same additions
            // in the same order as one number at a time would, so the doubles are the same bit for bit.
            var random = new SplitMix64(bootstrap.Seed, TraceStream);
            var width = sums.Width;
            var totals = new double[width];
            var all = sums.AllOffset;
            for (var r = 0; r < b; r++)
            {
                Array.Clear(totals);
                var adder = new BlockAdder(sums.Blocks, totals, width);
                random.Draw(t, t, ref adder);
                for (var tag = 0; tag < g; tag++)
                {
                    var at = tag * b + r;
                    var count = totals[(TraceSums.CountSlot * g) + tag];
                    var sum = totals[(TraceSums.SumSlot * g) + tag];
                    var absolute = totals[(TraceSums.AbsoluteSlot * g) + tag];
                    var topShare = totals[(TraceSums.TopShareSlot * g) + tag];
                    var share = totals[(TraceSums.ShareSlot * g) + tag];
                    var untagged = totals[all] - count;
                    var signedTagged = Mean(sum, count);
                    var signedUntagged = Mean(totals[all + 1] - sum, untagged);
                    var absoluteTagged = Mean(absolute, count);
                    var absoluteUntagged = Mean(totals[all + 2] - absolute, untagged);
                    replicates[Statistic.SignedTagged][at] = signedTagged;
                    replicates[Statistic.SignedUntagged][at] = signedUntagged;
                    replicates[Statistic.AbsoluteTagged][at] = absoluteTagged;
                    replicates[Statistic.AbsoluteUntagged][at] = absoluteUntagged;
                    replicates[Statistic.SignedDifference][at] = signedTagged - signedUntagged;
                    replicates[Statistic.AbsoluteDifference][at] = absoluteTagged - absoluteUntagged;
                    replicates[Statistic.TopShareTagged][at] = topShare / t;
                    replicates[Statistic.TopShareUntagged][at] = 1 - topShare / t;
                    replicates[Statistic.ShareTagged][at] = share / t;
                    replicates[Statistic.ShareUntagged][at] = 1 - share / t;
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

    // Counts are whole numbers far below 2^53, so as doubles they add, subtract and divide exactly as longs do.
    private static double Mean(double sum, double count) => count == 0 ? double.NaN : sum / count;

    /// <summary>Adds a drawn trace's block to the totals, four doubles at a time where the hardware allows.</summary>
    private readonly struct BlockAdder(double[] blocks, double[] totals, int width) : IDrawSink
    {
        public void Add(int index)
        {
            var block = blocks.AsSpan(index * width, width);
            var into = totals.AsSpan(0, width);
            var i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; i + Vector256<double>.Count <= width; i += Vector256<double>.Count)
                {
                    var sum = Vector256.Create<double>(into[i..]) + Vector256.Create<double>(block[i..]);
                    sum.CopyTo(into[i..]);
                }
            }

            for (; i < width; i++)
            {
                into[i] += block[i];
            }
        }
    }

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
        // A trace's block: per tag its tagged sentences' count, sum, absolute sum, top-k share and share (one run of
        // tags each), then the trace's own count, sum and absolute sum.
        public const int CountSlot = 0;
        public const int SumSlot = 1;
        public const int AbsoluteSlot = 2;
        public const int TopShareSlot = 3;
        public const int ShareSlot = 4;
        private const int Slots = 5;

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

            Width = (Slots * tags) + 3;
            AllOffset = Slots * tags;
            Blocks = new double[Traces * Width];
            for (var trace = 0; trace < Traces; trace++)
            {
                var block = Blocks.AsSpan(trace * Width, Width);
                for (var tag = 0; tag < tags; tag++)
                {
                    var at = trace * tags + tag;
                    block[(CountSlot * tags) + tag] = Count[at];
                    block[(SumSlot * tags) + tag] = Sum[at];
                    block[(AbsoluteSlot * tags) + tag] = Absolute[at];
                    block[(TopShareSlot * tags) + tag] = TopShare[at];
                    block[(ShareSlot * tags) + tag] = Share[at];
                }

                block[AllOffset] = TraceCount[trace];
                block[AllOffset + 1] = TraceSum[trace];
                block[AllOffset + 2] = TraceAbsolute[trace];
            }
        }

        /// <summary>Doubles per trace in <see cref="Blocks"/>.</summary>
        public int Width { get; }

        /// <summary>Where a block's trace count, sum and absolute sum start.</summary>
        public int AllOffset { get; }

        /// <summary>One block of <see cref="Width"/> doubles per trace, trace after trace.</summary>
        public double[] Blocks { get; }

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
