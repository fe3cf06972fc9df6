using System.ComponentModel.DataAnnotations;

namespace TraceViewer.Providers;

internal enum PrefixMode
{
    /// <summary>Chat completion with the prefix as a final assistant message the model continues.</summary>
    ChatPrefill,

    /// <summary>Text completion (/v1/completions) of a prompt rendered from a template.</summary>
    TextCompletion,
}

/// <summary>One OpenAI-compatible endpoint, configured under <c>Providers:&lt;name&gt;</c>.</summary>
internal sealed class ProviderOptions
{
    public const string Section = "Providers";

    /// <summary>Base URL including the version segment, e.g. http://127.0.0.1:8000/v1.</summary>
    [Required]
    [Url]
    public string BaseUrl { get; set; } = "";

    /// <summary>Name of the environment variable that holds the API key; the key itself is never stored or shown.</summary>
    public string? ApiKeyVariable { get; set; }

    /// <summary>Model names this provider serves (the first is the default).</summary>
    public List<string> Models { get; set; } = [];

    public PrefixMode PrefixMode { get; set; } = PrefixMode.ChatPrefill;

    /// <summary>How a chat provider is told to continue the last assistant message: none, prefix (DeepSeek) or continue_final_message (vLLM).</summary>
    [RegularExpression("^(none|prefix|continue_final_message)$")]
    public string PrefillFlag { get; set; } = "none";

    /// <summary>Template for text completion; {system}, {user} and {prefix} are replaced.</summary>
    public string CompletionTemplate { get; set; } = "{system}\n\nUser: {user}\n\nAssistant: <think>\n{prefix}";

    /// <summary>For text completion, appended for each later user turn (the &lt;NEXT/&gt; loop) before the model answers; {user} is replaced.</summary>
    public string NextTurnTemplate { get; set; } = "\n\nUser: {user}\n\nAssistant: ";

    [Range(1, 1024)]
    public int MaxConcurrentRequests { get; set; } = 8;

    [Range(0, 1_000_000)]
    public int RequestsPerMinute { get; set; }

    [Range(0, 100_000_000)]
    public int TokensPerMinute { get; set; }

    /// <summary>Optional prices in dollars per million tokens, for cost estimates.</summary>
    public decimal? InputPricePerMillion { get; set; }

    public decimal? OutputPricePerMillion { get; set; }

    /// <summary>
    /// Prices of single models, over the provider's own (<c>Providers:&lt;name&gt;:ModelPrices:&lt;i&gt;:Model</c>, with
    /// <c>InputPricePerMillion</c> and <c>OutputPricePerMillion</c>): a provider that serves a large and a small model
    /// prices each call at the prices of the model it went to.
    /// </summary>
    public List<ModelPrice> ModelPrices { get; set; } = [];

    /// <summary>Dollars per million input and output tokens for a call to <paramref name="model"/>: its own prices, else the provider's.</summary>
    public (decimal? Input, decimal? Output) PricesOf(string model)
    {
        var own = ModelPrices.FirstOrDefault(p => string.Equals(p.Model, model, StringComparison.Ordinal));
        return (own?.InputPricePerMillion ?? InputPricePerMillion, own?.OutputPricePerMillion ?? OutputPricePerMillion);
    }

    /// <summary>Reads the key from the named environment variable; a placeholder for local servers that need none.</summary>
    public string ResolveApiKey() =>
        ApiKeyVariable is { Length: > 0 } name && Environment.GetEnvironmentVariable(name) is { Length: > 0 } key ? key : "no-key";
}

/// <summary>One model's prices in dollars per million tokens; a price left out is the provider's.</summary>
internal sealed class ModelPrice
{
    public string Model { get; set; } = "";

    public decimal? InputPricePerMillion { get; set; }

    public decimal? OutputPricePerMillion { get; set; }
}
