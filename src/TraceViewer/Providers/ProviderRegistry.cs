using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.Options;
using OpenAI;

namespace TraceViewer.Providers;

/// <summary>Builds OpenAI SDK clients for the configured providers, one per provider name.</summary>
internal sealed class ProviderRegistry(IOptionsMonitor<ProviderOptions> options, IConfiguration configuration)
{
    private readonly Dictionary<string, OpenAIClient> _clients = [];
    private readonly Dictionary<string, OpenAIClient> _jobClients = [];
    private readonly Lock _lock = new();

    public IReadOnlyList<string> Names =>
        configuration.GetSection(ProviderOptions.Section).GetChildren().Select(c => c.Key).Order(StringComparer.Ordinal).ToList();

    public bool Exists(string name) => configuration.GetSection(ProviderOptions.Section).GetSection(name).Exists();

    public ProviderOptions Get(string name) =>
        Exists(name) ? options.Get(name) : throw new InvalidOperationException($"No provider named '{name}' is configured under Providers:{name}.");

    /// <summary>Dollars per million input and output tokens for a call to a provider's model; none for a provider not configured.</summary>
    public (decimal? Input, decimal? Output) PricesOf(string provider, string model) =>
        Exists(provider) ? Get(provider).PricesOf(model) : (null, null);

    public OpenAIClient Client(string name) => Client(name, _clients, jobs: false);

    /// <summary>
    /// A client for background jobs: the SDK's own retries are off and its network timeout is long, because the job
    /// worker retries with its own backoff, counts each attempt and applies its own per-request timeout.
    /// </summary>
    public OpenAIClient JobClient(string name) => Client(name, _jobClients, jobs: true);

    private OpenAIClient Client(string name, Dictionary<string, OpenAIClient> clients, bool jobs)
    {
        lock (_lock)
        {
            if (!clients.TryGetValue(name, out var client))
            {
                var provider = Get(name);
                var clientOptions = new OpenAIClientOptions { Endpoint = new Uri(provider.BaseUrl) };
                if (jobs)
                {
                    clientOptions.RetryPolicy = new ClientRetryPolicy(maxRetries: 0);
                    clientOptions.NetworkTimeout = TimeSpan.FromHours(1);
                }

                client = new OpenAIClient(new ApiKeyCredential(provider.ResolveApiKey()), clientOptions);
                clients[name] = client;
            }

            return client;
        }
    }
}

internal static class ProviderExtensions
{
    public static IHostApplicationBuilder AddProviders(this IHostApplicationBuilder builder)
    {
        foreach (var provider in builder.Configuration.GetSection(ProviderOptions.Section).GetChildren())
        {
            builder.Services.AddOptions<ProviderOptions>(provider.Key)
                .Bind(provider)
                .ValidateDataAnnotations()
                .ValidateOnStart();
        }

        builder.Services.AddSingleton<ProviderRegistry>();
        return builder;
    }
}
