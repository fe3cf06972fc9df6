using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using TraceViewer.Providers;

namespace TraceViewer.Jobs;

/// <summary>
/// Per-provider limits: at most MaxConcurrentRequests requests at once, token buckets for requests and tokens per
/// minute, and a pause for the whole provider after a 429 with Retry-After.
/// </summary>
internal sealed class ProviderGate : IDisposable
{
    private readonly SemaphoreSlim _concurrency;
    private readonly TokenBucketRateLimiter? _requests;
    private readonly TokenBucketRateLimiter? _tokens;
    private readonly TimeProvider _clock;
    private long _pausedUntil;

    public ProviderGate(ProviderOptions options, TimeProvider clock)
    {
        _clock = clock;
        MaxConcurrent = options.MaxConcurrentRequests;
        _concurrency = new SemaphoreSlim(MaxConcurrent, MaxConcurrent);
        _requests = PerMinute(options.RequestsPerMinute);
        _tokens = PerMinute(options.TokensPerMinute);
        TokenLimit = options.TokensPerMinute;
    }

    public int MaxConcurrent { get; }

    private int TokenLimit { get; }

    /// <summary>Waits for a request slot and the rate limits; dispose the result to give the slot back.</summary>
    public async Task<IDisposable> EnterAsync(int estimatedTokens, CancellationToken ct)
    {
        await _concurrency.WaitAsync(ct);
        try
        {
            var pause = TimeSpan.FromSeconds((double)(Interlocked.Read(ref _pausedUntil) - _clock.GetTimestamp()) / _clock.TimestampFrequency);
            if (pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, ct);
            }

            if (_requests is not null)
            {
                using var lease = await _requests.AcquireAsync(1, ct);
            }

            if (_tokens is not null)
            {
                using var lease = await _tokens.AcquireAsync(Math.Clamp(estimatedTokens, 1, TokenLimit), ct);
            }

            return new Slot(_concurrency);
        }
        catch
        {
            _concurrency.Release();
            throw;
        }
    }

    /// <summary>Holds back every request to this provider until the server's Retry-After has passed.</summary>
    public void PauseFor(TimeSpan delay)
    {
        var until = _clock.GetTimestamp() + (long)(delay.TotalSeconds * _clock.TimestampFrequency);
        long current;
        do
        {
            current = Interlocked.Read(ref _pausedUntil);
            if (current >= until)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _pausedUntil, until, current) != current);
    }

    private static TokenBucketRateLimiter? PerMinute(int perMinute) => perMinute <= 0 ? null : new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
    {
        TokenLimit = perMinute,
        // Refill a sixtieth every second, so a full minute's budget is not spent in the first instant and then starved.
        TokensPerPeriod = Math.Max(1, perMinute / 60),
        ReplenishmentPeriod = TimeSpan.FromSeconds(perMinute >= 60 ? 1 : 60.0 / perMinute),
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        AutoReplenishment = true,
    });

    public void Dispose()
    {
        _concurrency.Dispose();
        _requests?.Dispose();
        _tokens?.Dispose();
    }

    private sealed class Slot(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}

/// <summary>One gate per configured provider, for the life of the app.</summary>
internal sealed class ProviderGates(ProviderRegistry providers, TimeProvider clock) : IDisposable
{
    private readonly ConcurrentDictionary<string, ProviderGate> _gates = new(StringComparer.Ordinal);

    public ProviderGate For(string provider) => _gates.GetOrAdd(provider, name => new ProviderGate(providers.Get(name), clock));

    public void Dispose()
    {
        foreach (var gate in _gates.Values)
        {
            gate.Dispose();
        }
    }
}
