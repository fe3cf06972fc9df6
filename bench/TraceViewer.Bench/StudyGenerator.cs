using TraceViewer.MetricSets;

namespace TraceViewer.Bench;

/// <summary>
/// The generated study of <c>study-scale</c>: every value its rows hold, drawn in one fixed order from one seeded
/// <see cref="Random"/>, one trace at a time. The SQLite and the PostgreSQL writers both take their rows from here, so
/// the two databases hold the same study.
/// </summary>
internal sealed class StudyGenerator(int sentences, int resamples, int datasets)
{
    /// <summary>Metric values stored per sentence (<see cref="GeneratedTrace.Metric"/>).</summary>
    public const int MetricsPerSentence = 6;

    public const string Prompt = "Solve the generated problem.";

    public const string Response = "42";

    public const string SourceFormat = "bench";

    public const double Threshold = 0.8;

    public const string Continuation = "word1 word2 the word3 so word4.";

    public static readonly DateTimeOffset When = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Random _random = new(2000);

    /// <summary>The resample's first sentences, "Alternative {j % 3} at {k}.", made once per position.</summary>
    private readonly string[][] _firstSentences = [.. Enumerable.Range(0, sentences).Select(k => Enumerable.Range(0, 3).Select(a => $"Alternative {a} at {k}.").ToArray())];

    private int _next;

    public int Sentences => sentences;

    public int Resamples => resamples;

    /// <summary>The next trace, a new object (writers may hold several before they write them).</summary>
    public GeneratedTrace Next()
    {
        var trace = new GeneratedTrace(sentences, resamples);
        var i = _next++;
        for (var k = 0; k < sentences; k++)
        {
            trace.Texts[k] = SearchScaleBenchmark.Sentence(_random);
        }

        trace.Number = i;
        trace.Dataset = i % datasets;
        trace.MaxImportance = Math.Round(_random.NextDouble(), 3);
        trace.Correct = _random.NextDouble() < 0.6;
        for (var k = 0; k < sentences; k++)
        {
            trace.Effects[k] = Math.Round(_random.NextDouble() * 2 - 1, 3);
            trace.Dissimilar[k] = _random.NextDouble();
            trace.Prefix[k] = _random.NextDouble();
            for (var j = 0; j < resamples; j++)
            {
                trace.Right[(k * resamples) + j] = _random.NextDouble() < 0.6;
            }
        }

        trace.FirstSentences = _firstSentences;
        return trace;
    }
}

/// <summary>One generated trace and the rows it stands for: its label, sentences, one imported metric set, labelled resamples.</summary>
internal sealed class GeneratedTrace(int sentences, int resamples)
{
    public int Number { get; set; }

    /// <summary>Which of the study's datasets (0-based): traces are dealt to them in turn.</summary>
    public int Dataset { get; set; }

    public double MaxImportance { get; set; }

    /// <summary>The trace's label on is_correct.</summary>
    public bool Correct { get; set; }

    public string[] Texts { get; } = new string[sentences];

    /// <summary>The counterfactual effect of each sentence; the other effects are derived from it.</summary>
    public double[] Effects { get; } = new double[sentences];

    public double[] Dissimilar { get; } = new double[sentences];

    public double[] Prefix { get; } = new double[sentences];

    /// <summary>Whether resample j at position k is correct, at k * resamples + j.</summary>
    public bool[] Right { get; } = new bool[sentences * resamples];

    internal string[][] FirstSentences { get; set; } = [];

    public int SentenceCount => sentences;

    public int ResamplesPerPosition => resamples;

    public string Key => $"t{Number}";

    public string Title => $"Generated trace {Number}";

    public string Reasoning => string.Join(' ', Texts);

    public string Model => $"m{Dataset}";

    public string Label => Correct ? "42" : "41";

    /// <summary>Metric value <paramref name="m"/> (0 to <see cref="StudyGenerator.MetricsPerSentence"/> - 1) of sentence <paramref name="k"/>.</summary>
    public (string Name, double Value, double? Low, double? High) Metric(int k, int m)
    {
        var cf = Effects[k];
        return m switch
        {
            0 => (MetricNames.CounterfactualEffect, cf, cf - 0.1, cf + 0.1),
            1 => (MetricNames.ResamplingEffect, cf / 2, null, null),
            2 => (MetricNames.DissimilarFraction, Dissimilar[k], null, null),
            3 => (MetricNames.CounterfactualKl, Math.Abs(cf) * 2, null, null),
            4 => (MetricNames.ResamplingKl, Math.Abs(cf), null, null),
            _ => (MetricNames.PrefixRate, Prefix[k], null, null),
        };
    }

    public string FirstSentence(int k, int j) => FirstSentences[k][j % 3];

    public bool IsRight(int k, int j) => Right[(k * resamples) + j];

    public string Answer(int k, int j) => IsRight(k, j) ? "42" : "41";
}
