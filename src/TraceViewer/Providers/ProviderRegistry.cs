using System.ClientModel;
using Microsoft.Extensions.Options;
using OpenAI;

namespace TraceViewer.Providers;

/// <summary>Builds OpenAI SDK clients for the configured providers, one per provider name.</summary>
internal sealed class ProviderRegistry(IOptionsMonitor<ProviderOptions> options, IConfiguration configuration)
{
    private readonly Dictionary<string, OpenAIClient> _clients = [];
    private readonly Lock _lock = new();

    public IReadOnlyList<string> Names =>
        configuration.GetSection(ProviderOptions.Section).GetChildren().Select(c => c.Key).Order(StringComparer.Ordinal).ToList();

    public bool Exists(string name) => configuration.GetSection(ProviderOptions.Section).GetSection(name).Exists();

    public ProviderOptions Get(string name) =>
        Exists(name) ? options.Get(name) : throw new InvalidOperationException($"No provider named '{name}' is configured under Providers:{name}.");

    public OpenAIClient Client(string name)
    {
        lock (_lock)
        {
            if (!_clients.TryGetValue(name, out var client))
            {
                var provider = Get(name);
                client = new OpenAIClient(
                    new ApiKeyCredential(provider.ResolveApiKey()),
                    new OpenAIClientOptions { Endpoint = new Uri(provider.BaseUrl) });
                _clients[name] = client;
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
