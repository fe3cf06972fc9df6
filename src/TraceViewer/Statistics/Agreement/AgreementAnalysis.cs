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

    public static AgreementReport Compute(RatingTable table, BootstrapOptions? bootstrap = null)
    {
        bootstrap?.Validate();
        var pairwise = new List<PairwiseAgreement>();
        var annotators = table.Annotators.Count;
        for (var a = 0; a < annotators; a++)
        {
            for (var b = a + 1; b < annotators; b++)
            {
                pairwise.Add(Pair(table, a, b, bootstrap, FirstPairStream + (ulong)pairwise.Count));
            }
        }

        return new AgreementReport(
            table.Categories,
            table.Annotators,
            table.Items.Count,
            pairwise,
            annotators >= 3 ? Fleiss(table, bootstrap) : null,
            Krippendorff(table, bootstrap),
            bootstrap);
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

    private static PairwiseAgreement Pair(RatingTable table, int a, int b, BootstrapOptions? bootstrap, ulong stream)
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
            return new PairwiseAgreement(table.Annotators[a], table.Annotators[b], n, observed, kappa, confusion);
        }

        var (observedInterval, kappaInterval) = BootstrapPair([.. cells], k, bootstrap, stream);
        return new PairwiseAgreement(table.Annotators[a], table.Annotators[b], n, observed, kappa, confusion, observedInterval, kappaInterval);
    }

    private static (BootstrapInterval Observed, BootstrapInterval Kappa) BootstrapPair(int[] cells, int k, BootstrapOptions bootstrap, ulong stream)
    {
        var observed = new double[bootstrap.Replicates];
        var kappa = new double[bootstrap.Replicates];
        var n = cells.Length;
        if (n == 0)
        {
            Array.Fill(observed, double.NaN);
            Array.Fill(kappa, double.NaN);
        }
        else
        {
            var random = new SplitMix64(bootstrap.Seed, stream);
            var rows = new long[k];
            var columns = new long[k];
            for (var r = 0; r < bootstrap.Replicates; r++)
            {
                Array.Clear(rows);
                Array.Clear(columns);
                long agreeing = 0;
                for (var j = 0; j < n; j++)
                {
                    var cell = cells[random.NextInt(n)];
                    var row = cell / k;
                    var column = cell - row * k;
                    rows[row]++;
                    columns[column]++;
                    agreeing += row == column ? 1 : 0;
                }

                long products = 0;
                for (var c = 0; c < k; c++)
                {
                    products += rows[c] * columns[c];
                }

                observed[r] = (double)agreeing / n;
                kappa[r] = CohenKappa(n, agreeing, products) ?? double.NaN;
            }
        }

        return (PercentileBootstrap.Interval(observed, bootstrap.Confidence, BootstrapUnits),
            PercentileBootstrap.Interval(kappa, bootstrap.Confidence, BootstrapUnits));
    }

    private static FleissAgreement Fleiss(RatingTable table, BootstrapOptions? bootstrap)
    {
        var annotators = table.Annotators.Count;
        var units = Units(table, ratings => ratings == annotators);
        var kappa = FleissKappa(units.Count, annotators, units.SquaredCountsTotal(), units.SquaredCategoryTotals());
        var items = units.Items.Select(i => table.Items[i]).ToArray();
        if (bootstrap is null)
        {
            return new FleissAgreement(items, annotators, kappa);
        }

        var replicates = units.Bootstrap(bootstrap, FleissStream, (count, sample) =>
            FleissKappa(count, annotators, sample.SquaredCounts, sample.SquaredTotals));
        return new FleissAgreement(items, annotators, kappa, PercentileBootstrap.Interval(replicates, bootstrap.Confidence, BootstrapUnits));
    }

    private static KrippendorffAgreement Krippendorff(RatingTable table, BootstrapOptions? bootstrap)
    {
        var units = Units(table, ratings => ratings >= 2);
        var alpha = KrippendorffAlpha(units.ValuesTotal(), units.DisagreementTotal(), units.SquaredCategoryTotals());
        if (bootstrap is null)
        {
            return new KrippendorffAgreement(units.Count, (int)units.ValuesTotal(), alpha);
        }

        var replicates = units.Bootstrap(bootstrap, AlphaStream, (_, sample) =>
            KrippendorffAlpha(sample.Values, sample.Disagreement, sample.SquaredTotals));
        return new KrippendorffAgreement(
            units.Count, (int)units.ValuesTotal(), alpha, PercentileBootstrap.Interval(replicates, bootstrap.Confidence, BootstrapUnits));
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

    /// <summary>Sums over a bootstrap sample of units.</summary>
    private readonly record struct UnitSums(long Values, long SquaredCounts, long SquaredTotals, double Disagreement);

    /// <summary>Items with their category counts n_ik (row-major), and the per-item sums every statistic needs.</summary>
    private sealed class RatedUnits
    {
        private readonly int categories;
        private readonly int[] counts;
        private readonly int[] values;
        private readonly long[] squaredCounts;
        private readonly double[] disagreement;

        public RatedUnits(int categories, int[] items, int[] counts)
        {
            this.categories = categories;
            this.counts = counts;
            Items = items;
            values = new int[items.Length];
            squaredCounts = new long[items.Length];
            disagreement = new double[items.Length];
            for (var u = 0; u < items.Length; u++)
            {
                long m = 0;
                long squares = 0;
                for (var c = 0; c < categories; c++)
                {
                    long n = counts[u * categories + c];
                    m += n;
                    squares += n * n;
                }

                values[u] = (int)m;
                squaredCounts[u] = squares;
                disagreement[u] = m > 1 ? (double)(m * m - squares) / (m - 1) : 0;
            }
        }

        public int[] Items { get; }

        public int Count => Items.Length;

        public long ValuesTotal() => values.Sum(v => (long)v);

        public long SquaredCountsTotal() => squaredCounts.Sum();

        public double DisagreementTotal() => disagreement.Sum();

        public long SquaredCategoryTotals()
        {
            long sum = 0;
            for (var c = 0; c < categories; c++)
            {
                long total = 0;
                for (var u = 0; u < Count; u++)
                {
                    total += counts[u * categories + c];
                }

                sum += total * total;
            }

            return sum;
        }

        /// <summary>One value per replicate (NaN where the statistic is undefined) from units drawn with replacement.</summary>
        public double[] Bootstrap(BootstrapOptions bootstrap, ulong stream, Func<int, UnitSums, double?> statistic)
        {
            var replicates = new double[bootstrap.Replicates];
            if (Count == 0)
            {
                Array.Fill(replicates, double.NaN);
                return replicates;
            }

            var random = new SplitMix64(bootstrap.Seed, stream);
            var totals = new long[categories];
            for (var r = 0; r < replicates.Length; r++)
            {
                Array.Clear(totals);
                long sampleValues = 0;
                long sampleSquares = 0;
                var sampleDisagreement = 0.0;
                for (var j = 0; j < Count; j++)
                {
                    var u = random.NextInt(Count);
                    sampleValues += values[u];
                    sampleSquares += squaredCounts[u];
                    sampleDisagreement += disagreement[u];
                    var offset = u * categories;
                    for (var c = 0; c < categories; c++)
                    {
                        totals[c] += counts[offset + c];
                    }
                }

                long squaredTotals = 0;
                for (var c = 0; c < categories; c++)
                {
                    squaredTotals += totals[c] * totals[c];
                }

                replicates[r] = statistic(Count, new UnitSums(sampleValues, sampleSquares, squaredTotals, sampleDisagreement)) ?? double.NaN;
            }

            return replicates;
        }
    }
}
