using System.Diagnostics;
using TraceViewer.Statistics;
using TraceViewer.Statistics.Agreement;
using TraceViewer.Statistics.TagEffects;

namespace TraceViewer.Bench;

/// <summary>
/// `agreement [items] [replicates]`: every agreement statistic with bootstrap intervals for items × 3 annotators,
/// as one nominal variable of five categories and as a ten-tag taxonomy scored per tag (target ≤ 1 s for 10,000 items).
/// `tag-effects [traces] [replicates]`: which kinds of sentences matter for traces × 150 sentences × 10 tags
/// with a bootstrap over traces (target ≤ 1 s for 500 traces).
/// </summary>
internal static class AgreementBenchmark
{
    private const int WarmUp = 3;
    private const int Runs = 15;

    public static int RunAgreement(string[] args)
    {
        var items = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        var replicates = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000;
        var bootstrap = new BootstrapOptions(replicates, Seed: 1);
        var (nominal, finished, tags) = SyntheticRatings(items, seed: 1);
        Console.WriteLine($"{items:N0} items x 3 annotators, {replicates:N0} bootstrap replicates per statistic");

        Measure("nominal, 5 categories (3 pairs, Fleiss, alpha)", () => AgreementAnalysis.Compute(RatingTable.Create(nominal.Categories, nominal.Ratings), bootstrap).Pairwise.Count);
        var table = RatingTable.Create(nominal.Categories, nominal.Ratings);
        Measure("nominal, 5 categories, table prebuilt", () => AgreementAnalysis.Compute(table, bootstrap).Pairwise.Count);
        Measure("judge vs 2 people (two reports, precision, recall)", () => JudgeAnalysis.Compute(table, "cy", "c0", bootstrap).WithJudge.Pairwise.Count);
        Measure("10 tags, one binary table each", () => TagRatings.PerTag(tags, finished).Sum(t => AgreementAnalysis.Compute(t.Table, bootstrap).Pairwise.Count));
        return 0;
    }

    public static int RunTagEffects(string[] args)
    {
        var traces = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 500;
        var replicates = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000;
        const int Sentences = 150, Tags = 10;
        var bootstrap = new BootstrapOptions(replicates, Seed: 1);
        var (tags, sentences, finished) = SyntheticStudy(traces, Sentences, Tags, seed: 2);
        Console.WriteLine($"{traces:N0} traces x {Sentences} sentences x {Tags} tags, 2 annotators, {replicates:N0} bootstrap replicates over traces");

        var table = TagEffectTable.FromAnnotations(tags, sentences, finished, TagRule.Majority);
        Measure("tag effects, table prebuilt", () => TagEffectAnalysis.Compute(table, topK: 5, bootstrap).Tags.Count);
        Measure("tag effects, majority rule applied to the annotations", () =>
            TagEffectAnalysis.Compute(TagEffectTable.FromAnnotations(tags, sentences, finished, TagRule.Majority), topK: 5, bootstrap).Tags.Count);
        return 0;
    }

    private static void Measure(string name, Func<int> run)
    {
        var sink = 0;
        for (var i = 0; i < WarmUp; i++)
        {
            sink += run();
        }

        var times = new double[Runs];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < Runs; i++)
        {
            var watch = Stopwatch.StartNew();
            sink += run();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }

        var cpuPerRun = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / Runs;
        Array.Sort(times);
        Console.WriteLine(
            $"{name}: median {times[Runs / 2]:F1} ms, p90 {times[(int)(Runs * 0.9)]:F1} ms, min {times[0]:F1} ms, CPU {cpuPerRun:F1} ms per run ({Runs} runs, sink {sink})");
    }

    /// <summary>Three annotators who each copy a hidden label 70% of the time, as five categories and as ten independent tags.</summary>
    private static ((string[] Categories, List<Rating> Ratings) Nominal, List<FinishedItem> Finished, string[] Tags) SyntheticRatings(int items, int seed)
    {
        var random = new Random(seed);
        string[] categories = ["c0", "c1", "c2", "c3", "c4"];
        string[] tags = [.. Enumerable.Range(0, 10).Select(g => $"tag{g}")];
        string[] annotators = ["ann", "bo", "cy"];
        var ratings = new List<Rating>(items * 3);
        var finished = new List<FinishedItem>(items * 3);
        for (var i = 0; i < items; i++)
        {
            var truth = random.Next(categories.Length);
            var trueTags = tags.Where(_ => random.NextDouble() < 0.15).ToArray();
            foreach (var annotator in annotators)
            {
                var label = random.NextDouble() < 0.7 ? truth : random.Next(categories.Length);
                ratings.Add(new Rating(annotator, $"s{i}", categories[label]));
                finished.Add(new FinishedItem(annotator, $"s{i}", [.. tags.Where(t => trueTags.Contains(t) ? random.NextDouble() < 0.8 : random.NextDouble() < 0.05)]));
            }
        }

        return ((categories, ratings), finished, tags);
    }

    /// <summary>Two annotators who finished every sentence and agree on most tags; strong sentences carry the first tags more often.</summary>
    private static (string[] Tags, List<EffectSentence> Sentences, List<FinishedItem> Finished) SyntheticStudy(int traces, int sentences, int tagCount, int seed)
    {
        var random = new Random(seed);
        string[] tags = [.. Enumerable.Range(0, tagCount).Select(g => $"tag{g}")];
        var list = new List<EffectSentence>(traces * sentences);
        var finished = new List<FinishedItem>(traces * sentences * 2);
        for (var t = 0; t < traces; t++)
        {
            for (var i = 0; i < sentences; i++)
            {
                var effect = (random.NextDouble() - 0.5) * (random.NextDouble() < 0.05 ? 1.0 : 0.1);
                var item = $"t{t}/s{i}";
                list.Add(new EffectSentence($"t{t}", item, effect));
                var trueTags = tags.Where((_, g) => random.NextDouble() < 0.05 + Math.Abs(effect) / (g + 1)).ToArray();
                foreach (var annotator in new[] { "ann", "bo" })
                {
                    finished.Add(new FinishedItem(annotator, item, [.. trueTags.Where(_ => random.NextDouble() < 0.9)]));
                }
            }
        }

        return (tags, list, finished);
    }
}
