namespace TraceViewer.Statistics.Agreement;

/// <summary>
/// The judge (a model, or any one annotator) against the people: agreement among the people alone, the same
/// statistics with the judge as one more annotator, and the judge's precision and recall against the people's
/// majority label.
/// </summary>
internal sealed record JudgeAgreement(
    string Judge,
    string PositiveCategory,
    AgreementReport People,
    AgreementReport WithJudge,
    JudgeVersusMajority VersusMajority);

/// <summary>
/// The judge's label against the people's majority on the items both have: <see cref="Compared"/> items with a
/// unique majority; <see cref="Tied"/> items whose people split evenly between their most frequent categories
/// (left out, not broken either way); <see cref="WithoutPeople"/> items the judge rated but too few people did;
/// <see cref="NotJudged"/> items people rated but the judge did not. Positive means the
/// <see cref="JudgeAgreement.PositiveCategory"/>; every other category is negative.
/// </summary>
internal sealed record JudgeVersusMajority(
    int Compared,
    int Tied,
    int WithoutPeople,
    int NotJudged,
    int TruePositives,
    int FalsePositives,
    int FalseNegatives,
    int TrueNegatives,
    double? Agreement,
    double? Precision,
    double? Recall,
    BootstrapInterval? AgreementInterval = null,
    BootstrapInterval? PrecisionInterval = null,
    BootstrapInterval? RecallInterval = null);

internal static class JudgeAnalysis
{
    private const ulong AgreementStream = 3;
    private const ulong PrecisionStream = 4;
    private const ulong RecallStream = 5;

    private const int JudgePositive = 1;
    private const int MajorityPositive = 2;
    private const int SameLabel = 4;
    private const int OutcomeKinds = 8;

    /// <param name="minimumPeople">Items with fewer people's ratings than this are not compared.</param>
    /// <exception cref="ArgumentException">The judge or the positive category is unknown.</exception>
    public static JudgeAgreement Compute(
        RatingTable table, string judge, string positiveCategory, BootstrapOptions? bootstrap = null, int minimumPeople = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumPeople, 1);
        var judgeIndex = table.IndexOfAnnotator(judge);
        var positive = IndexOfCategory(table, positiveCategory);
        var people = table.Without(judge);
        return new JudgeAgreement(
            judge,
            positiveCategory,
            AgreementAnalysis.Compute(people, bootstrap),
            AgreementAnalysis.Compute(table, bootstrap),
            VersusMajority(table, judgeIndex, positive, minimumPeople, bootstrap));
    }

    private static JudgeVersusMajority VersusMajority(RatingTable table, int judge, int positive, int minimumPeople, BootstrapOptions? bootstrap)
    {
        var counts = new int[table.Categories.Count];
        var outcomes = new List<int>();
        int tied = 0, withoutPeople = 0, notJudged = 0;
        for (var i = 0; i < table.Items.Count; i++)
        {
            Array.Clear(counts);
            var people = 0;
            for (var a = 0; a < table.Annotators.Count; a++)
            {
                var label = table.Label(i, a);
                if (a != judge && label != RatingTable.Missing)
                {
                    counts[label]++;
                    people++;
                }
            }

            var judged = table.Label(i, judge);
            if (judged == RatingTable.Missing)
            {
                notJudged += people > 0 ? 1 : 0;
                continue;
            }

            if (people < minimumPeople)
            {
                withoutPeople++;
                continue;
            }

            var majority = UniqueMostFrequent(counts);
            if (majority is null)
            {
                tied++;
                continue;
            }

            outcomes.Add((judged == positive ? JudgePositive : 0) | (majority == positive ? MajorityPositive : 0) | (judged == majority ? SameLabel : 0));
        }

        var codes = outcomes.ToArray();
        var observed = new int[OutcomeKinds];
        foreach (var code in codes)
        {
            observed[code]++;
        }

        var sums = Sum(observed);
        var compared = outcomes.Count;
        var result = new JudgeVersusMajority(
            compared,
            tied,
            withoutPeople,
            notJudged,
            sums.TruePositives,
            sums.FalsePositives,
            sums.FalseNegatives,
            compared - sums.TruePositives - sums.FalsePositives - sums.FalseNegatives,
            sums.Agreement,
            sums.Precision,
            sums.Recall);
        if (bootstrap is null)
        {
            return result;
        }

        return result with
        {
            AgreementInterval = Interval(codes, bootstrap, AgreementStream, s => s.Agreement),
            PrecisionInterval = Interval(codes, bootstrap, PrecisionStream, s => s.Precision),
            RecallInterval = Interval(codes, bootstrap, RecallStream, s => s.Recall),
        };
    }

    private static BootstrapInterval Interval(int[] outcomes, BootstrapOptions bootstrap, ulong stream, Func<OutcomeSums, double?> statistic)
    {
        var replicates = new double[bootstrap.Replicates];
        var random = new SplitMix64(bootstrap.Seed, stream);
        var drawn = new int[OutcomeKinds];
        for (var r = 0; r < replicates.Length; r++)
        {
            if (outcomes.Length == 0)
            {
                replicates[r] = double.NaN;
                continue;
            }

            PercentileBootstrap.CountDraws(ref random, outcomes, drawn);
            replicates[r] = statistic(Sum(drawn)) ?? double.NaN;
        }

        return PercentileBootstrap.Interval(replicates, bootstrap.Confidence, AgreementAnalysis.BootstrapUnits);
    }

    /// <summary>The counts of a sample holding <paramref name="drawn"/>[code] items of each outcome code.</summary>
    private static OutcomeSums Sum(int[] drawn)
    {
        int compared = 0, truePositives = 0, falsePositives = 0, falseNegatives = 0, same = 0;
        for (var code = 0; code < drawn.Length; code++)
        {
            var judged = (code & JudgePositive) != 0;
            var majority = (code & MajorityPositive) != 0;
            compared += drawn[code];
            truePositives += judged && majority ? drawn[code] : 0;
            falsePositives += judged && !majority ? drawn[code] : 0;
            falseNegatives += !judged && majority ? drawn[code] : 0;
            same += (code & SameLabel) != 0 ? drawn[code] : 0;
        }

        return new OutcomeSums(compared, truePositives, falsePositives, falseNegatives, same);
    }

    private readonly record struct OutcomeSums(int Compared, int TruePositives, int FalsePositives, int FalseNegatives, int Same)
    {
        public double? Agreement => Compared == 0 ? null : (double)Same / Compared;

        public double? Precision => TruePositives + FalsePositives == 0 ? null : (double)TruePositives / (TruePositives + FalsePositives);

        public double? Recall => TruePositives + FalseNegatives == 0 ? null : (double)TruePositives / (TruePositives + FalseNegatives);
    }

    /// <summary>The category more people chose than any other, or null when two or more share the top count.</summary>
    private static int? UniqueMostFrequent(int[] counts)
    {
        var best = 0;
        var shared = false;
        for (var c = 1; c < counts.Length; c++)
        {
            if (counts[c] > counts[best])
            {
                best = c;
                shared = false;
            }
            else if (counts[c] == counts[best])
            {
                shared = true;
            }
        }

        return shared ? null : best;
    }

    private static int IndexOfCategory(RatingTable table, string category)
    {
        for (var c = 0; c < table.Categories.Count; c++)
        {
            if (string.Equals(table.Categories[c], category, StringComparison.Ordinal))
            {
                return c;
            }
        }

        throw new ArgumentException($"'{category}' is not one of the categories ({string.Join(", ", table.Categories)}).", nameof(category));
    }
}
