using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TraceViewer.Tests;

/// <summary>
/// An OpenAI-compatible server on 127.0.0.1 for tests and demos: /v1/embeddings, /v1/chat/completions and
/// /v1/completions with scripted outputs, latency and injected faults. The real OpenAI SDK talks to it over HTTP.
/// </summary>
public sealed class LoopbackOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly object _limitLock = new();
    private readonly LinkedList<TaskCompletionSource> _held = new();
    private int _requests;
    private int _answered;
    private long _let;
    private long _letLimit = long.MaxValue;

    private LoopbackOpenAIServer(WebApplication app) => _app = app;

    /// <summary>Base URL including /v1, as a provider's BaseUrl.</summary>
    public string BaseUrl { get; private set; } = "";

    public int Requests => _requests;

    public ConcurrentBag<string> AuthorizationHeaders { get; } = [];

    public ConcurrentBag<JsonObject> ReceivedBodies { get; } = [];

    /// <summary>Keeps every request body in <see cref="ReceivedBodies"/>; off for long benchmark runs.</summary>
    public bool RecordBodies { get; set; } = true;

    /// <summary>Requests answered with a completion (chat or text), faults excluded.</summary>
    public int Answered => _answered;

    /// <summary>Picks a fault for a request from its body (path, body); null answers normally. Checked after queued faults.</summary>
    public Func<string, JsonObject, Fault?> FaultFor { get; set; } = (_, _) => null;

    /// <summary>Delay before every answer.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Every request waits for this (after <see cref="Latency"/>) before it is answered: a test holds requests open with it.</summary>
    public Task Gate { get; set; } = Task.CompletedTask;

    /// <summary>
    /// From now on answers at most <paramref name="count"/> more completion requests (chat or text; embeddings and
    /// faults are not counted); the rest wait until <see cref="LimitAnswers"/> lets more through or
    /// <see cref="UnlimitAnswers"/> lets all through. A waiting request whose client goes away takes no answer with it.
    /// </summary>
    public void LimitAnswers(int count)
    {
        lock (_limitLock)
        {
            _letLimit = _let + count;
            LetHeldThrough();
        }
    }

    /// <summary>Every completion request is answered again, the held ones first.</summary>
    public void UnlimitAnswers()
    {
        lock (_limitLock)
        {
            _letLimit = long.MaxValue;
            LetHeldThrough();
        }
    }

    /// <summary>Completion requests waiting for <see cref="LimitAnswers"/> to let them through.</summary>
    public int HeldAnswers
    {
        get
        {
            lock (_limitLock)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>Dimension of the deterministic embedding vectors.</summary>
    public int EmbeddingDimensions { get; set; } = 8;

    /// <summary>Produces the assistant text for a chat or completion request (the whole request body is given).</summary>
    public Func<JsonObject, string> Completion { get; set; } = _ => "<SCRATCHPAD_REASONING>I will refuse.</SCRATCHPAD_REASONING>\n<OUTPUT><rejected/></OUTPUT>";

    public enum FaultKind
    {
        TooManyRequests,
        ServerError,
        Hang,
        TruncatedJson,
        BadRequest,
    }

    public sealed record Fault(FaultKind Kind, int RetryAfterSeconds = 1);

    /// <summary>The next requests fail in order with these faults, then answers resume.</summary>
    public void InjectFaults(params Fault[] faults)
    {
        foreach (var fault in faults)
        {
            _faults.Enqueue(fault);
        }
    }

    public static async Task<LoopbackOpenAIServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseSetting("urls", "http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new LoopbackOpenAIServer(app);
        app.MapPost("/v1/embeddings", (Delegate)server.EmbeddingsAsync);
        app.MapPost("/v1/chat/completions", (Delegate)server.ChatAsync);
        app.MapPost("/v1/completions", (Delegate)server.CompletionsAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.TrimEnd('/') + "/v1";
        return server;
    }

    /// <summary>
    /// Answers a tag job's prompt deterministically: the sentence between <c>&lt;sentence&gt;</c> lines of the default
    /// prompt is looked up in <paramref name="replies"/> and the reply for the vote number (0, 1, ... per sentence, cycling
    /// through the list) is given; a sentence not in it is answered "TAGS: none".
    /// </summary>
    public static Func<JsonObject, string> TagReplies(IReadOnlyDictionary<string, string[]> replies)
    {
        var seen = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        return body =>
        {
            var sentence = SentenceOf(body);
            if (sentence is null || !replies.TryGetValue(sentence, out var answers))
            {
                return "TAGS: none";
            }

            var n = seen.AddOrUpdate(sentence, 0, (_, v) => v + 1);
            return answers[n % answers.Length];
        };
    }

    /// <summary>The sentence a tag prompt asks about (between <c>&lt;sentence&gt;</c> and <c>&lt;/sentence&gt;</c>), or null.</summary>
    public static string? SentenceOf(JsonObject body)
    {
        var text = body["messages"] is JsonArray messages ? messages[^1]!["content"]!.GetValue<string>() : body["prompt"]?.GetValue<string>() ?? "";
        var start = text.IndexOf("<sentence>\n", StringComparison.Ordinal);
        var end = text.IndexOf("\n</sentence>", StringComparison.Ordinal);
        return start < 0 || end < start ? null : text[(start + "<sentence>\n".Length)..end];
    }

    /// <summary>A deterministic unit vector for a text, so tests can compute expected similarities.</summary>
    public static float[] VectorFor(string text, int dimensions)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        var vector = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] = (bytes[i % bytes.Length] - 127.5f) / 127.5f;
        }

        return vector;
    }

    private async Task<IResult?> BeginAsync(HttpContext context, JsonObject body)
    {
        Interlocked.Increment(ref _requests);
        AuthorizationHeaders.Add(context.Request.Headers.Authorization.ToString());
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, context.RequestAborted);
        }

        await Gate.WaitAsync(context.RequestAborted);

        var fault = _faults.TryDequeue(out var queued) ? queued : FaultFor(context.Request.Path, body);
        if (fault is null)
        {
            if (!context.Request.Path.StartsWithSegments("/v1/embeddings"))
            {
                await TakeAnswerAsync(context.RequestAborted);
                Interlocked.Increment(ref _answered);
            }

            return null;
        }

        switch (fault.Kind)
        {
            case FaultKind.TooManyRequests:
                context.Response.Headers.RetryAfter = fault.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Json(new { error = new { message = "rate limited", type = "rate_limit" } }, statusCode: 429);
            case FaultKind.ServerError:
                return Results.Json(new { error = new { message = "boom", type = "server_error" } }, statusCode: 500);
            case FaultKind.BadRequest:
                return Results.Json(new { error = new { message = "invalid request", type = "invalid_request_error" } }, statusCode: 400);
            case FaultKind.Hang:
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
                return Results.Empty;
            default:
                return Results.Text("{\"id\":\"x\",\"choices\":[{\"index\":0,", "application/json");
        }
    }

    /// <summary>Waits until the answer limit lets this request through (at once while there is none).</summary>
    private async Task TakeAnswerAsync(CancellationToken aborted)
    {
        LinkedListNode<TaskCompletionSource> node;
        lock (_limitLock)
        {
            if (_held.Count == 0 && _let < _letLimit)
            {
                _let++;
                return;
            }

            node = _held.AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        // A request let through before its client went away has taken its answer; one still held gives it up.
        await using var registration = aborted.Register(() =>
        {
            lock (_limitLock)
            {
                if (node.List is not null)
                {
                    _held.Remove(node);
                    node.Value.TrySetCanceled(aborted);
                }
            }
        });
        await node.Value.Task;
    }

    /// <summary>Lets held requests through, oldest first, while the limit allows. Called under the lock.</summary>
    private void LetHeldThrough()
    {
        while (_held.First is { } first && _let < _letLimit)
        {
            _held.RemoveFirst();
            _let++;
            first.Value.TrySetResult();
        }
    }

    private async Task<IResult> EmbeddingsAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context);
        if (await BeginAsync(context, body) is { } fault)
        {
            return fault;
        }

        var input = body["input"] switch
        {
            JsonArray array => array.Select(n => n!.GetValue<string>()).ToList(),
            JsonNode node => [node.GetValue<string>()],
            _ => [],
        };
        var data = input.Select((text, i) => new { @object = "embedding", index = i, embedding = VectorFor(text, EmbeddingDimensions) });
        return Results.Json(new { @object = "list", data, model = body["model"]?.GetValue<string>(), usage = new { prompt_tokens = input.Count, total_tokens = input.Count } });
    }

    private async Task<IResult> ChatAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context);
        if (await BeginAsync(context, body) is { } fault)
        {
            return fault;
        }

        var text = Completion(body);
        return Results.Json(new
        {
            id = "chatcmpl-loopback",
            @object = "chat.completion",
            created = 0,
            model = body["model"]?.GetValue<string>(),
            choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 10, completion_tokens = text.Length / 4, total_tokens = 10 + text.Length / 4 },
        });
    }

    private async Task<IResult> CompletionsAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context);
        if (await BeginAsync(context, body) is { } fault)
        {
            return fault;
        }

        var text = Completion(body);
        return Results.Json(new
        {
            id = "cmpl-loopback",
            @object = "text_completion",
            created = 0,
            model = body["model"]?.GetValue<string>(),
            choices = new[] { new { index = 0, text, finish_reason = "stop" } },
            usage = new { prompt_tokens = 10, completion_tokens = text.Length / 4, total_tokens = 10 + text.Length / 4 },
        });
    }

    private async Task<JsonObject> ReadBodyAsync(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))?.AsObject() ?? [];
        if (RecordBodies)
        {
            ReceivedBodies.Add(body);
        }

        return body;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
