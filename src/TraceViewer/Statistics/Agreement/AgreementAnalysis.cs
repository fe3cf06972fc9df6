namespace TraceViewer.Statistics.Agreement;

/// <summary>
/// Observed agreement, Cohen's kappa per pair, Fleiss' kappa and Krippendorff's alpha (nominal) for a
/// <see cref="RatingTable"/>, following method.md §8 and reproducing scikit-learn's <c>cohen_kappa_score</c>
/// (labels = the categories), statsmodels' <c>fleiss_kappa</c> (method "fleiss") and NLTK's nominal alpha.
/// </summary>
/// <remarks>
/// Each statistic is computed from integer sufficient statistics (counts), so a value is undefined exactly when
/// its denominator is zero. A bootstrap resamples, with replacement, the items the statistic is computed over
/// (a pair's shared items, the complete items, the items with two or more ratings), each from its own seeded
/// stream, so one statistic's interval does not depend on which others were computed.
/// </remarks>
internal static class AgreementAnalysis
{
    public const string BootstrapUnits = "items";

    private const ulong FleissStream = 1;
    private const ulong AlphaStream = 2;
    private const ulong FirstPairStream = 16;

    public static AgreementReport Compute(RatingTable table, BootstrapOptions? bootstrap = null) => ComputeMany([table], bootstrap)[0];

    /// <summary>
    /// The reports of several tables (e.g. every tag of one taxonomy), each exactly as <see cref="Compute"/> gives it.
    /// A statistic's stream depends only on the seed and the statistic, so statistics of different tables that resample
    /// the same number of items draw the same item indices: those indices are drawn once per replicate and counted
    /// for every table (<see cref="ResampleGroup"/>).
    /// </summary>
    public static IReadOnlyList<AgreementReport> ComputeMany(IReadOnlyList<RatingTable> tables, BootstrapOptions? bootstrap = null)
    {
        bootstrap?.Validate();
        var jobs = new List<ResampleJob>();
        var finish = new List<Func<AgreementReport>>(tables.Count);
        foreach (var table in tables)
        {
            finish.Add(Plan(table, bootstrap, jobs));
        }

        if (bootstrap is not null)
        {
            var groups = jobs.GroupBy(j => (j.Stream, j.KindOf.Length)).Select(g => g.ToArray()).ToArray();
            // Each group has its own generator and writes only its own jobs' replicates, so running groups side by side
            // gives the same figures.
            Parallel.ForEach(groups, group => ResampleGroup(group, bootstrap));
        }

        var reports = new AgreementReport[finish.Count];
        for (var t = 0; t < finish.Count; t++)
        {
            reports[t] = finish[t]();
        }

        return reports;
    }

    /// <summary>The point figures of one table; the returned function builds its report once the jobs it added have run.</summary>
    private static Func<AgreementReport> Plan(RatingTable table, BootstrapOptions? bootstrap, List<ResampleJob> jobs)
    {
        var pairwise = new List<Func<PairwiseAgreement>>();
        var annotators = table.Annotators.Count;
        for (var a = 0; a < annotators; a++)
        {
            for (var b = a + 1; b < annotators; b++)
            {
                pairwise.Add(Pair(table, a, b, bootstrap, FirstPairStream + (ulong)pairwise.Count, jobs));
            }
        }

        var fleiss = annotators >= 3 ? Fleiss(table, bootstrap, jobs) : null;
        var krippendorff = Krippendorff(table, bootstrap, jobs);
        return () => new AgreementReport(
            table.Categories,
            table.Annotators,
            table.Items.Count,
            [.. pairwise.Select(p => p())],
            fleiss?.Invoke(),
            krippendorff(),
            bootstrap);
    }

    /// <summary>
    /// One statistic's bootstrap: the kind of each resampled unit, and what to record for a replicate given how many
    /// units of each kind it drew.
    /// </summary>
    private sealed class ResampleJob(ulong stream, int[] kindOf, int kinds, double[][] outputs, Action<int, int[]> record)
    {
        public ulong Stream { get; } = stream;

        public int[] KindOf { get; } = kindOf;

        public int Kinds { get; } = kinds;

        /// <summary>The replicate values the job writes (NaN where undefined).</summary>
        public double[][] Outputs { get; } = outputs;

        public Action<int, int[]> Record { get; } = record;
    }

    /// <summary>
    /// The replicates of jobs with one stream and one number of units: each replicate's draws are made once, as how
    /// many times each unit was drawn, then counted by kind for every job. The draws are exactly those
    /// <see cref="PercentileBootstrap.CountDraws"/> makes, so each job gets what it would get alone.
    /// </summary>
    private static void ResampleGroup(ResampleJob[] group, BootstrapOptions bootstrap)
    {
        var n = group[0].KindOf.Length;
        if (n == 0)
        {
            foreach (var job in group)
            {
                foreach (var output in job.Outputs)
                {
                    Array.Fill(output, double.NaN);
                }
            }

            return;
        }

        var random = new SplitMix64(bootstrap.Seed, group[0].Stream);
        var drawn = group.Select(j => new int[j.Kinds]).ToArray();
        if (group.Length == 1)
        {
            for (var r = 0; r < bootstrap.Replicates; r++)
            {
                PercentileBootstrap.CountDraws(ref random, group[0].KindOf, drawn[0]);
                group[0].Record(r, drawn[0]);
            }

            return;
        }

        var times = new int[n];
        for (var r = 0; r < bootstrap.Replicates; r++)
        {
            Array.Clear(times);
            var sink = new DrawnTimes(times);
            random.Draw(n, n, ref sink);
            for (var j = 0; j < group.Length; j++)
            {
                PercentileBootstrap.CountByKind(times, group[j].KindOf, drawn[j]);
                group[j].Record(r, drawn[j]);
            }
        }
    }

    /// <summary>(n·d - S) / (n² - S) with d the agreeing items and S = Σ row_k·col_k: sklearn's kappa in one division.</summary>
    internal static double? CohenKappa(long n, long agreeing, long rowColumnProducts) =>
        Ratio(n * agreeing - rowColumnProducts, n * n - rowColumnProducts);

    /// <summary>
    /// Fleiss' kappa from N items of m ratings each, Q = Σ_i Σ_k n_ik² and T = Σ_k (Σ_i n_ik)²:
    /// (P̄ - P_e) / (1 - P_e) multiplied through by (N·m)²·(m - 1).
    /// </summary>
    internal static double? FleissKappa(long items, long raters, long squaredCounts, long squaredTotals)
    {
        var ratings = items * raters;
        return Ratio((squaredCounts - ratings) * ratings - (raters - 1) * squaredTotals, (raters - 1) * (ratings * ratings - squaredTotals));
    }

    /// <summary>
    /// 1 - (n - 1)·D / (n² - Σ_c n_c²), where D = Σ_u (m_u² - Σ_c n_uc²) / (m_u - 1) is the off-diagonal mass of the
    /// coincidence matrix and n_c its marginals (nominal distance).
    /// </summary>
    internal static double? KrippendorffAlpha(long values, double disagreement, long squaredMarginals)
    {
        var expected = values * values - squaredMarginals;
        return expected == 0 ? null : 1 - (values - 1) * disagreement / expected;
    }

    private static double? Ratio(long numerator, long denominator) => denominator == 0 ? null : (double)numerator / denominator;

    private static Func<PairwiseAgreement> Pair(RatingTable table, int a, int b, BootstrapOptions? bootstrap, ulong stream, List<ResampleJob> jobs)
    {
        var k = table.Categories.Count;
        var cells = new List<int>();
        for (var i = 0; i < table.Items.Count; i++)
        {
            var first = table.Label(i, a);
            var second = table.Label(i, b);
            if (first != RatingTable.Missing && second != RatingTable.Missing)
            {
                cells.Add(first * k + second);
            }
        }

        var confusion = new int[k][];
        for (var row = 0; row < k; row++)
        {
            confusion[row] = new int[k];
        }

        foreach (var cell in cells)
        {
            confusion[cell / k][cell % k]++;
        }

        var n = cells.Count;
        long agreeing = 0;
        long products = 0;
        for (var c = 0; c < k; c++)
        {
            agreeing += confusion[c][c];
            long column = 0;
            for (var row = 0; row < k; row++)
            {
                column += confusion[row][c];
            }

            products += confusion[c].Sum() * column;
        }

        var observed = n == 0 ? (double?)null : (double)agreeing / n;
        var kappa = CohenKappa(n, agreeing, products);
        if (bootstrap is null)
        {
            var plain = new PairwiseAgreement(table.Annotators[a], table.Annotators[b], n, observed, kappa, confusion);
            return () => plain;
        }

        // A cell of the confusion matrix is the item's kind: a replicate is a resampled confusion matrix.
        var observedReplicates = new double[bootstrap.Replicates];
        var kappaReplicates = new double[bootstrap.Replicates];
        var rows = new long[k];
        var columns = new long[k];
        jobs.Add(new ResampleJob(stream, [.. cells], k * k, [observedReplicates, kappaReplicates], (r, drawn) =>
        {
            Array.Clear(rows);
            Array.Clear(columns);
            long drawnAgreeing = 0;
            for (var row = 0; row < k; row++)
            {
                for (var column = 0; column < k; column++)
                {
                    var count = drawn[row * k + column];
                    rows[row] += count;
                    columns[column] += count;
                }

                drawnAgreeing += drawn[row * k + row];
            }

            long drawnProducts = 0;
            for (var c = 0; c < k; c++)
            {
                drawnProducts += rows[c] * columns[c];
            }

            observedReplicates[r] = (double)drawnAgreeing / n;
            kappaReplicates[r] = CohenKappa(n, drawnAgreeing, drawnProducts) ?? double.NaN;
        }));
        return () => new PairwiseAgreement(
            table.Annotators[a], table.Annotators[b], n, observed, kappa, confusion,
            PercentileBootstrap.Interval(observedReplicates, bootstrap.Confidence, BootstrapUnits),
            PercentileBootstrap.Interval(kappaReplicates, bootstrap.Confidence, BootstrapUnits));
    }

    private static Func<FleissAgreement> Fleiss(RatingTable table, BootstrapOptions? bootstrap, List<ResampleJob> jobs)
    {
        var annotators = table.Annotators.Count;
        var units = Units(table, ratings => ratings == annotators);
        var sums = units.Sums();
        var kappa = FleissKappa(units.Count, annotators, sums.SquaredCounts, sums.SquaredTotals);
        var items = units.Items.Select(i => table.Items[i]).ToArray();
        if (bootstrap is null)
        {
            var plain = new FleissAgreement(items, annotators, kappa);
            return () => plain;
        }

        var replicates = units.Bootstrap(bootstrap, FleissStream, jobs, (count, sample) =>
            FleissKappa(count, annotators, sample.SquaredCounts, sample.SquaredTotals));
        return () => new FleissAgreement(items, annotators, kappa, PercentileBootstrap.Interval(replicates, bootstrap.Confidence, BootstrapUnits));
    }

    private static Func<KrippendorffAgreement> Krippendorff(RatingTable table, BootstrapOptions? bootstrap, List<ResampleJob> jobs)
    {
        var units = Units(table, ratings => ratings >= 2);
        var sums = units.Sums();
        var alpha = KrippendorffAlpha(sums.Values, sums.Disagreement, sums.SquaredTotals);
        if (bootstrap is null)
        {
            var plain = new KrippendorffAgreement(units.Count, (int)sums.Values, alpha);
            return () => plain;
        }

        var replicates = units.Bootstrap(bootstrap, AlphaStream, jobs, (_, sample) =>
            KrippendorffAlpha(sample.Values, sample.Disagreement, sample.SquaredTotals));
        return () => new KrippendorffAgreement(
            units.Count, (int)sums.Values, alpha, PercentileBootstrap.Interval(replicates, bootstrap.Confidence, BootstrapUnits));
    }

    private static RatedUnits Units(RatingTable table, Func<int, bool> include)
    {
        var k = table.Categories.Count;
        var items = new List<int>();
        var counts = new List<int>();
        var row = new int[k];
        for (var i = 0; i < table.Items.Count; i++)
        {
            Array.Clear(row);
            var ratings = 0;
            for (var a = 0; a < table.Annotators.Count; a++)
            {
                var label = table.Label(i, a);
                if (label != RatingTable.Missing)
                {
                    row[label]++;
                    ratings++;
                }
            }

            if (include(ratings))
            {
                items.Add(i);
                counts.AddRange(row);
            }
        }

        return new RatedUnits(k, [.. items], [.. counts]);
    }

    /// <summary>Counts how many times each unit was drawn.</summary>
    private readonly struct DrawnTimes(int[] times) : IDrawSink
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Add(int index) => times[index]++;
    }

    /// <summary>Sums over a bootstrap sample of units.</summary>
    private readonly record struct UnitSums(long Values, long SquaredCounts, long SquaredTotals, double Disagreement);

    /// <summary>
    /// Items with their category counts n_ik, grouped into kinds (items with the same counts): a bootstrap replicate
    /// only needs how many items of each kind it drew.
    /// </summary>
    private sealed class RatedUnits
    {
        private readonly int categories;
        private readonly int[] kindOf;
        private readonly int[] kindCounts;
        private readonly long[] kindValues;
        private readonly long[] kindSquares;
        private readonly double[] kindDisagreement;

        public RatedUnits(int categories, int[] items, int[] counts)
        {
            this.categories = categories;
            Items = items;
            kindOf = new int[items.Length];
            var kindRows = new List<int>();
            var kindCount = 0;
            // Kinds are numbered in the order they first occur. A row of up to four counts below 2^16 is its own
            // key packed in one number; longer rows are keyed by their text.
            var packable = categories <= 4 && counts.All(c => c <= ushort.MaxValue);
            var packedKinds = new Dictionary<ulong, int>();
            var textKinds = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var u = 0; u < items.Length; u++)
            {
                var row = counts.AsSpan(u * categories, categories);
                int kind;
                bool known;
                if (packable)
                {
                    ulong key = 0;
                    for (var c = 0; c < categories; c++)
                    {
                        key |= (ulong)row[c] << (16 * c);
                    }

                    known = packedKinds.TryGetValue(key, out kind);
                    if (!known)
                    {
                        packedKinds.Add(key, kind = kindCount);
                    }
                }
                else
                {
                    var key = string.Join(',', row.ToArray());
                    known = textKinds.TryGetValue(key, out kind);
                    if (!known)
                    {
                        textKinds.Add(key, kind = kindCount);
                    }
                }

                if (!known)
                {
                    kindCount++;
                    kindRows.AddRange(row);
                }

                kindOf[u] = kind;
            }

            kindCounts = [.. kindRows];
            kindValues = new long[kindCount];
            kindSquares = new long[kindCount];
            kindDisagreement = new double[kindCount];
            for (var kind = 0; kind < kindCount; kind++)
            {
                long m = 0;
                long squares = 0;
                for (var c = 0; c < categories; c++)
                {
                    long n = kindCounts[kind * categories + c];
                    m += n;
                    squares += n * n;
                }

                kindValues[kind] = m;
                kindSquares[kind] = squares;
                kindDisagreement[kind] = m > 1 ? (double)(m * m - squares) / (m - 1) : 0;
            }
        }

        public int[] Items { get; }

        public int Count => Items.Length;

        /// <summary>The sums over the units as they are.</summary>
        public UnitSums Sums() => Totals(Observed());

        /// <summary>
        /// Adds the job that fills, per replicate, the statistic over units drawn with replacement (NaN where it is
        /// undefined); returns the array it fills.
        /// </summary>
        public double[] Bootstrap(BootstrapOptions bootstrap, ulong stream, List<ResampleJob> jobs, Func<int, UnitSums, double?> statistic)
        {
            var replicates = new double[bootstrap.Replicates];
            jobs.Add(new ResampleJob(stream, kindOf, kindValues.Length, [replicates], (r, drawn) =>
                replicates[r] = statistic(Count, Totals(drawn)) ?? double.NaN));
            return replicates;
        }

        /// <summary>How many units of each kind the table itself holds.</summary>
        private int[] Observed()
        {
            var observed = new int[kindValues.Length];
            foreach (var kind in kindOf)
            {
                observed[kind]++;
            }

            return observed;
        }

        /// <summary>The sums over a sample holding <paramref name="drawn"/>[kind] units of each kind.</summary>
        private UnitSums Totals(int[] drawn)
        {
            long values = 0, squaredCounts = 0, squaredTotals = 0;
            var disagreement = 0.0;
            for (var kind = 0; kind < drawn.Length; kind++)
            {
                values += drawn[kind] * kindValues[kind];
                squaredCounts += drawn[kind] * kindSquares[kind];
                disagreement += drawn[kind] * kindDisagreement[kind];
            }

            for (var c = 0; c < categories; c++)
            {
                long total = 0;
                for (var kind = 0; kind < drawn.Length; kind++)
                {
                    total += (long)drawn[kind] * kindCounts[kind * categories + c];
                }

                squaredTotals += total * total;
            }

            return new UnitSums(values, squaredCounts, squaredTotals, disagreement);
        }
    }
}
