using TraceViewer.Agreement;
using TraceViewer.Kinds;
using TraceViewer.Studies;
using TraceViewer.Traces;

namespace TraceViewer.Exports;

/// <summary>
/// The numbers each chart plots, as export tables ("CSV of these numbers"), and the study and agreement tables. Rows
/// follow the chart's own order (its traces, then its points); undefined values are empty cells.
/// </summary>
public static class ChartTables
{
    public static readonly IReadOnlyList<string> CurveHeader =
        ["trace_id", "outcome", "outcome_name", "prefix_end", "rate", "low", "high", "successes", "n", "effect", "direction", "needs_more_samples"];

    /// <summary>
    /// The trace curve: per outcome with rates and per prefix, the rate once the prefix ends with sentence
    /// <c>prefix_end</c> (-1: before any sentence), its Wilson 95% band, the counts, and the direction of the sentence
    /// that ends the prefix under <paramref name="effect"/> (empty before any sentence), as the points are coloured.
    /// </summary>
    public static ExportTable Curve(TraceDocument trace, EffectKind effect)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var outcome in trace.Outcomes.Where(o => o.PrefixRates.Count > 0))
        {
            foreach (var rate in outcome.PrefixRates)
            {
                var end = rate.Index - 1;
                var shown = end >= 0 ? outcome.EffectsAt(end)?.Shown(effect) : null;
                rows.Add(
                [
                    ExportCsv.Number(trace.Id), ExportCsv.Text(outcome.Key), ExportCsv.Text(outcome.Name), ExportCsv.Number(end),
                    ExportCsv.Number(rate.Value), ExportCsv.Number(rate.Low), ExportCsv.Number(rate.High),
                    rate.Successes is { } s ? ExportCsv.Number(s) : "", rate.Count is { } n ? ExportCsv.Number(n) : "",
                    effect.QueryValue(), shown is null ? "" : shown.Direction.ToString().ToLowerInvariant(), shown is null ? "" : ExportCsv.Bool(shown.NeedsMoreSamples),
                ]);
            }
        }

        return new(CurveHeader, rows);
    }

    public static readonly IReadOnlyList<string> StudyChartHeader =
        ["outcome", "tier", "variant", "rate", "low", "high", "positives", "determined", "undetermined", "traces"];

    /// <summary>The study chart: one row per bar (outcome, tier, prompt variant) in the chart's order; conditions without traces have no bar.</summary>
    public static ExportTable StudyChart(StudyView study)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var (outcome, rate) in StudyOutcomes)
        {
            foreach (var tier in study.Tiers)
            {
                foreach (var variant in study.Variants)
                {
                    if (study.Find(variant, tier) is not { } condition)
                    {
                        continue;
                    }

                    var r = rate(condition);
                    rows.Add(
                    [
                        outcome, ExportCsv.Text(tier), ExportCsv.Text(variant), ExportCsv.Number(r.Rate),
                        r.Rate is null ? "" : ExportCsv.Number(r.Low), r.Rate is null ? "" : ExportCsv.Number(r.High),
                        ExportCsv.Number(r.Positives), ExportCsv.Number(r.Determined), ExportCsv.Number(r.Undetermined), ExportCsv.Number(condition.Traces),
                    ]);
                }
            }
        }

        return new(StudyChartHeader, rows);
    }

    public static readonly IReadOnlyList<string> StudyTableHeader =
    [
        "variant", "tier", "outcome", "traces", "positives", "determined", "undetermined", "rate", "low", "high",
        "free_minus_paid", "free_minus_paid_low", "free_minus_paid_high",
    ];

    /// <summary>
    /// The study page's table: one row per condition and outcome with the rate, its Wilson 95% interval and counts;
    /// compliance rows also carry their prompt variant's free-minus-paid compliance gap with Newcombe's 95% interval.
    /// </summary>
    public static ExportTable StudyTable(StudyView study)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var condition in study.Conditions)
        {
            var gap = study.Gaps.FirstOrDefault(g => g.Variant == condition.Variant);
            foreach (var (outcome, rate) in StudyOutcomes)
            {
                var r = rate(condition);
                var withGap = outcome == StudyChartData.Compliance && gap is not null;
                rows.Add(
                [
                    ExportCsv.Text(condition.Variant), ExportCsv.Text(condition.Tier), outcome, ExportCsv.Number(condition.Traces),
                    ExportCsv.Number(r.Positives), ExportCsv.Number(r.Determined), ExportCsv.Number(r.Undetermined), ExportCsv.Number(r.Rate),
                    r.Rate is null ? "" : ExportCsv.Number(r.Low), r.Rate is null ? "" : ExportCsv.Number(r.High),
                    withGap ? ExportCsv.Number(gap!.Difference) : "", withGap ? ExportCsv.Number(gap!.Low) : "", withGap ? ExportCsv.Number(gap!.High) : "",
                ]);
            }
        }

        return new(StudyTableHeader, rows);
    }

    private static readonly (string Outcome, Func<StudyCondition, StudyRate> Rate)[] StudyOutcomes =
    [
        (StudyChartData.Compliance, c => c.Compliance),
        (StudyChartData.AlignmentFaking, c => c.AlignmentFaking),
    ];

    public static readonly IReadOnlyList<string> KindsChartHeader =
        ["taxonomy", "tag", "outcome", "effect", "mean_signed", "mean_signed_low", "mean_signed_high", "sentences", "traces"];

    /// <summary>The kinds chart: one row per bar (tags whose mean is defined), top to bottom.</summary>
    public static ExportTable KindsChart(KindsView view) => new(
        KindsChartHeader,
        view.Rows.Where(r => r.Tagged.MeanSigned.Value is not null).Select(r => (IReadOnlyList<string>)
        [
            ExportCsv.Text(view.Selection.Taxonomy), ExportCsv.Text(r.Tag), ExportCsv.Text(view.Selection.Outcome), ExportCsv.Text(view.Selection.Effect),
            ExportCsv.Number(r.Tagged.MeanSigned.Value), ExportCsv.Number(r.Tagged.MeanSigned.Low), ExportCsv.Number(r.Tagged.MeanSigned.High),
            ExportCsv.Number(r.Tagged.Sentences), ExportCsv.Number(r.Tagged.Traces),
        ]).ToList());

    public static readonly IReadOnlyList<string> AgreementHeader =
    [
        "section", "variable", "row", "annotator_a", "annotator_b", "items",
        "alpha", "alpha_low", "alpha_high", "fleiss_kappa", "fleiss_low", "fleiss_high",
        "kappa", "kappa_low", "kappa_high", "observed", "observed_low", "observed_high", "undefined",
    ];

    /// <summary>
    /// The agreement page's figures: per variable (each tag as present/absent, the taxonomy as one nominal variable, and
    /// the judge's verdicts among people and with the judge) one "variable" row with Krippendorff's alpha and Fleiss'
    /// kappa, then one "pair" row per two annotators with Cohen's kappa and observed agreement, all with 95% intervals.
    /// Annotators are written by name; <c>undefined</c> says why a figure is empty.
    /// </summary>
    public static ExportTable Agreement(AgreementView view)
    {
        var rows = new List<IReadOnlyList<string>>();
        string Name(string key) => view.Names.TryGetValue(key, out var name) ? name : key;

        void Add(string section, VariableAgreement v)
        {
            rows.Add(
            [
                section, ExportCsv.Text(v.Name), "variable", "", "", ExportCsv.Number(v.Items),
                .. Cells(v.Alpha), .. Cells(v.Fleiss), "", "", "", "", "", "",
                ExportCsv.Text(string.Join("; ", new[] { v.Alpha.Undefined, v.Fleiss?.Undefined }.Where(u => u is not null).Distinct())),
            ]);
            foreach (var p in v.Pairs)
            {
                AddPair(section, v.Name, p);
            }
        }

        void AddPair(string section, string variable, PairFigures p) => rows.Add(
        [
            section, ExportCsv.Text(variable), "pair", ExportCsv.Text(Name(p.A)), ExportCsv.Text(Name(p.B)), ExportCsv.Number(p.N),
            "", "", "", "", "", "", .. Cells(p.Kappa), .. Cells(p.Observed),
            ExportCsv.Text(string.Join("; ", new[] { p.Kappa.Undefined, p.Observed.Undefined }.Where(u => u is not null).Distinct())),
        ]);

        if (view.Tags is { } tags)
        {
            if (tags.Nominal is { } nominal)
            {
                Add("tags", nominal);
            }

            foreach (var tag in tags.Tags)
            {
                Add("tags", tag);
            }
        }

        if (view.Judge is { } judge)
        {
            Add("verdicts, people", judge.PeopleOnly);
            Add("verdicts, with judge", judge.WithJudge);
        }

        return new(AgreementHeader, rows);
    }

    private static string[] Cells(Figure? figure) =>
        figure is null ? ["", "", ""] : [ExportCsv.Number(figure.Value), ExportCsv.Number(figure.Low), ExportCsv.Number(figure.High)];
}
