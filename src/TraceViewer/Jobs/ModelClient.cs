using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using OpenAI.Chat;
using TraceViewer.Providers;

namespace TraceViewer.Jobs;

/// <summary>One message of a conversation: system, user or assistant.</summary>
internal sealed record ModelMessage(string Role, string Content)
{
    public static ModelMessage System(string content) => new("system", content);

    public static ModelMessage User(string content) => new("user", content);

    public static ModelMessage Assistant(string content) => new("assistant", content);
}

/// <summary>
/// One generation. When the last message is an assistant message the model continues it (prefill); otherwise it writes
/// a new assistant turn.
/// </summary>
internal sealed record ModelRequest(string Provider, string Model, IReadOnlyList<ModelMessage> Messages, SamplingParameters Sampling);

/// <summary>The generated text (for a prefill, only the continuation), why it stopped, and the tokens it took.</summary>
internal sealed record ModelReply(string Text, string? FinishReason, int PromptTokens, int CompletionTokens);

/// <summary>A failed model call: retryable (429, 5xx, timeout, malformed answer, network) or permanent (other 4xx).</summary>
internal sealed class ModelCallException(string message, bool retryable, int? statusCode = null, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public bool Retryable { get; } = retryable;

    public int? StatusCode { get; } = statusCode;

    /// <summary>The server's Retry-After, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>The app's own small interface over the model SDK, so tests and benchmarks can swap it.</summary>
internal interface IModelClient
{
    /// <exception cref="ModelCallException">The call failed; <see cref="ModelCallException.Retryable"/> says whether to try again.</exception>
    Task<ModelReply> GenerateAsync(ModelRequest request, CancellationToken ct);
}

/// <summary>
/// Calls OpenAI-compatible endpoints through the official SDK. Chat requests go through the chat client's protocol
/// method with a JSON body, so the provider's prefill flag can be set on the last message (<c>"prefix": true</c>) or
/// the body (<c>continue_final_message</c>); text completions go through the same SDK pipeline to <c>/completions</c>.
/// </summary>
internal sealed class OpenAIModelClient(ProviderRegistry providers, IOptions<JobsOptions> options, TimeProvider clock) : IModelClient
{
    private readonly ConcurrentDictionary<(string Provider, string Model), ChatClient> _chats = new();

    public async Task<ModelReply> GenerateAsync(ModelRequest request, CancellationToken ct)
    {
        var provider = providers.Get(request.Provider);
        var chat = _chats.GetOrAdd((request.Provider, request.Model), key => providers.JobClient(key.Provider).GetChatClient(key.Model));
        var textCompletion = provider.PrefixMode == PrefixMode.TextCompletion;
        var body = textCompletion ? CompletionBody(request, provider) : ChatBody(request, provider);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.RequestTimeout);
        var requestOptions = new RequestOptions { CancellationToken = timeout.Token, ErrorOptions = ClientErrorBehaviors.NoThrow };
        PipelineResponse response;
        try
        {
            if (textCompletion)
            {
                using var message = chat.Pipeline.CreateMessage();
                message.Request.Method = "POST";
                message.Request.Uri = new Uri(provider.BaseUrl.TrimEnd('/') + "/completions");
                message.Request.Headers.Set("Content-Type", "application/json");
                message.Request.Headers.Set("Accept", "application/json");
                message.Request.Content = BinaryContent.Create(BinaryData.FromBytes(body));
                message.Apply(requestOptions);
                await chat.Pipeline.SendAsync(message);
                response = message.ExtractResponse() ?? throw new ModelCallException("The server sent no response.", retryable: true);
            }
            else
            {
                var result = await chat.CompleteChatAsync(BinaryContent.Create(BinaryData.FromBytes(body)), requestOptions);
                response = result.GetRawResponse();
            }
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new ModelCallException($"No answer within {options.Value.RequestTimeout.TotalSeconds:0.###} s.", retryable: true, inner: e);
        }
        catch (ClientResultException e) when (!ct.IsCancellationRequested)
        {
            // Raised by the pipeline for transport failures (connection refused or reset).
            throw new ModelCallException("Request failed: " + e.Message, retryable: true, e.Status == 0 ? null : e.Status, inner: e);
        }
        catch (HttpRequestException e) when (!ct.IsCancellationRequested)
        {
            throw new ModelCallException("Request failed: " + e.Message, retryable: true, inner: e);
        }

        using (response)
        {
            return Parse(response, textCompletion, clock.GetUtcNow());
        }
    }

    internal static byte[] ChatBody(ModelRequest request, ProviderOptions provider)
    {
        var messages = new JsonArray();
        foreach (var m in request.Messages)
        {
            messages.Add(new JsonObject { ["role"] = m.Role, ["content"] = m.Content });
        }

        var body = Sampling(new JsonObject { ["model"] = request.Model, ["messages"] = messages }, request.Sampling);
        if (request.Messages.Count > 0 && request.Messages[^1].Role == "assistant")
        {
            switch (provider.PrefillFlag)
            {
                case "prefix":
                    messages[^1]!["prefix"] = true;
                    break;
                case "continue_final_message":
                    body["continue_final_message"] = true;
                    body["add_generation_prompt"] = false;
                    break;
            }
        }

        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    internal static byte[] CompletionBody(ModelRequest request, ProviderOptions provider)
    {
        var body = Sampling(new JsonObject { ["model"] = request.Model, ["prompt"] = CompletionPrompt.Render(request.Messages, provider) }, request.Sampling);
        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    private static JsonObject Sampling(JsonObject body, SamplingParameters sampling)
    {
        if (sampling.Temperature is { } temperature)
        {
            body["temperature"] = temperature;
        }

        if (sampling.TopP is { } topP)
        {
            body["top_p"] = topP;
        }

        if (sampling.MaxTokens is { } maxTokens)
        {
            body["max_tokens"] = maxTokens;
        }

        return body;
    }

    internal static ModelReply Parse(PipelineResponse response, bool textCompletion, DateTimeOffset now)
    {
        var status = response.Status;
        if (status is < 200 or >= 300)
        {
            var detail = ErrorMessage(response.Content);
            var retryable = status is 408 or 409 or 429 or >= 500;
            throw new ModelCallException($"HTTP {status}: {detail}", retryable, status, RetryAfter(response, now));
        }

        try
        {
            using var json = JsonDocument.Parse(response.Content.ToMemory());
            var choice = json.RootElement.GetProperty("choices")[0];
            var text = textCompletion
                ? choice.GetProperty("text").GetString()
                : choice.GetProperty("message").TryGetProperty("content", out var content) ? content.GetString() : null;
            var finish = choice.TryGetProperty("finish_reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() : null;
            int promptTokens = 0, completionTokens = 0;
            if (json.RootElement.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                promptTokens = usage.TryGetProperty("prompt_tokens", out var p) && p.TryGetInt32(out var pt) ? pt : 0;
                completionTokens = usage.TryGetProperty("completion_tokens", out var c) && c.TryGetInt32(out var ctk) ? ctk : 0;
            }

            return new ModelReply(text ?? "", finish, promptTokens, completionTokens);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new ModelCallException("Malformed response: " + e.Message, retryable: true, status, inner: e);
        }
    }

    private static string ErrorMessage(BinaryData content)
    {
        try
        {
            using var json = JsonDocument.Parse(content.ToMemory());
            if (json.RootElement.TryGetProperty("error", out var error))
            {
                return error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : error.ToString();
            }
        }
        catch (JsonException)
        {
            // Not JSON: fall through to the raw text.
        }

        var text = content.ToString();
        return text.Length > 300 ? text[..300] : text;
    }

    /// <summary>Retry-After as seconds or an HTTP date.</summary>
    /// <summary>Retry-After as seconds or as an HTTP date, relative to <paramref name="now"/>.</summary>
    internal static TimeSpan? RetryAfter(PipelineResponse response, DateTimeOffset now)
    {
        if (!response.Headers.TryGetValue("Retry-After", out var value) || string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Max(0, seconds));
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date - now is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero
            : null;
    }
}

/// <summary>Renders a conversation as one text-completion prompt from the provider's templates.</summary>
internal static class CompletionPrompt
{
    public static string Render(IReadOnlyList<ModelMessage> messages, ProviderOptions provider)
    {
        var system = messages.FirstOrDefault(m => m.Role == "system")?.Content ?? "";
        var turns = messages.Where(m => m.Role != "system").ToList();
        var user = turns.Count > 0 && turns[0].Role == "user" ? turns[0].Content : "";
        var firstAssistant = turns.Count > 1 && turns[1].Role == "assistant" ? turns[1].Content : "";
        var prompt = new System.Text.StringBuilder(Fill(provider.CompletionTemplate, system, user, firstAssistant));
        for (var i = 2; i < turns.Count; i++)
        {
            prompt.Append(turns[i].Role == "user"
                ? Fill(provider.NextTurnTemplate, system, turns[i].Content, "")
                : turns[i].Content);
        }

        return prompt.ToString();
    }

    /// <summary>Replaces {system}, {user} and {prefix} in one pass, so placeholders inside the texts stay as they are.</summary>
    internal static string Fill(string template, string system, string user, string prefix) =>
        System.Text.RegularExpressions.Regex.Replace(template, @"\{(system|user|prefix)\}", m => m.Groups[1].Value switch
        {
            "system" => system,
            "user" => user,
            _ => prefix,
        });
}
