using TraceViewer.Statistics;
using TraceViewer.Statistics.TagEffects;

namespace TraceViewer.Tests.Statistics.TagEffects;

/// <summary>
/// The bootstrap adds whole blocks of per-trace sums four at a time; these compare it with the plain loop it replaced
/// (one trace drawn with <see cref="SplitMix64.NextInt"/> at a time, one sum at a time), which must give exactly the
/// same replicates and so the same intervals, bit for bit.
/// </summary>
public sealed class TagEffectBootstrapTests
{
    [Theory]
    [InlineData(1, 1, 1, 30, 3)]
    [InlineData(2, 7, 3, 12, 1)]
    [InlineData(3, 40, 8, 25, 5)]
    [InlineData(4, 23, 9, 9, 3)]
    [InlineData(5, 61, 13, 40, 50)]
    public void TheFastBootstrapGivesTheIntervalsOfThePlainLoop(int seed, int traces, int tags, int maxSentences, int topK)
    {
        var table = RandomTable(seed, traces, tags, maxSentences);
        var bootstrap = new BootstrapOptions(1000 + seed * 97, Seed: (ulong)seed * 11);

        var report = TagEffectAnalysis.Compute(table, topK, bootstrap);
        var expected = PlainIntervals(table, topK, bootstrap);

        Assert.Equal(tags, report.Tags.Count);
        for (var g = 0; g < tags; g++)
        {
            var e = report.Tags[g];
            BootstrapInterval[] actual =
            [
                e.Tagged.MeanSignedEffect.Interval, e.Untagged.MeanSignedEffect.Interval,
                e.Tagged.MeanAbsoluteEffect.Interval, e.Untagged.MeanAbsoluteEffect.Interval,
                e.SignedDifference.Interval, e.AbsoluteDifference.Interval,
                e.Tagged.TopKShare.Interval, e.Untagged.TopKShare.Interval,
                e.Tagged.Share.Interval, e.Untagged.Share.Interval,
            ];
            for (var statistic = 0; statistic < actual.Length; statistic++)
            {
                Assert.Equal(expected[statistic][g], actual[statistic]);
            }
        }

        // The inputs reach every case: defined and undefined replicates, tags carried by some traces only.
        Assert.Contains(report.Tags, e => e.Untagged.MeanSignedEffect.Interval.Range is not null);
        if (traces > 1)
        {
            Assert.Contains(report.Tags, e => e.Tagged.MeanSignedEffect.Interval.UndefinedReplicates > 0 || e.Tagged.Sentences == 0);
        }
    }

    /// <summary>Random traces of 1..maxSentences sentences; tag g is rare for g = 0, never set for the last tag when there are several.</summary>
    private static TagEffectTable RandomTable(int seed, int traces, int tags, int maxSentences)
    {
        var random = new Random(seed);
        var traceOf = new List<int>();
        var effects = new List<double>();
        for (var t = 0; t < traces; t++)
        {
            var n = random.Next(1, maxSentences + 1);
            for (var i = 0; i < n; i++)
            {
                traceOf.Add(t);
                // Some exact ties and zeros, to exercise the top-k order.
                effects.Add(random.Next(10) == 0 ? 0.0 : Math.Round(random.NextDouble() * 2 - 1, random.Next(2) == 0 ? 1 : 15));
            }
        }

        var tagged = new bool[tags][];
        for (var g = 0; g < tags; g++)
        {
            var p = g == 0 ? 0.01 : (tags > 1 && g == tags - 1 ? 0 : random.NextDouble() * 0.6);
            tagged[g] = [.. effects.Select(_ => random.NextDouble() < p)];
        }

        return new TagEffectTable(
            [.. Enumerable.Range(0, tags).Select(g => $"tag{g}")], [.. Enumerable.Range(0, traces).Select(t => $"t{t}")],
            [.. traceOf], [.. effects], tagged);
    }

    /// <summary>The straightforward bootstrap: per-trace sums in sentence order, then per replicate one draw and one sum at a time.</summary>
    private static BootstrapInterval[][] PlainIntervals(TagEffectTable table, int topK, BootstrapOptions bootstrap)
    {
        int t = table.Traces.Count, g = table.Tags.Count, b = bootstrap.Replicates;
        var traceCount = new long[t];
        var traceSum = new double[t];
        var traceAbsolute = new double[t];
        var count = new long[t, g];
        var sum = new double[t, g];
        var absolute = new double[t, g];
        var top = new double[t, g];
        var share = new double[t, g];
        var sentencesOf = Enumerable.Range(0, t).Select(_ => new List<int>()).ToArray();
        for (var s = 0; s < table.Sentences; s++)
        {
            var trace = table.TraceOf[s];
            var effect = table.Effects[s];
            sentencesOf[trace].Add(s);
            traceCount[trace]++;
            traceSum[trace] += effect;
            traceAbsolute[trace] += Math.Abs(effect);
            for (var tag = 0; tag < g; tag++)
            {
                if (table.Tagged[tag][s])
                {
                    count[trace, tag]++;
                    sum[trace, tag] += effect;
                    absolute[trace, tag] += Math.Abs(effect);
                }
            }
        }

        for (var trace = 0; trace < t; trace++)
        {
            var strongest = sentencesOf[trace].OrderByDescending(s => Math.Abs(table.Effects[s])).Take(topK).ToList();
            for (var tag = 0; tag < g; tag++)
            {
                top[trace, tag] = (double)strongest.Count(s => table.Tagged[tag][s]) / strongest.Count;
                share[trace, tag] = (double)count[trace, tag] / sentencesOf[trace].Count;
            }
        }

        var replicates = Enumerable.Range(0, 10).Select(_ => Enumerable.Range(0, g).Select(_ => new double[b]).ToArray()).ToArray();
        var random = new SplitMix64(bootstrap.Seed, TagEffectAnalysis.TraceStream);
        for (var r = 0; r < b; r++)
        {
            var c = new long[g];
            var su = new double[g];
            var ab = new double[g];
            var to = new double[g];
            var sh = new double[g];
            long allCount = 0;
            double allSum = 0, allAbsolute = 0;
            for (var j = 0; j < t; j++)
            {
                var trace = random.NextInt(t);
                allCount += traceCount[trace];
                allSum += traceSum[trace];
                allAbsolute += traceAbsolute[trace];
                for (var tag = 0; tag < g; tag++)
                {
                    c[tag] += count[trace, tag];
                    su[tag] += sum[trace, tag];
                    ab[tag] += absolute[trace, tag];
                    to[tag] += top[trace, tag];
                    sh[tag] += share[trace, tag];
                }
            }

            for (var tag = 0; tag < g; tag++)
            {
                var untagged = allCount - c[tag];
                var signedTagged = c[tag] == 0 ? double.NaN : su[tag] / c[tag];
                var signedUntagged = untagged == 0 ? double.NaN : (allSum - su[tag]) / untagged;
                var absoluteTagged = c[tag] == 0 ? double.NaN : ab[tag] / c[tag];
                var absoluteUntagged = untagged == 0 ? double.NaN : (allAbsolute - ab[tag]) / untagged;
                double[] values =
                [
                    signedTagged, signedUntagged, absoluteTagged, absoluteUntagged, signedTagged - signedUntagged, absoluteTagged - absoluteUntagged,
                    to[tag] / t, 1 - to[tag] / t, sh[tag] / t, 1 - sh[tag] / t,
                ];
                for (var statistic = 0; statistic < values.Length; statistic++)
                {
                    replicates[statistic][tag][r] = values[statistic];
                }
            }
        }

        return [.. replicates.Select(perTag => perTag.Select(values => PercentileBootstrap.Interval(values, bootstrap.Confidence, TagEffectAnalysis.BootstrapUnits)).ToArray())];
    }
}
