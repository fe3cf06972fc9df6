using System.Diagnostics;
using TraceViewer.Telemetry;

namespace TraceViewer.Jobs;

/// <summary>
/// The model client as jobs use it: every request waits for its provider's concurrency and rate limits, then is timed
/// (a <c>provider.call</c> span and the provider duration histogram, without the wait at the gate).
/// </summary>
internal sealed class GatedModelClient(IModelClient inner, ProviderGates gates, JobMetrics metrics) : IModelClient
{
    public const string SpanName = "provider.call";

    public async Task<ModelReply> GenerateAsync(ModelRequest request, CancellationToken ct)
    {
        var gate = gates.For(request.Provider);
        using (await gate.EnterAsync(EstimateTokens(request), ct))
        {
            // Names and counts only: the messages and the reply stay out of telemetry.
            using var activity = AppTelemetry.Source.StartActivity(SpanName, ActivityKind.Client);
            activity?.SetTag("provider", request.Provider);
            activity?.SetTag("model", request.Model);
            var started = Stopwatch.GetTimestamp();
            try
            {
                var reply = await inner.GenerateAsync(request, ct);
                metrics.ProviderCall(request.Provider, request.Model, "ok", null, Stopwatch.GetElapsedTime(started), reply);
                if (activity is not null)
                {
                    activity.SetTag("outcome", "ok");
                    activity.SetTag("gen_ai.usage.input_tokens", reply.PromptTokens);
                    activity.SetTag("gen_ai.usage.output_tokens", reply.CompletionTokens);
                }

                return reply;
            }
            catch (ModelCallException e)
            {
                var errorType = ErrorType(e);
                metrics.ProviderCall(request.Provider, request.Model, "error", errorType, Stopwatch.GetElapsedTime(started), null);
                Failed(activity, "error", errorType);
                if (e is { StatusCode: 429, RetryAfter: { } after })
                {
                    gate.PauseFor(after);
                }

                throw;
            }
            catch (OperationCanceledException)
            {
                metrics.ProviderCall(request.Provider, request.Model, "cancelled", null, Stopwatch.GetElapsedTime(started), null);
                activity?.SetTag("outcome", "cancelled");
                throw;
            }
            catch (Exception e)
            {
                var errorType = e.GetType().Name;
                metrics.ProviderCall(request.Provider, request.Model, "error", errorType, Stopwatch.GetElapsedTime(started), null);
                Failed(activity, "error", errorType);
                throw;
            }
        }
    }

    /// <summary>The HTTP status of a failed call, or what went wrong without one; never the server's message, which may echo the request.</summary>
    internal static string ErrorType(ModelCallException e) => e switch
    {
        { StatusCode: >= 200 and < 300 } => "malformed_response",
        { StatusCode: { } status } => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
        { InnerException: OperationCanceledException } => "timeout",
        _ => "no_response",
    };

    private static void Failed(Activity? activity, string outcome, string errorType)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("outcome", outcome);
        activity.SetTag("error.type", errorType);
        activity.SetStatus(ActivityStatusCode.Error);
    }

    /// <summary>About four characters per token for the prompt, plus the completion budget.</summary>
    internal static int EstimateTokens(ModelRequest request) =>
        request.Messages.Sum(m => m.Content.Length) / 4 + (request.Sampling.MaxTokens ?? 1024);
}
