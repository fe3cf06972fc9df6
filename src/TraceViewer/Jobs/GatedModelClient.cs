namespace TraceViewer.Jobs;

/// <summary>The model client as jobs use it: every request waits for its provider's concurrency and rate limits.</summary>
internal sealed class GatedModelClient(IModelClient inner, ProviderGates gates) : IModelClient
{
    public async Task<ModelReply> GenerateAsync(ModelRequest request, CancellationToken ct)
    {
        var gate = gates.For(request.Provider);
        using (await gate.EnterAsync(EstimateTokens(request), ct))
        {
            try
            {
                return await inner.GenerateAsync(request, ct);
            }
            catch (ModelCallException e) when (e is { StatusCode: 429, RetryAfter: { } after })
            {
                gate.PauseFor(after);
                throw;
            }
        }
    }

    /// <summary>About four characters per token for the prompt, plus the completion budget.</summary>
    internal static int EstimateTokens(ModelRequest request) =>
        request.Messages.Sum(m => m.Content.Length) / 4 + (request.Sampling.MaxTokens ?? 1024);
}
