using System.Text.Json.Nodes;
using TraceViewer.Jobs;
using TraceViewer.Providers;

namespace TraceViewer.Tests.Jobs;

public sealed class ModelClientTests
{
    private static readonly ModelRequest Request = new("p", "m",
        [ModelMessage.System("sys"), ModelMessage.User("do it"), ModelMessage.Assistant("<SCRATCHPAD_REASONING>Hm.")], new SamplingParameters(0.6, 0.95, 100));

    [Fact]
    public void ThePrefixFlagMarksTheLastAssistantMessage()
    {
        var body = JsonNode.Parse(OpenAIModelClient.ChatBody(Request, new ProviderOptions { PrefillFlag = "prefix" }))!;

        Assert.True(body["messages"]![2]!["prefix"]!.GetValue<bool>());
        Assert.Null(body["messages"]![1]!["prefix"]);
        Assert.Equal(0.95, body["top_p"]!.GetValue<double>());
        Assert.Equal(100, body["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void NoFlagIsSentWhenTheLastMessageIsTheUsers()
    {
        var request = Request with { Messages = [.. Request.Messages, ModelMessage.User(TurnLoop.NextTurn)] };

        var body = JsonNode.Parse(OpenAIModelClient.ChatBody(request, new ProviderOptions { PrefillFlag = "continue_final_message" }))!;

        Assert.Null(body["continue_final_message"]);
    }

    [Fact]
    public void CompletionPromptsKeepPlaceholdersInsideTheTexts()
    {
        var provider = new ProviderOptions { CompletionTemplate = "{system}|{user}|{prefix}", NextTurnTemplate = "<U:{user}>" };
        var messages = new[]
        {
            ModelMessage.System("S {user}"), ModelMessage.User("Q"), ModelMessage.Assistant("A1"), ModelMessage.User("<NEXT/>"),
        };

        Assert.Equal("S {user}|Q|A1<U:<NEXT/>>", CompletionPrompt.Render(messages, provider));
    }

    [Theory]
    [InlineData("<SCRATCHPAD_REASONING>x</SCRATCHPAD_REASONING>", true)]
    [InlineData("<SCRATCHPAD_REASONING>x</SCRATCHPAD_REASONING>\n<OUTPUT>y</OUTPUT>", false)]
    [InlineData("<SCRATCHPAD_REASONING>x", false)]
    [InlineData("plain text", false)]
    [InlineData("</SCRATCHPAD_REASONING><SCRATCHPAD_REASONING>more", false)]
    public void ANextTurnFollowsAClosedScratchpadWithoutOutput(string turn, bool expected) =>
        Assert.Equal(expected, TurnLoop.NeedsNextTurn(turn));

    [Fact]
    public async Task TheTurnLoopStopsAfterFourAssistantTurns()
    {
        var client = new ScriptedClient(_ => new ModelReply("</SCRATCHPAD_REASONING>", "stop", 1, 2));

        var result = await TurnLoop.ContinueAsync(client, "p", "m", null, "q", "<SCRATCHPAD_REASONING>", new SamplingParameters(null, null, null), CancellationToken.None);

        Assert.Equal(4, result.Turns);
        Assert.Equal(4, client.Calls.Count);
        Assert.Equal((4, 8), (result.PromptTokens, result.CompletionTokens));
        Assert.Equal(["user", "assistant", "user", "assistant", "user", "assistant", "user"], client.Calls[^1].Messages.Select(m => m.Role));
    }

    [Theory]
    [InlineData(1, null, 500, 1000)]
    [InlineData(3, null, 2000, 4000)]
    [InlineData(20, null, 5000, 10000)]
    [InlineData(1, 30_000, 30000, 30000)]
    public void BackoffGrowsWithJitterAndHonoursRetryAfter(int attempt, int? retryAfterMs, int low, int high)
    {
        var retryAfter = retryAfterMs is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
        foreach (var jitter in new[] { 0.0, 0.5, 0.999 })
        {
            var delay = Backoff.Delay(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), retryAfter, jitter).TotalMilliseconds;
            Assert.InRange(delay, low, high);
        }
    }

    private sealed class ScriptedClient(Func<ModelRequest, ModelReply> reply) : IModelClient
    {
        public List<ModelRequest> Calls { get; } = [];

        public Task<ModelReply> GenerateAsync(ModelRequest request, CancellationToken ct)
        {
            Calls.Add(request);
            return Task.FromResult(reply(request));
        }
    }
}
