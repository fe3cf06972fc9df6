using System.Collections;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace TraceViewer.Sharing;

/// <summary>
/// Keeps share-link tokens out of every log: ASP.NET Core puts the request path in each request's log scope and in its
/// request lines, so every message, structured value and scope passes through here and <c>/s/{token}</c> becomes
/// <c>/s/[redacted]</c>. Done by the logger factory, so providers added later (tests' captures) are covered too.
/// Per-provider filter rules in configuration (<c>Logging:Console:LogLevel</c>) no longer apply; the general rules
/// (<c>Logging:LogLevel</c>) do.
/// </summary>
internal static partial class LogRedaction
{
    public const string Replacement = "s/[redacted]";

    public static string Redact(string text) =>
        text.Contains("s/", StringComparison.Ordinal) ? Link().Replace(text, Replacement) : text;

    public static IServiceCollection AddLogRedaction(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new LoggerFactory(
            sp.GetServices<ILoggerProvider>().Select(Wrap),
            sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            sp.GetService<IOptions<LoggerFactoryOptions>>(),
            sp.GetService<IExternalScopeProvider>())));
        return services;
    }

    private static ILoggerProvider Wrap(ILoggerProvider provider) =>
        provider is ISupportExternalScope ? new ScopedProvider(provider) : new Provider(provider);

    // "s/" starting a path or a route value ("/s/…", "'s/…", "=s/…"), not ending a word ("traces/…").
    [GeneratedRegex(@"(?<![A-Za-z0-9_.~%-])s/[^/?#\s""'&<>;,\]\[]+")]
    private static partial Regex Link();

    private static object? RedactValue(object? value) => value switch
    {
        null => null,
        string text => Redact(text),
        PathString path => Redact(path.ToString()),
        Uri uri => Redact(uri.ToString()),
        _ => value,
    };

    private class Provider(ILoggerProvider inner) : ILoggerProvider
    {
        protected ILoggerProvider Inner => inner;

        public ILogger CreateLogger(string categoryName) => new Logger(inner.CreateLogger(categoryName));

        public void Dispose() => inner.Dispose();
    }

    /// <summary>A provider that reads scopes from the factory's scope provider (the console): it gets them redacted.</summary>
    private sealed class ScopedProvider(ILoggerProvider inner) : Provider(inner), ISupportExternalScope
    {
        public void SetScopeProvider(IExternalScopeProvider scopeProvider) =>
            ((ISupportExternalScope)Inner).SetScopeProvider(new Scopes(scopeProvider));
    }

    private sealed class Scopes(IExternalScopeProvider inner) : IExternalScopeProvider
    {
        public void ForEachScope<TState>(Action<object?, TState> callback, TState state) =>
            inner.ForEachScope((scope, s) => callback(scope is null ? null : new State(scope), s), state);

        public IDisposable Push(object? state) => inner.Push(state);
    }

    private sealed class Logger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(new State(state));

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            var redacted = new State(state);
            inner.Log(logLevel, eventId, redacted, exception, (_, e) => Redact(formatter(state, e)));
        }
    }

    /// <summary>A message's or scope's state with its text and values redacted.</summary>
    private sealed class State(object? original) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly IReadOnlyList<KeyValuePair<string, object?>> _values = original is IEnumerable<KeyValuePair<string, object?>> pairs
            ? pairs.Select(p => new KeyValuePair<string, object?>(p.Key,
                string.Equals(p.Key, "token", StringComparison.OrdinalIgnoreCase) ? "[redacted]" : RedactValue(p.Value))).ToList()
            : [];

        public int Count => _values.Count;

        public KeyValuePair<string, object?> this[int index] => _values[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _values.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => Redact(original?.ToString() ?? "");
    }
}
