using System.Text.Json;

namespace TraceViewer.Tests.Import;

/// <summary>How one synthetic rollout record looks (formats.md §a.6, §b.6).</summary>
internal enum Rollout
{
    /// <summary>Outcome true, with an answer and a continuation.</summary>
    Positive,

    /// <summary>Outcome false, with an answer and a continuation.</summary>
    Negative,

    /// <summary>A failed generation: only chunk_removed, prefix_without_chunk and error.</summary>
    Error,

    /// <summary>Outcome true, but an empty answer (MATH) or empty rollout (scenario): undetermined.</summary>
    Empty,
}

/// <summary>Writes small rollout trees of formats (a) and (b) into a temporary folder.</summary>
internal sealed class SyntheticTrees : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("traceviewer-trees-").FullName;

    public const string MathModel = "tiny-math-model";
    public const string ScenarioModel = "tiny-agent-model";
    public const string Temperature = "temperature_0.6_top_p_0.95";

    /// <summary>Format (a): problem.json, base_solution.json, chunks.json, optional chunks_labeled.json, chunk_i/solutions.json.</summary>
    public string WriteMathProblem(string name, IReadOnlyList<string> chunks, IReadOnlyList<IReadOnlyList<Rollout>> rollouts, bool labeled = false,
        IReadOnlyList<IReadOnlyList<Rollout>>? forced = null, string solutionType = "correct_base_solution")
    {
        var folder = Path.Combine(Root, MathModel, Temperature, solutionType, name);
        // Keys deliberately out of the writer's order: the importer reads by name.
        Write(Path.Combine(folder, "problem.json"), new Dictionary<string, object?>
        {
            ["nickname"] = "Tiny sum",
            ["gt_answer"] = "5",
            ["problem"] = "What is $2+3$?",
            ["type"] = "Algebra",
            ["level"] = "Level 1",
        });
        var solution = string.Join(" ", chunks) + "\n</think>\n\nThe answer is \\boxed{5}.";
        Write(Path.Combine(folder, "base_solution.json"), new Dictionary<string, object?>
        {
            ["is_correct"] = true,
            ["answer"] = "5",
            ["prompt"] = "Solve: What is $2+3$? <think>\n",
            ["solution"] = solution,
            ["full_cot"] = "Solve: What is $2+3$? <think>\n" + solution,
        });
        Write(Path.Combine(folder, "chunks.json"), new Dictionary<string, object?>
        {
            ["chunks"] = chunks,
            ["source_text"] = "ignored copy",
            ["solution_text"] = string.Join(" ", chunks),
        });
        if (labeled)
        {
            Write(Path.Combine(folder, "chunks_labeled.json"), chunks.Select((chunk, i) => new Dictionary<string, object?>
            {
                ["accuracy"] = Rate(rollouts[i]),
                ["chunk_idx"] = i,
                ["chunk"] = chunk,
                ["function_tags"] = new List<string> { "active_computation" },
                ["depends_on"] = i == 0 ? Array.Empty<string>() : [(i - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)],
                ["counterfactual_importance_accuracy"] = 0.25 * (i % 3) - 0.25,
                ["resampling_importance_accuracy"] = i + 1 < chunks.Count ? Rate(rollouts[i + 1]) - Rate(rollouts[i]) : 0.0,
                ["different_trajectories_fraction"] = 0.5,
            }).ToList());
        }

        WriteRollouts(folder, chunks, rollouts, "is_correct");
        if (forced is not null)
        {
            WriteRollouts(Path.Combine(Root, MathModel, Temperature, solutionType.Replace("_base_solution", "_base_solution_forced_answer", StringComparison.Ordinal), name),
                chunks, forced, "is_correct");
        }

        return folder;
    }

    /// <summary>Format (b): scenario.json, base_solution.json, chunks.json with separators, chunk_i/solutions.json.</summary>
    public string WriteScenario(string name, IReadOnlyList<string> chunks, IReadOnlyList<string> separators, IReadOnlyList<IReadOnlyList<Rollout>> rollouts)
    {
        var folder = Path.Combine(Root, ScenarioModel, Temperature, "yes_base_solution", name);
        Write(Path.Combine(folder, "scenario.json"), new Dictionary<string, object?>
        {
            ["system_prompt"] = "You are an assistant at a pharmaceutical company.",
            ["scenario_id"] = 3,
            ["evidence_prompts"] = new List<string> { "Review the trial data." },
        });
        var solution = string.Concat(chunks.Zip(separators, (c, s) => c + s));
        Write(Path.Combine(folder, "base_solution.json"), new Dictionary<string, object?>
        {
            ["contains_whistleblowing"] = true,
            ["prompt"] = "System: ...\n\nAssistant:\n<think>\n",
            ["solution"] = solution,
            ["full_cot"] = "System: ...\n\nAssistant:\n<think>\n" + solution,
            ["reasoning"] = "<answer>yes</answer>",
        });
        Write(Path.Combine(folder, "chunks.json"), new Dictionary<string, object?>
        {
            ["separators"] = separators,
            ["chunks"] = chunks,
            ["solution_text"] = solution,
        });
        WriteRollouts(folder, chunks, rollouts, "contains_whistleblowing");
        return folder;
    }

    /// <summary>The reference rate: positives over determined records (errors and empty answers left out).</summary>
    public static double Rate(IReadOnlyList<Rollout> records) =>
        (double)records.Count(r => r == Rollout.Positive) / records.Count(r => r is Rollout.Positive or Rollout.Negative);

    private static void WriteRollouts(string folder, IReadOnlyList<string> chunks, IReadOnlyList<IReadOnlyList<Rollout>> rollouts, string outcomeKey)
    {
        for (var i = 0; i < rollouts.Count; i++)
        {
            var records = rollouts[i].Select((kind, j) => Record(chunks[i], string.Join(" ", chunks.Take(i)), kind, j, outcomeKey)).ToList();
            Write(Path.Combine(folder, $"chunk_{i}", "solutions.json"), records);
        }
    }

    private static Dictionary<string, object?> Record(string removed, string prefix, Rollout kind, int sample, string outcomeKey)
    {
        var record = new Dictionary<string, object?> { ["chunk_removed"] = removed, ["prefix_without_chunk"] = prefix };
        if (kind == Rollout.Error)
        {
            record["error"] = "Error: upstream timeout";
            return record;
        }

        var first = $"Alternative {sample}.";
        record["chunk_resampled"] = first;
        record["rollout"] = kind == Rollout.Empty && outcomeKey != "is_correct" ? "" : first + " More text.";
        record["full_cot"] = prefix + " " + first;
        record["answer"] = kind == Rollout.Empty ? "" : kind == Rollout.Positive ? "5" : "6";
        record[outcomeKey] = kind is Rollout.Positive or Rollout.Empty;
        return record;
    }

    public static void Write(string path, object value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(value, Indented));
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }
}
