using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Metrics;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

/// <summary>
/// The prerendered trace page states its counts one way everywhere: all stored resamples, and those labelled on the
/// shown outcome, in the header and in the metrics panel alike; the panel says how many imported and generated resamples
/// the computed numbers used, and each alternative says where its resamples came from.
/// </summary>
public sealed class TraceCountsTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task HeaderAndMetricsPanelAgreeOnAllAndLabelledResamplesAndTheirSources()
    {
        var seeded = await TraceSeeder.SeedAsync(app, new TraceSeed
        {
            DatasetKey = $"counts/{Guid.NewGuid():N}",
            Sentences = ["First step.", "Second step.", "Third step.", "So it is 4."],
            Alternative = (i, j) => j < 5 ? "Most common." : $"Rare {j}.",
        });
        await using (var db = app.CreateDbContext())
        {
            var correct = await db.Set<Outcome>().SingleAsync(o => o.Key == OutcomeRegistry.IsCorrect);
            var compliance = await db.GetOrAddAsync(OutcomeRegistry.Compliance, default);
            await db.SaveChangesAsync();
            // Imported: positions 0 and 1 carry is_correct values (20); the rest none.
            var imported = await db.Set<Resample>().Where(r => r.TraceId == seeded.TraceId && r.Position <= 1).ToListAsync();
            foreach (var r in imported)
            {
                r.Labels.Add(new ResampleLabel { OutcomeId = correct.Id, Value = "4", IsPositive = r.SampleIndex % 2 == 0 });
            }

            // Generated: three labelled on is_correct, two on compliance only.
            for (var j = 0; j < 5; j++)
            {
                var resample = new Resample
                {
                    TraceId = seeded.TraceId, Position = j < 3 ? 0 : 1, SampleIndex = 100 + j, FirstSentence = "Most common.", Origin = TraceViewer.Resampling.ResampleOrigin.Generated,
                    CreatedAt = DateTimeOffset.UtcNow, Metadata = """{"jobId":9,"provider":"loop","model":"model-x"}""",
                };
                resample.Labels.Add(j < 3
                    ? new ResampleLabel { OutcomeId = correct.Id, Value = "4", IsPositive = true }
                    : new ResampleLabel { OutcomeId = compliance.Id, Value = "marker:no", IsPositive = false });
                db.Add(resample);
            }

            await db.SaveChangesAsync();
            await db.Set<Trace>().Where(t => t.Id == seeded.TraceId)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.ResampleCount, t => t.ResampleCount + 5).SetProperty(t => t.HasLabelledResamples, true));
        }

        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<MetricsRecomputer>().RecomputeTraceAsync(seeded.TraceId, CancellationToken.None);
        }

        // By coverage the imported values stay shown: the computed set rests on 23 resamples at 2 positions, they on 40 at 4.
        var byCoverage = ComponentRenderer.Parse(await app.CreateClient().GetStringAsync(TraceLinks.Sentence(seeded.TraceId, 0)));
        Assert.Equal("40", byCoverage.QuerySelector("[data-testid=resample-counts] [data-field=labelled-count]")!.TextContent);
        Assert.Equal("40", byCoverage.QuerySelector("[data-testid=provenance] [data-field=labelled-count]")!.TextContent);
        Assert.Contains(
            "Imported values shown: the computed set rests on 23 resamples over 2 positions, less than the imported set's 40 resamples over 4 positions.",
            byCoverage.QuerySelector("[data-testid=provenance] [data-field=why-shown]")!.TextContent, StringComparison.Ordinal);

        // "all": the set computed from imported and generated resamples together.
        var html = await app.CreateClient().GetStringAsync(TraceLinks.Sentence(seeded.TraceId, 0) + "?resamples=all");
        var document = ComponentRenderer.Parse(html);

        var header = document.QuerySelector("[data-testid=resample-counts]")!;
        var panel = document.QuerySelector("[data-testid=provenance] [data-field=counts]")!;
        Assert.Equal("45", header.QuerySelector("[data-field=resample-count]")!.TextContent);
        Assert.Equal("23", header.QuerySelector("[data-field=labelled-count]")!.TextContent);
        Assert.Contains("45, 23 labelled on Correct answer", header.TextContent.Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("45", panel.QuerySelector("[data-field=resample-total]")!.TextContent);
        Assert.Equal("23", panel.QuerySelector("[data-field=labelled-count]")!.TextContent);
        Assert.Contains("computed from 23 (20 imported, 3 generated)", panel.TextContent, StringComparison.Ordinal);

        await using var read = app.CreateDbContext();
        var set = await read.Set<MetricSet>().Where(m => m.TraceId == seeded.TraceId && m.Source == MetricSource.Computed)
            .Join(read.Set<Outcome>().Where(o => o.Key == OutcomeRegistry.IsCorrect), m => m.OutcomeId, o => o.Id, (m, _) => m).SingleAsync();
        Assert.Equal((23, 20, 3), (set.ResampleCount, set.ImportedResamples, set.GeneratedResamples));

        // The reader chooses the source in the address; both places follow it.
        var generated = ComponentRenderer.Parse(await app.CreateClient().GetStringAsync(TraceLinks.Trace(seeded.TraceId) + "?resamples=generated"));
        Assert.Equal("3", generated.QuerySelector("[data-testid=resample-counts] [data-field=labelled-count]")!.TextContent);
        Assert.Equal("3", generated.QuerySelector("[data-testid=provenance] [data-field=labelled-count]")!.TextContent);
        Assert.Contains("computed from 3 (0 imported, 3 generated)", generated.QuerySelector("[data-testid=provenance] [data-field=counts]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("true", generated.QuerySelector("[data-testid=resample-source] a[data-resamples=generated]")!.GetAttribute("aria-current"));
        var importedOnly = ComponentRenderer.Parse(await app.CreateClient().GetStringAsync(TraceLinks.Trace(seeded.TraceId) + "?resamples=imported"));
        Assert.StartsWith("imported", importedOnly.QuerySelector("[data-testid=provenance] [data-field=source]")!.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Equal(
            importedOnly.QuerySelector("[data-testid=resample-counts] [data-field=labelled-count]")!.TextContent,
            importedOnly.QuerySelector("[data-testid=provenance] [data-field=labelled-count]")!.TextContent);
        Assert.Equal(
            $"/traces/{seeded.TraceId}/sentences/0?resamples=imported",
            document.QuerySelector("[data-testid=resample-source] a[data-resamples=imported]")!.GetAttribute("href"));

        var common = document.QuerySelectorAll("li.alternative").Single(li => li.TextContent.Contains("Most common.", StringComparison.Ordinal));
        var source = common.QuerySelector(".alternative-source")!;
        Assert.Equal("5 imported · 3 generated", source.TextContent.Trim());
        Assert.Equal("8", common.GetAttribute("data-count"));
    }
}
