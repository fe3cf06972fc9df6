using System.Net;
using TraceViewer.Jobs;

namespace TraceViewer.Tests.Jobs;

/// <summary>The jobs pages as prerendered HTML: what a reader sees before the circuit connects.</summary>
public sealed class JobPagesPrerenderTests(JobsAppFixture fixture) : IClassFixture<JobsAppFixture>
{
    private readonly TestApp app = fixture.App;

    private async Task<(int TraceId, int JobId)> SeedAsync()
    {
        var trace = await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = $"prerender/{Guid.NewGuid():N}", Title = "Prerendered <b>trace</b>", Sentences = ["One.", "Two.", "Three."], ResamplesPerSentence = 2, Successes = _ => 1 });
        var id = await JobSeeder.AddJobAsync(app, trace.TraceId, JobStatus.Running,
            [JobItemStatus.Done, JobItemStatus.Done, JobItemStatus.Pending],
            [JobItemStatus.Failed, JobItemStatus.Pending, JobItemStatus.Pending]);
        return (trace.TraceId, id);
    }

    private async Task<AngleSharp.Dom.IDocument> GetAsync(string url)
    {
        using var response = await app.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ComponentRenderer.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheJobsPageListsEachJobWithItsProgressAndActions()
    {
        var (traceId, id) = await SeedAsync();

        var document = await GetAsync("/jobs");

        var cell = document.QuerySelector($"td[data-job-id='{id}']")!;
        Assert.Equal("Running", cell.GetAttribute("data-status"));
        Assert.Equal($"/jobs/{id}", cell.QuerySelector("a.job-link")!.GetAttribute("href"));
        var row = cell.ParentElement!;
        Assert.Equal($"/traces/{traceId}", row.QuerySelector("[data-field=target] a")!.GetAttribute("href"));
        Assert.Contains("Prerendered <b>trace</b>", row.QuerySelector("[data-field=target]")!.TextContent, StringComparison.Ordinal);
        var progress = row.QuerySelector("[data-testid=job-progress]")!;
        Assert.Equal(("2", "1", "6"), (progress.GetAttribute("data-done"), progress.GetAttribute("data-failed"), progress.GetAttribute("data-total")));
        Assert.Equal("1", row.QuerySelector("[data-field=errors]")!.TextContent.Trim());
        Assert.Equal(["pause", "cancel"], row.QuerySelectorAll("[data-action]").Select(b => b.GetAttribute("data-action")));
    }

    [Fact]
    public async Task AJobsPageShowsItsCountsPositionsAndEscapedErrors()
    {
        var (_, id) = await SeedAsync();

        var document = await GetAsync($"/jobs/{id}");

        var summary = document.QuerySelector("[data-testid=job-summary]")!;
        Assert.Equal(id.ToString(System.Globalization.CultureInfo.InvariantCulture), summary.GetAttribute("data-job-id"));
        Assert.Equal("2 done · 1 failed · 0 running · 3 pending · 6 total", summary.QuerySelector("[data-field=counts]")!.TextContent.Trim());
        var positions = document.QuerySelectorAll("[data-testid=job-positions] tbody tr").ToList();
        Assert.Equal(2, positions.Count);
        Assert.Equal(["2", "0"], positions.Select(p => p.QuerySelector("[data-field=done]")!.TextContent.Trim()));
        Assert.Equal(["0", "1"], positions.Select(p => p.QuerySelector("[data-field=failed]")!.TextContent.Trim()));
        var errors = document.QuerySelector("[data-testid=job-errors]")!;
        Assert.Contains(JobSeeder.HostileError, errors.TextContent, StringComparison.Ordinal);
        Assert.Null(document.QuerySelector("[data-testid=job-errors] script"));
    }
}
