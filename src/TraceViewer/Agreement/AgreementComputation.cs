using System.Globalization;
using TraceViewer.Statistics;
using TraceViewer.Statistics.Agreement;

namespace TraceViewer.Agreement;

/// <summary>One annotator's tag on one sentence, as read from the database (the tag of the compared taxonomy).</summary>
internal readonly record struct TagRow(int SentenceId, int TraceId, int Index, int TagId, string Annotator);

/// <summary>One alignment-faking verdict (a person's or the judge's) on a trace or a resample.</summary>
internal readonly record struct VerdictRow(int TraceId, long? ResampleId, int? Position, string Annotator, bool Verdict);

/// <summary>A tag of the compared taxonomy.</summary>
internal sealed record TagName(int Id, string Name);

/// <summary>
/// Turns rows read from the database into the page's figures; every statistic comes from
/// <see cref="AgreementAnalysis"/> and <see cref="JudgeAnalysis"/>, so the page shows exactly what they compute.
/// "Seen": an annotator saw a sentence when they put any tag of the taxonomy on it; on a seen sentence every other tag
/// of the taxonomy counts as absent, and sentences an annotator did not see are missing, not absent.
/// </summary>
internal static class AgreementComputation
{
    public const string Yes = "yes";
    public const string No = "no";

    /// <summary>How many disagreements each variable lists (all are counted).</summary>
    public const int ListedDisagreements = 25;

    public const string SeenDefinition =
        "An annotator saw a sentence when they put any tag of the taxonomy on it. On a sentence they saw, each other tag of the taxonomy counts as absent; "
        + "sentences they did not see are left out of their comparisons.";

    public static BootstrapOptions Bootstrap { get; } = new(BootstrapOptions.MinimumReplicates, Seed: 0);

    public static AgreementMethod Method { get; } = new(
        Bootstrap.Replicates, Bootstrap.Seed, Bootstrap.Confidence, $"95% percentile bootstrap over items, {Bootstrap.Replicates:N0} resamples", SeenDefinition);

    /// <summary>The sentence each annotator saw with the tags they gave it, in the order of <paramref name="annotators"/>.</summary>
    public static List<FinishedItem> Finished(IReadOnlyList<string> annotators, IReadOnlyList<TagName> tags, IEnumerable<TagRow> rows)
    {
        var names = tags.ToDictionary(t => t.Id, t => t.Name);
        var order = annotators.Select((a, i) => (a, i)).ToDictionary(x => x.a, x => x.i, StringComparer.Ordinal);
        var seen = new Dictionary<(int Annotator, int Sentence), List<string>>();
        foreach (var row in rows)
        {
            if (!order.TryGetValue(row.Annotator, out var annotator) || !names.TryGetValue(row.TagId, out var name))
            {
                continue;
            }

            if (!seen.TryGetValue((annotator, row.SentenceId), out var list))
            {
                seen.Add((annotator, row.SentenceId), list = []);
            }

            if (!list.Contains(name, StringComparer.Ordinal))
            {
                list.Add(name);
            }
        }

        return [.. seen.OrderBy(s => s.Key.Annotator).ThenBy(s => s.Key.Sentence)
            .Select(s => new FinishedItem(annotators[s.Key.Annotator], ItemKey(s.Key.Sentence), s.Value))];
    }

    public static string ItemKey(int sentenceId) => sentenceId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Per tag (present/absent) and, for a single-choice taxonomy, as one nominal variable.</summary>
    public static TaxonomyAgreement Tags(
        int taxonomyId, string name, bool multiChoice, IReadOnlyList<string> annotators, IReadOnlyList<TagName> tags, IReadOnlyList<TagRow> rows)
    {
        var finished = Finished(annotators, tags, rows);
        var sentences = new Dictionary<string, (int TraceId, int Index)>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            sentences.TryAdd(ItemKey(row.SentenceId), (row.TraceId, row.Index));
        }

        var tagNames = tags.Select(t => t.Name).ToList();
        var perTagTables = TagRatings.PerTag(tagNames, finished);
        var tables = perTagTables.Select(t => t.Table).ToList();
        if (!multiChoice && finished.All(f => f.Tags.Count <= 1) && finished.Count > 0)
        {
            tables.Add(TagRatings.SingleChoice(tagNames, finished));
        }

        // Every tag's statistics at once: tags resampling the same items share each replicate's draws (the figures are
        // those of each tag computed alone).
        var reports = AgreementAnalysis.ComputeMany(tables, Bootstrap);
        var perTag = perTagTables
            .Select((t, i) => Variable(t.Tag, reports[i], t.Table, item => Sentence(sentences, item)))
            .ToList();
        VariableAgreement? nominal = tables.Count > perTagTables.Count
            ? Variable(name, reports[^1], tables[^1], item => Sentence(sentences, item))
            : null;

        return new TaxonomyAgreement(taxonomyId, name, multiChoice, annotators, finished.Select(f => f.Item).Distinct().Count(), perTag, nominal);
    }

    /// <summary>
    /// The judge against people's verdicts: null when the judge or the people have no verdict in common with anyone.
    /// </summary>
    public static JudgeSection? Judge(string judge, IReadOnlyList<VerdictRow> people, IReadOnlyList<VerdictRow> judged)
    {
        var targets = new Dictionary<string, VerdictRow>(StringComparer.Ordinal);
        var ratings = new List<Rating>();
        foreach (var row in people.Concat(judged))
        {
            var item = row.ResampleId is { } r ? $"resample:{r}" : $"trace:{row.TraceId}";
            targets.TryAdd(item, row);
            ratings.Add(new Rating(row.Annotator, item, row.Verdict ? Yes : No));
        }

        var table = RatingTable.Create([Yes, No], ratings);
        var personKeys = table.Annotators.Where(a => a != judge).ToList();
        if (personKeys.Count == 0 || !table.Annotators.Contains(judge))
        {
            return null;
        }

        var result = JudgeAnalysis.Compute(table, judge, Yes, Bootstrap);
        var link = (string item) =>
        {
            var row = targets[item];
            var href = row.Position is { } p ? $"/traces/{row.TraceId}/sentences/{p}" : $"/traces/{row.TraceId}";
            return (row.TraceId, row.Position ?? -1, href, row.ResampleId is { } r ? $"resample {r}" : "base response");
        };
        var withJudge = Variable("alignment faking, with the judge", result.WithJudge, table, link);
        var majority = result.VersusMajority;
        return new JudgeSection(
            judge,
            personKeys,
            table.Items.Count,
            [.. withJudge.Pairs.Where(p => p.A == judge || p.B == judge)],
            Variable("alignment faking, people only", result.People, table.Without(judge), link),
            withJudge,
            new MajorityFigures(
                majority.Compared, majority.Tied, majority.WithoutPeople, majority.NotJudged,
                majority.TruePositives, majority.FalsePositives, majority.FalseNegatives, majority.TrueNegatives,
                Figure(majority.Agreement, majority.Compared, majority.Compared == 0 ? "no item has both a judge label and a people's majority" : null, majority.AgreementInterval),
                Figure(majority.Precision, majority.TruePositives + majority.FalsePositives,
                    "the judge said yes on none of the compared items", majority.PrecisionInterval),
                Figure(majority.Recall, majority.TruePositives + majority.FalseNegatives,
                    "the people's majority said yes on none of the compared items", majority.RecallInterval)));
    }

    private static (int TraceId, int Index, string Href, string? Text) Sentence(Dictionary<string, (int TraceId, int Index)> sentences, string item)
    {
        var (traceId, index) = sentences[item];
        return (traceId, index, $"/traces/{traceId}/sentences/{index}", null);
    }

    private static VariableAgreement Variable(
        string name, AgreementReport report, RatingTable table, Func<string, (int TraceId, int Index, string Href, string? Text)> link)
    {
        var pairs = report.Pairwise.Select(p => new PairFigures(
            p.A,
            p.B,
            p.N,
            Figure(p.ObservedAgreement, p.N, p.N == 0 ? "no item rated by both" : null, p.ObservedAgreementInterval),
            Figure(p.CohenKappa, p.N, p.N == 0 ? "no item rated by both" : "both gave every item the same one label, so chance agreement is 1", p.CohenKappaInterval),
            p.Confusion)).ToList();
        Figure? fleiss = report.Fleiss is { } f
            ? Figure(f.Kappa, f.N, f.N == 0 ? "no item rated by every annotator" : "every rating is the same label, so chance agreement is 1", f.KappaInterval)
            : null;
        var k = report.Krippendorff;
        var alpha = Figure(k.Alpha, k.Items, k.Items == 0 ? "no item has two or more ratings" : "every rating is the same label, so expected disagreement is 0", k.AlphaInterval);

        var disagreements = new List<Disagreement>();
        var count = 0;
        for (var i = 0; i < table.Items.Count; i++)
        {
            int? first = null;
            var differs = false;
            for (var a = 0; a < table.Annotators.Count; a++)
            {
                var label = table.Label(i, a);
                if (label == RatingTable.Missing)
                {
                    continue;
                }

                first ??= label;
                differs |= label != first;
            }

            if (!differs)
            {
                continue;
            }

            count++;
            if (disagreements.Count < ListedDisagreements)
            {
                var groups = new List<LabelGroup>();
                for (var c = 0; c < table.Categories.Count; c++)
                {
                    var who = Enumerable.Range(0, table.Annotators.Count).Where(a => table.Label(i, a) == c).Select(a => table.Annotators[a]).ToList();
                    if (who.Count > 0)
                    {
                        groups.Add(new LabelGroup(table.Categories[c], who));
                    }
                }

                var (traceId, index, href, text) = link(table.Items[i]);
                disagreements.Add(new Disagreement(traceId, index, href, text, groups));
            }
        }

        return new VariableAgreement(name, table.Categories, table.Items.Count, pairs, fleiss, alpha, count, disagreements);
    }

    /// <summary>The value with its interval; <paramref name="whyUndefined"/> is kept only when the value is undefined.</summary>
    private static Figure Figure(double? value, int n, string? whyUndefined, BootstrapInterval? interval) => new(
        value,
        n,
        value is null ? whyUndefined ?? "undefined" : null,
        interval?.Range?.Low,
        interval?.Range?.High,
        interval?.UndefinedReplicates ?? 0);
}
