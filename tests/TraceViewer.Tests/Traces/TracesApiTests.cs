using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

public sealed class TracesApiTests(TestApp app) : IClassFixture<TestApp>
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private async Task<PagedResult<TraceRow>> ListAsync(string query) =>
        (await app.CreateClient().GetFromJsonAsync<PagedResult<TraceRow>>("/api/traces?" + query, JsonSerializerOptions.Web))!;

    [Fact]
    public async Task DatasetsListTheirModelTraceCountAndOutcomes()
    {
        var key = Unique("api/datasets");
        var first = await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = key, DatasetName = "Blackmail scenarios", Model = "qwq-32b", OutcomeKey = OutcomeRegistry.ContainsBlackmail });
        await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = key, OutcomeKey = OutcomeRegistry.ContainsBlackmail });

        using var json = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/api/datasets"));

        var dataset = json.RootElement.EnumerateArray().Single(d => d.GetProperty("key").GetString() == key);
        Assert.Equal(first.DatasetId, dataset.GetProperty("id").GetInt32());
        Assert.Equal("Blackmail scenarios", dataset.GetProperty("name").GetString());
        Assert.Equal("qwq-32b", dataset.GetProperty("model").GetString());
        Assert.Equal(2, dataset.GetProperty("traceCount").GetInt32());
        var outcome = Assert.Single(dataset.GetProperty("outcomes").EnumerateArray());
        Assert.Equal(OutcomeRegistry.ContainsBlackmail, outcome.GetProperty("key").GetString());
        Assert.Equal(OutcomeRegistry.Get(OutcomeRegistry.ContainsBlackmail).Name, outcome.GetProperty("name").GetString());
    }

    [Fact]
    public async Task TraceListFiltersByDatasetModelAndBaseOutcome()
    {
        var model = Unique("model");
        var dataset = Unique("api/filters");
        var yes = await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = dataset, Model = model, Title = "yes", BaseLabel = true });
        var no = await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = dataset, Model = model, Title = "no", BaseLabel = false });
        var otherDataset = await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = Unique("api/other"), Model = model, Title = "other" });

        var byModel = await ListAsync($"model={model}");
        var byDatasetId = await ListAsync($"dataset={yes.DatasetId}");
        var byDatasetKey = await ListAsync($"dataset={Uri.EscapeDataString(dataset)}");
        var positive = await ListAsync($"model={model}&outcome={OutcomeRegistry.IsCorrect}&positive=true");
        var negative = await ListAsync($"model={model}&outcome={OutcomeRegistry.IsCorrect}&positive=false");
        var otherOutcome = await ListAsync($"model={model}&outcome={OutcomeRegistry.Compliance}");

        Assert.Equal([yes.TraceId, no.TraceId, otherDataset.TraceId], byModel.Items.Select(t => t.Id).Order());
        Assert.Equal([yes.TraceId, no.TraceId], byDatasetId.Items.Select(t => t.Id).Order());
        Assert.Equal([yes.TraceId, no.TraceId], byDatasetKey.Items.Select(t => t.Id).Order());
        Assert.Equal([yes.TraceId, otherDataset.TraceId], positive.Items.Select(t => t.Id).Order());
        Assert.Equal([no.TraceId], negative.Items.Select(t => t.Id));
        Assert.Empty(otherOutcome.Items);
        Assert.Equal(false, Assert.Single(negative.Items[0].Labels).IsPositive);
    }

    [Fact]
    public async Task TraceListPagesOnTheServer()
    {
        var model = Unique("paged");
        var ids = new List<int>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await TraceSeeder.SeedAsync(app, new TraceSeed { Model = model, Title = $"T{i}" })).TraceId);
        }

        var pages = new[] { await ListAsync($"model={model}&pageSize=3&page=1"), await ListAsync($"model={model}&pageSize=3&page=2"), await ListAsync($"model={model}&pageSize=3&page=3") };

        Assert.All(pages, p => Assert.Equal(ids.Count, p.Total));
        Assert.Equal([3, 3, 1], pages.Select(p => p.Items.Count));
        Assert.Equal([1, 2, 3], pages.Select(p => p.Page));
        Assert.Equal(ids.Order(), pages.SelectMany(p => p.Items).Select(t => t.Id).Order());
    }

    [Fact]
    public async Task SearchMatchesPromptAndReasoningIgnoringCase()
    {
        var model = Unique("search");
        var inPrompt = await TraceSeeder.SeedAsync(app, new TraceSeed { Model = model, Prompt = "Find the Zebra count." });
        var inReasoning = await TraceSeeder.SeedAsync(app, new TraceSeed { Model = model, Sentences = ["A ZEBRA appears.", "Done."] });
        await TraceSeeder.SeedAsync(app, new TraceSeed { Model = model });

        var result = await ListAsync($"model={model}&q=zebra");

        Assert.Equal([inPrompt.TraceId, inReasoning.TraceId], result.Items.Select(t => t.Id).Order());
    }

    [Fact]
    public async Task SearchMatchesWordsAndTreatsPunctuationAsSpace()
    {
        var model = Unique("words");
        var percent = await TraceSeeder.SeedAsync(app, new TraceSeed { Model = model, Sentences = ["Accuracy is 50% here."] });
        var underscore = await TraceSeeder.SeedAsync(app, new TraceSeed { Model = model, Sentences = ["Call is_correct now."] });
        var spelled = await TraceSeeder.SeedAsync(app, new TraceSeed { Model = model, Sentences = ["Accuracy is 50 percent; isXcorrect."] });

        var byPercent = await ListAsync($"model={model}&q={Uri.EscapeDataString("50%")}");
        var byUnderscore = await ListAsync($"model={model}&q=is_correct");
        var onlyPunctuation = await ListAsync($"model={model}&q={Uri.EscapeDataString("% _ \" * -")}");

        // "50%" is the word 50; "is_correct" the words is and correct; without a word, no trace matches.
        Assert.Equal([percent.TraceId, spelled.TraceId], byPercent.Items.Select(t => t.Id).Order());
        Assert.Equal([underscore.TraceId], byUnderscore.Items.Select(t => t.Id));
        Assert.Equal(0, onlyPunctuation.Total);
    }

    [Fact]
    public async Task SortingByImportancePutsTheLargestFirstAndUnmeasuredLast()
    {
        var model = Unique("sort");
        double?[] importances = [0.1, null, 0.7, 0.3];
        foreach (var (importance, i) in importances.Select((v, i) => (v, i)))
        {
            await using var db = app.CreateDbContext();
            var seeded = await TraceSeeder.SeedAsync(db, new TraceSeed { Model = model, Title = $"Title {"dcba"[i]}", MaxImportance = importance ?? 0 }, app.Clock.GetUtcNow());
            if (importance is null)
            {
                var trace = await db.Set<Trace>().FindAsync(seeded.TraceId);
                trace!.MaxImportance = null;
                await db.SaveChangesAsync();
            }
        }

        var byImportance = await ListAsync($"model={model}&sort=importance");
        var byTitle = await ListAsync($"model={model}&sort=title");
        var newest = await ListAsync($"model={model}&sort=newest");

        Assert.Equal([0.7, 0.3, 0.1, null], byImportance.Items.Select(t => t.MaxImportance));
        Assert.Equal(["Title a", "Title b", "Title c", "Title d"], byTitle.Items.Select(t => t.Title));
        Assert.Equal(["Title a", "Title b", "Title c", "Title d"], newest.Items.Select(t => t.Title));
    }

    [Fact]
    public async Task TraceDocumentOffsetsPointIntoTheReasoning()
    {
        var seeded = await TraceSeeder.SeedAsync(app, new TraceSeed { Sentences = ["Alpha one.", "Beta two?", "Gamma three!", "Delta."] });

        using var json = JsonDocument.Parse(await app.CreateClient().GetStringAsync($"/api/traces/{seeded.TraceId}"));

        var root = json.RootElement;
        var reasoning = root.GetProperty("reasoning").GetString()!;
        Assert.Equal(seeded.Reasoning, reasoning);
        var sentences = root.GetProperty("sentences").EnumerateArray().ToList();
        Assert.Equal(seeded.Sentences.Select(s => s.Index), sentences.Select(s => s.GetProperty("index").GetInt32()));
        Assert.All(sentences, s =>
        {
            var start = s.GetProperty("start").GetInt32();
            var end = s.GetProperty("end").GetInt32();
            Assert.Equal(s.GetProperty("text").GetString(), reasoning.Substring(start, end - start));
        });
        Assert.Equal(new TraceSeed().SourcePath, root.GetProperty("sourcePath").GetString());
        Assert.Equal(new TraceSeed().SourceFormat, root.GetProperty("sourceFormat").GetString());
    }

    [Fact]
    public async Task TraceDocumentCarriesPrefixRatesAndStoredEffects()
    {
        var seeded = await TraceSeeder.SeedAsync(app, new TraceSeed
        {
            Counterfactual = k => k == 1 ? -0.25 : null,
            DissimilarFraction = k => 0.4,
        });

        var document = (await app.CreateClient().GetFromJsonAsync<TraceDocument>($"/api/traces/{seeded.TraceId}", JsonSerializerOptions.Web))!;

        var outcome = Assert.Single(document.Outcomes);
        Assert.Equal(new TraceSeed().OutcomeKey, outcome.Key);
        var rates = seeded.Metrics.Where(m => m.Name == MetricNames.PrefixRate).OrderBy(m => m.SentenceIndex).ToList();
        Assert.Equal(rates.Select(r => (r.SentenceIndex, r.Value, r.Low, r.High, r.Count, r.Successes)),
            outcome.PrefixRates.Select(r => (r.Index, r.Value, r.Low, r.High, r.Count, r.Successes)));
        Assert.Equal(seeded.Sentences.Select(s => seeded.Metric(s.Index, MetricNames.ResamplingEffect)!.Value),
            outcome.Effects.Select(e => e.ResamplingEffect!.Value));
        var second = outcome.Effects[1];
        Assert.Equal(-0.25, second.CounterfactualEffect!.Value);
        Assert.Equal(Direction.Suppresses, second.Direction);
        Assert.Equal(0.25, second.Importance);
        Assert.False(second.Fallback);
        Assert.True(outcome.Effects[0].Fallback);
        Assert.Equal("Imported", outcome.Provenance!.Source);
    }

    [Fact]
    public async Task UnknownTraceIsAProblemDetails404()
    {
        var response = await app.CreateClient().GetAsync("/api/traces/424242");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, json.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task OpenApiDocumentDescribesTheApi()
    {
        using var json = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"));

        var paths = json.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/datasets", out _));
        Assert.True(paths.TryGetProperty("/api/traces", out var traces));
        Assert.True(paths.TryGetProperty("/api/traces/{id}", out var trace));
        Assert.Equal("ListTraces", traces.GetProperty("get").GetProperty("operationId").GetString());
        Assert.Equal("GetTrace", trace.GetProperty("get").GetProperty("operationId").GetString());
        Assert.Contains(traces.GetProperty("get").GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "q");
        Assert.False(paths.TryGetProperty("/traces/{id}/sentences/{k}/detail", out _));
    }
}
