using TraceViewer.Text;
using TraceViewer.Judging;

namespace TraceViewer.Jobs;

/// <summary>One prompt variant in the collect form: its name and the text as pasted or uploaded (note lines still in).</summary>
internal sealed class CollectVariantField
{
    public string? Name { get; set; }

    public string? Text { get; set; }

    /// <summary>The file the text was read from, if it was uploaded.</summary>
    public string? FileName { get; set; }
}

/// <summary>What the collect form holds. Numbers left empty mean the API's defaults.</summary>
internal sealed class CollectFormFields
{
    /// <summary>Extend this dataset; null makes or extends the dataset named <see cref="DatasetName"/>.</summary>
    public int? DatasetId { get; set; }

    public string? DatasetName { get; set; }

    public string? Provider { get; set; }

    public string? Model { get; set; }

    /// <summary>AdvBench requests: the first n, or a sample of n.</summary>
    public int? N { get; set; } = 10;

    /// <summary>A seeded random sample of n rather than the first n.</summary>
    public bool Sample { get; set; }

    public long? Seed { get; set; } = 1;

    public bool Free { get; set; } = true;

    public bool Paid { get; set; } = true;

    public List<CollectVariantField> Variants { get; } = [];

    public int? SamplesPerQuery { get; set; } = 1;

    public double? Temperature { get; set; } = 1.0;

    public bool Judge { get; set; } = true;

    public string Classifier { get; set; } = JudgeClassifiers.FiveCriteriaName;

    public int? Votes { get; set; } = JudgeClassifiers.AlignmentFakingFiveCriteria.DefaultVotes;

    /// <summary>Stop a response's judge calls once the majority is decided (<see cref="JudgeSettings.EarlyStop"/>).</summary>
    public bool EarlyStop { get; set; }

    /// <summary>Whether the chosen judge decides by majority, so that it can stop early.</summary>
    public bool MayStopEarly => JudgeClassifiers.Find(Classifier)?.DefaultThreshold == JudgeThreshold.Majority;

    public IReadOnlyList<string> Tiers => [.. new[] { (Free, TierParser.Free), (Paid, TierParser.Paid) }.Where(t => t.Item1).Select(t => t.Item2)];

    /// <summary>The variants as the request sends them, texts as typed: the API drops their note lines.</summary>
    public IReadOnlyDictionary<string, string> VariantTexts
    {
        get
        {
            var texts = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var variant in Variants)
            {
                texts.TryAdd(variant.Name?.Trim() ?? "", variant.Text ?? "");
            }

            return texts;
        }
    }

    /// <summary>The judge step as the API checks it (<see cref="JudgeSettings.Validate"/>), or null without one.</summary>
    public JudgeSettings? JudgeSettings => Judge ? new() { Classifier = Classifier, Votes = Votes, Target = TraceViewer.Jobs.JudgeSettings.Traces, EarlyStop = EarlyStop && MayStopEarly ? true : null } : null;

    public JobRequest ToRequest() => new()
    {
        Kind = nameof(JobKind.Collect),
        DatasetId = DatasetId,
        Provider = string.IsNullOrWhiteSpace(Provider) ? null : Provider.Trim(),
        Model = string.IsNullOrWhiteSpace(Model) ? null : Model.Trim(),
        Temperature = Temperature,
        Collect = new CollectSettings
        {
            Dataset = DatasetId is null ? DatasetName?.Trim() : null,
            N = N,
            Seed = Sample && Seed is >= 0 ? (ulong)Seed.Value : null,
            Tiers = Tiers,
            Variants = VariantTexts,
            SamplesPerQuery = SamplesPerQuery,
            Judge = JudgeSettings,
        },
    };
}
