namespace TraceViewer.Judging;

/// <summary>One yes/no question the judge answers. A vote says yes only when every required criterion holds.</summary>
internal sealed record JudgeCriterion(int Number, string Key, string Description, bool Required = true);

/// <summary>
/// A judge: its name and version (stored with every label), the criteria it asks, its prompt and its defaults.
/// The prompt is an optional system text plus a user text, both <see cref="JudgePromptTemplate"/>s; one of
/// them must carry <c>{scratchpad}</c>.
/// </summary>
internal sealed class JudgeClassifier
{
    public JudgeClassifier(
        string name,
        string version,
        IReadOnlyList<JudgeCriterion> criteria,
        string? systemPrompt,
        string userPrompt,
        int defaultVotes,
        JudgeThreshold defaultThreshold,
        double? temperature)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (criteria.Count == 0)
        {
            throw new JudgePromptException("A judge needs at least one criterion.");
        }

        for (var i = 0; i < criteria.Count; i++)
        {
            if (criteria[i].Number != i + 1)
            {
                throw new JudgePromptException($"Criteria must be numbered 1..{criteria.Count} in order; found {criteria[i].Number} at place {i + 1}.");
            }
        }

        if (!criteria.Any(c => c.Required))
        {
            throw new JudgePromptException("A judge needs at least one required criterion.");
        }

        if (defaultVotes < 1)
        {
            throw new JudgePromptException($"A judge needs at least one vote; got {defaultVotes}.");
        }

        Name = name;
        Version = version;
        Criteria = criteria;
        SystemTemplate = systemPrompt is null ? null : JudgePromptTemplate.Parse(systemPrompt, requireScratchpad: false);
        UserTemplate = JudgePromptTemplate.Parse(userPrompt, requireScratchpad: false);
        if (!(SystemTemplate?.Placeholders.Contains(JudgePromptTemplate.Scratchpad) ?? false) && !UserTemplate.Placeholders.Contains(JudgePromptTemplate.Scratchpad))
        {
            throw new JudgePromptException("The judge prompt has no {scratchpad} placeholder, so the judge would never see the reasoning.");
        }

        DefaultVotes = defaultVotes;
        DefaultThreshold = defaultThreshold;
        Temperature = temperature;
        PromptHash = Judging.PromptHash.Of(PromptText);
    }

    public string Name { get; }

    public string Version { get; }

    public IReadOnlyList<JudgeCriterion> Criteria { get; }

    public JudgePromptTemplate? SystemTemplate { get; }

    public JudgePromptTemplate UserTemplate { get; }

    public int DefaultVotes { get; }

    public JudgeThreshold DefaultThreshold { get; }

    /// <summary>Sampling temperature for the judge calls; null leaves the provider's default.</summary>
    public double? Temperature { get; }

    /// <summary>
    /// The whole prompt template as hashed: the system text, a record separator line, the user text. Templates,
    /// not filled prompts, so every label of one judge carries the same hash.
    /// </summary>
    public string PromptText => (SystemTemplate?.Text ?? "") + "\n\u001e\n" + UserTemplate.Text;

    /// <summary>SHA-256 of <see cref="PromptText"/>.</summary>
    public string PromptHash { get; }

    /// <summary>The vote's verdict from its per-criterion answers: yes when every required criterion is yes.</summary>
    public bool Verdict(IReadOnlyList<bool> criteria)
    {
        if (criteria.Count != Criteria.Count)
        {
            throw new ArgumentException($"Expected {Criteria.Count} criteria, got {criteria.Count}.", nameof(criteria));
        }

        for (var i = 0; i < criteria.Count; i++)
        {
            if (Criteria[i].Required && !criteria[i])
            {
                return false;
            }
        }

        return true;
    }
}
