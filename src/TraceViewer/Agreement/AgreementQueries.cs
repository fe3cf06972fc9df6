using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Judging;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Agreement;

/// <summary>
/// Reads what the agreement page compares, in a few narrow queries (ids and names only, no text but the listed
/// disagreements'), and hands the rows to <see cref="AgreementComputation"/>.
/// </summary>
internal sealed class AgreementQueries(TraceViewerDbContext db)
{
    public const string JudgedOutcome = "alignment_faking";
    private const int TextLength = 240;

    public async Task<AgreementView> LoadAsync(AgreementRequest request, CancellationToken ct)
    {
        var datasets = await db.Set<Dataset>().AsNoTracking().OrderBy(d => d.Name)
            .Select(d => new { d.Id, d.Name, Traces = db.Set<Trace>().Count(t => t.DatasetId == d.Id) }).ToListAsync(ct);
        var dataset = datasets.Any(d => d.Id == request.Dataset) ? request.Dataset : null;
        var tagged = Tagged(dataset);

        var taxonomies = await db.Set<Taxonomy>().AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name, t.MultiChoice }).ToListAsync(ct);
        var usage = await (from st in tagged
                           join t in db.Set<Tag>() on st.TagId equals t.Id
                           group st by t.TaxonomyId into g
                           select new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var taxonomy = taxonomies.FirstOrDefault(t => t.Id == request.Taxonomy)
            ?? taxonomies.OrderByDescending(t => usage.GetValueOrDefault(t.Id)).ThenBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault();

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        List<AnnotatorChoice> annotators = [];
        TaxonomyAgreement? tags = null;
        string? tagsNotice;
        if (taxonomy is null)
        {
            tagsNotice = "There is no taxonomy yet.";
        }
        else
        {
            var tagNames = await db.Set<Tag>().AsNoTracking().Where(t => t.TaxonomyId == taxonomy.Id)
                .OrderBy(t => t.Hotkey == null).ThenBy(t => t.Hotkey).ThenBy(t => t.Id)
                .Select(t => new TagName(t.Id, t.Name)).ToListAsync(ct);
            var rows = await TagRowsAsync(tagged, taxonomy.Id, ct);
            var seen = rows.GroupBy(r => r.Annotator, StringComparer.Ordinal)
                .Select(g => (Key: g.Key, Sentences: g.Select(r => r.SentenceId).Distinct().Count()))
                .OrderBy(a => a.Key, StringComparer.Ordinal).ToList();
            await NameAsync(names, seen.Select(a => a.Key), ct);
            var asked = request.Annotators is { Count: > 0 } list ? list.ToHashSet(StringComparer.Ordinal) : null;
            var chosen = seen.Where(a => asked is null || asked.Contains(a.Key)).Select(a => a.Key).ToList();
            annotators = [.. seen.Select(a => new AnnotatorChoice(a.Key, KindOf(a.Key), names[a.Key], a.Sentences, chosen.Contains(a.Key)))];
            if (seen.Count < 2)
            {
                tagsNotice = seen.Count == 0
                    ? "Nobody has tagged sentences with this taxonomy" + (dataset is null ? "." : " in this dataset.")
                    : $"Only {names[seen[0].Key]} has tagged sentences with this taxonomy, so there is no one to compare with.";
            }
            else if (chosen.Count < 2)
            {
                tagsNotice = "Choose at least two annotators to compare.";
            }
            else
            {
                tagsNotice = null;
                var compared = chosen.ToHashSet(StringComparer.Ordinal);
                tags = AgreementComputation.Tags(
                    taxonomy.Id, taxonomy.Name, taxonomy.MultiChoice, chosen, tagNames, [.. rows.Where(r => compared.Contains(r.Annotator))]);
                tags = await WithTextsAsync(tags, rows, ct);
            }
        }

        var (judges, judgeSection, judgeNotice) = await JudgeAsync(dataset, request.Judge, names, ct);
        return new AgreementView(
            dataset,
            taxonomy?.Id,
            [.. datasets.Select(d => new Choice(d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), d.Name, d.Traces, d.Id == dataset))],
            [.. taxonomies.Select(t => new Choice(t.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), t.Name, usage.GetValueOrDefault(t.Id), t.Id == taxonomy?.Id))],
            annotators,
            judges,
            names,
            AgreementComputation.Method,
            tags,
            tagsNotice,
            judgeSection,
            judgeNotice);
    }

    /// <summary>Datasets with tags or verdicts to compare: they get a link to the agreement page. Read from the datasets' summaries (decision 0051).</summary>
    public async Task<List<int>> ListTaggedDatasetsAsync(CancellationToken ct) =>
        await db.Set<DatasetSummary>().AsNoTracking()
            .Where(s => s.SentenceTags > 0 || s.Verdicts > 0)
            .OrderBy(s => s.DatasetId)
            .Select(s => s.DatasetId).ToListAsync(ct);

    /// <summary>The tag rows of one taxonomy: ids and the annotator only, led by the (TagId, SentenceId) index.</summary>
    internal async Task<List<TagRow>> TagRowsAsync(IQueryable<SentenceTag> tagged, int taxonomyId, CancellationToken ct)
    {
        var raw = await (from st in tagged
                         join t in db.Set<Tag>() on st.TagId equals t.Id
                         join s in db.Set<Sentence>() on st.SentenceId equals s.Id
                         where t.TaxonomyId == taxonomyId
                         select new { st.SentenceId, s.TraceId, s.Index, st.TagId, st.AnnotatorKind, st.Annotator }).AsNoTracking().ToListAsync(ct);
        var keys = new Dictionary<(AnnotatorKind, string), string>();
        var rows = new List<TagRow>(raw.Count);
        foreach (var r in raw)
        {
            if (!keys.TryGetValue((r.AnnotatorKind, r.Annotator), out var key))
            {
                keys.Add((r.AnnotatorKind, r.Annotator), key = AnnotatorKey(r.AnnotatorKind, r.Annotator));
            }

            rows.Add(new TagRow(r.SentenceId, r.TraceId, r.Index, r.TagId, key));
        }

        return rows;
    }

    internal IQueryable<SentenceTag> Tagged(int? dataset) => dataset is { } d
        ? from st in db.Set<SentenceTag>()
          join s in db.Set<Sentence>() on st.SentenceId equals s.Id
          join tr in db.Set<Trace>() on s.TraceId equals tr.Id
          where tr.DatasetId == d
          select st
        : db.Set<SentenceTag>();

    public static string AnnotatorKey(AnnotatorKind kind, string annotator) => $"{kind}:{annotator}";

    public static string JudgeKey(string classifier) => $"Judge:{classifier}";

    public static string PersonKey(string annotator) => AnnotatorKey(AnnotatorKind.Person, annotator);

    private static string KindOf(string key) => key[..key.IndexOf(':', StringComparison.Ordinal)];

    /// <summary>People by their user name ("local owner" before accounts), models and imports by their id with the kind.</summary>
    private async Task NameAsync(Dictionary<string, string> names, IEnumerable<string> keys, CancellationToken ct)
    {
        var missing = keys.Where(k => !names.ContainsKey(k)).ToList();
        var people = missing.Where(k => k.StartsWith("Person:", StringComparison.Ordinal)).Select(k => k["Person:".Length..]).ToList();
        var users = people.Count == 0 ? [] : await db.Set<IdentityUser>().AsNoTracking().Where(u => people.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.UserName ?? u.Id, ct);
        foreach (var key in missing)
        {
            var kind = KindOf(key);
            var id = key[(kind.Length + 1)..];
            names[key] = kind switch
            {
                "Person" when id == BuiltInTaxonomies.LocalPerson => "local owner",
                "Person" => users.GetValueOrDefault(id) ?? id,
                "Model" => $"model {id}",
                "Import" => $"import {id}",
                "Judge" => $"{id} (judge)",
                _ => id,
            };
        }
    }

    private async Task<TaxonomyAgreement> WithTextsAsync(TaxonomyAgreement tags, List<TagRow> rows, CancellationToken ct)
    {
        var listed = tags.Tags.Append(tags.Nominal).SelectMany(v => v?.Disagreements ?? []).Select(d => (d.TraceId, d.Index)).ToHashSet();
        if (listed.Count == 0)
        {
            return tags;
        }

        var ids = rows.Where(r => listed.Contains((r.TraceId, r.Index))).Select(r => r.SentenceId).Distinct().ToList();
        var texts = new Dictionary<(int, int), string>();
        foreach (var chunk in ids.Chunk(500))
        {
            var found = await db.Set<Sentence>().AsNoTracking().Where(s => chunk.Contains(s.Id))
                .Select(s => new { s.TraceId, s.Index, Text = s.Text.Substring(0, TextLength) }).ToListAsync(ct);
            foreach (var s in found)
            {
                texts[(s.TraceId, s.Index)] = s.Text;
            }
        }

        VariableAgreement? Fill(VariableAgreement? v) => v is null ? null : v with
        {
            Disagreements = [.. v.Disagreements.Select(d => d with { Text = texts.GetValueOrDefault((d.TraceId, d.Index)) })],
        };

        return tags with { Tags = [.. tags.Tags.Select(t => Fill(t)!)], Nominal = Fill(tags.Nominal) };
    }

    private async Task<(List<Choice> Judges, JudgeSection? Section, string? Notice)> JudgeAsync(
        int? dataset, string? asked, Dictionary<string, string> names, CancellationToken ct)
    {
        var outcomeId = await db.Set<Outcome>().Where(o => o.Key == JudgedOutcome).Select(o => (int?)o.Id).SingleOrDefaultAsync(ct);
        var verdicts = await (from v in db.Set<HumanVerdict>()
                              join tr in db.Set<Trace>() on v.TraceId equals tr.Id
                              from r in db.Set<Resample>().Where(r => r.Id == v.ResampleId).DefaultIfEmpty()
                              where dataset == null || tr.DatasetId == dataset
                              select new { v.TraceId, v.ResampleId, Position = (int?)r.Position, v.Annotator, v.Verdict }).AsNoTracking().ToListAsync(ct);
        var labels = outcomeId is not { } outcome ? [] : await (
            from j in db.Set<JudgeLabel>()
            where j.OutcomeId == outcome && j.Label != null
            from r in db.Set<Resample>().Where(r => r.Id == j.ResampleId).DefaultIfEmpty()
            join tr in db.Set<Trace>() on (j.TraceId ?? r.TraceId) equals tr.Id
            where dataset == null || tr.DatasetId == dataset
            select new { j.Id, TraceId = tr.Id, j.ResampleId, Position = (int?)r.Position, j.Classifier, Label = j.Label!.Value }).AsNoTracking().ToListAsync(ct);

        // The latest label of each classifier on each target.
        var latest = labels.GroupBy(l => (l.Classifier, l.TraceId, l.ResampleId)).Select(g => g.MaxBy(l => l.Id)!).ToList();
        var counts = latest.GroupBy(l => l.Classifier, StringComparer.Ordinal)
            .Select(g => (Classifier: g.Key, Count: g.Count())).OrderByDescending(c => c.Count).ThenBy(c => c.Classifier, StringComparer.Ordinal).ToList();
        var judge = counts.Any(c => c.Classifier == asked) ? asked : counts.FirstOrDefault().Classifier;
        var choices = counts.Select(c => new Choice(c.Classifier, c.Classifier, c.Count, c.Classifier == judge)).ToList();
        await NameAsync(names, verdicts.Select(v => PersonKey(v.Annotator)).Append(judge is null ? null : JudgeKey(judge)).OfType<string>(), ct);
        if (verdicts.Count == 0)
        {
            return (choices, null, "Nobody has given an alignment-faking verdict" + (dataset is null ? " yet." : " in this dataset yet.")
                + " Annotators set theirs on a trace page or in a resample's dialog.");
        }

        if (judge is null)
        {
            return (choices, null, "No judge has labelled alignment faking" + (dataset is null ? " yet." : " in this dataset yet."));
        }

        var people = verdicts.Select(v => new VerdictRow(v.TraceId, v.ResampleId, v.Position, PersonKey(v.Annotator), v.Verdict)).ToList();
        var judged = latest.Where(l => l.Classifier == judge)
            .Select(l => new VerdictRow(l.TraceId, l.ResampleId, l.Position, JudgeKey(judge), l.Label)).ToList();
        var section = AgreementComputation.Judge(JudgeKey(judge), people, judged);
        return (choices, section, section is null ? "The judge and the people have no verdict in common." : null);
    }
}
