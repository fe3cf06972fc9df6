using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Embeddings;

namespace TraceViewer.Tests.Embeddings;

public sealed class EmbeddingServiceTests : IAsyncLifetime
{
    private const string KeyVariable = "TRACEVIEWER_TEST_EMBEDDING_KEY";
    private const string Key = "sk-test-embedding-secret-4815162342";
    private LoopbackOpenAIServer _server = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(KeyVariable, Key);
        _server = await LoopbackOpenAIServer.StartAsync();
        _app = new TestApp()
            .WithSetting("Providers:loopback:BaseUrl", _server.BaseUrl)
            .WithSetting("Providers:loopback:ApiKeyVariable", KeyVariable)
            .WithSetting("Embeddings:Provider", "loopback")
            .WithSetting("Embeddings:Model", "test-embed")
            .WithSetting("Embeddings:BatchSize", "2");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task VectorsComeFromTheEndpointThroughTheSdk()
    {
        using var scope = _app.Services.CreateScope();
        var service = scope.ServiceProvider.GetRequiredService<EmbeddingService>();

        var vectors = await service.GetAsync(["alpha", "beta", "gamma"], CancellationToken.None);

        Assert.Equal("test-embed", service.ModelName);
        Assert.Equal(LoopbackOpenAIServer.VectorFor("beta", 8), vectors["beta"]);
        Assert.Equal(2, _server.Requests);
        Assert.All(_server.AuthorizationHeaders, h => Assert.Equal($"Bearer {Key}", h));
    }

    [Fact]
    public async Task CachedTextsAreNotSentAgain()
    {
        using (var scope = _app.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<EmbeddingService>().GetAsync(["alpha", "beta"], CancellationToken.None);
        }

        var before = _server.Requests;
        using (var scope = _app.Services.CreateScope())
        {
            var vectors = await scope.ServiceProvider.GetRequiredService<EmbeddingService>().GetAsync(["beta", "alpha"], CancellationToken.None);
            Assert.Equal(LoopbackOpenAIServer.VectorFor("alpha", 8), vectors["alpha"]);
        }

        Assert.Equal(before, _server.Requests);
    }

    [Fact]
    public async Task TheApiKeyNeverReachesTheDatabase()
    {
        using (var scope = _app.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<EmbeddingService>().GetAsync(["alpha"], CancellationToken.None);
        }

        await using var db = _app.CreateDbContext();
        await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);");
        var bytes = await File.ReadAllBytesAsync(_app.DatabasePath);

        Assert.True(await db.Set<CachedEmbedding>().AnyAsync());
        Assert.DoesNotContain(Key, System.Text.Encoding.Latin1.GetString(bytes), StringComparison.Ordinal);
    }
}
