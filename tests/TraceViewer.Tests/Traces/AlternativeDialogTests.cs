using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

/// <summary>The dialog that opens an alternative's resamples, reading them from the real app's SQLite file.</summary>
public sealed class AlternativeDialogTests(TestApp app) : PageComponentTests(app), IClassFixture<TestApp>
{
    private async Task<IRenderedComponent<MudDialogProvider>> OpenAsync(int traceId, int position, string firstSentence, bool takesVerdicts = false)
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<AlternativeDialog>
        {
            { d => d.TraceId, traceId },
            { d => d.Position, position },
            { d => d.FirstSentence, firstSentence },
            { d => d.TakesVerdicts, takesVerdicts },
        };
        await provider.InvokeAsync(() => dialogs.ShowAsync<AlternativeDialog>("Resamples", parameters));
        return provider;
    }

    [Fact]
    public async Task TheDialogShowsEveryResampleOfTheAlternativeWithTheJudgeVotesAsText()
    {
        var seeded = await JudgedResampleSeeder.SeedAsync(App, firstSentence: "<script>alert('first')</script> I comply.");

        var dialog = await OpenAsync(seeded.Trace.TraceId, seeded.Position, seeded.FirstSentence);

        dialog.WaitForAssertion(() => Assert.Equal(3, dialog.FindAll(".dialog-resample").Count));
        Assert.Equal(["0", "1", "2"], dialog.FindAll(".resample-evidence").Select(r => r.GetAttribute("data-sample")));
        Assert.Contains("3 resamples from the prefix before sentence 1", dialog.Find("[data-testid=alternative-shown]").TextContent, StringComparison.Ordinal);
        var judged = dialog.Find($".resample-evidence[data-resample-id='{seeded.ResampleId}']");
        Assert.Equal(JudgedResampleSeeder.Continuation, judged.QuerySelector("[data-field=continuation]")!.TextContent);
        Assert.Equal(
            [JudgedResampleSeeder.YesReply, JudgedResampleSeeder.ScriptReply, JudgedResampleSeeder.GarbledReply],
            judged.QuerySelectorAll(".vote-raw").Select(r => r.TextContent));
        Assert.Equal("af-five-criteria", judged.QuerySelector(".judgement")!.GetAttribute("data-classifier"));
        Assert.Contains("job 77", judged.QuerySelector("[data-field=origin]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal($"/api/traces/{seeded.Trace.TraceId}/resamples/{seeded.ResampleId}", judged.QuerySelector("[data-testid=resample-json]")!.GetAttribute("href"));
        Assert.Contains("Sample 2 · generated · Alignment faking: yes (judged) · Compliance: yes", dialog.FindAll(".dialog-resample > summary")[2].TextContent, StringComparison.Ordinal);
        Assert.Empty(dialog.FindAll("script, b"));
        Assert.Equal(seeded.FirstSentence, dialog.Find(".dialog-first-sentence").TextContent);
        Assert.Empty(dialog.FindAll("[data-testid=alternative-more]"));
    }

    [Fact]
    public async Task EachResampleTakesThePersonsOwnVerdictWhenTheTraceDoes()
    {
        var seeded = await JudgedResampleSeeder.SeedAsync(App, firstSentence: "I comply.");

        var dialog = await OpenAsync(seeded.Trace.TraceId, seeded.Position, seeded.FirstSentence, takesVerdicts: true);

        dialog.WaitForAssertion(() => Assert.Equal(3, dialog.FindAll("[data-testid=verdict-control]").Count));
        var control = dialog.Find($"[data-testid=verdict-control][data-resample='{seeded.ResampleId}']");
        control.QuerySelector("[data-testid=verdict-no]")!.Click();
        dialog.WaitForAssertion(() => Assert.Equal("no", dialog.Find($"[data-testid=verdict-control][data-resample='{seeded.ResampleId}']").GetAttribute("data-verdict")));
        await using var db = App.CreateDbContext();
        var stored = Assert.Single(db.Set<TraceViewer.Agreement.HumanVerdict>().Where(v => v.ResampleId == seeded.ResampleId));
        Assert.Equal((seeded.Trace.TraceId, false), (stored.TraceId, stored.Verdict));
    }

    [Fact]
    public async Task ManyResamplesArriveAPageAtATime()
    {
        var trace = await TraceSeeder.SeedAsync(App, new TraceSeed { ResamplesPerSentence = 13, Alternative = (i, j) => "Same start.", Successes = i => i });

        var dialog = await OpenAsync(trace.TraceId, 1, "Same start.");

        dialog.WaitForAssertion(() => Assert.Equal(AlternativeDialog.PageSize, dialog.FindAll(".dialog-resample").Count));
        Assert.Contains($"The first {AlternativeDialog.PageSize} of 13", dialog.Find("[data-testid=alternative-shown]").TextContent, StringComparison.Ordinal);
        var more = dialog.Find("[data-testid=alternative-more]");
        Assert.Contains("Show 3 more", more.TextContent, StringComparison.Ordinal);
        more.Click();

        dialog.WaitForAssertion(() => Assert.Equal(13, dialog.FindAll(".dialog-resample").Count));
        Assert.Equal(Enumerable.Range(0, 13).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), dialog.FindAll(".resample-evidence").Select(r => r.GetAttribute("data-sample")));
        Assert.Empty(dialog.FindAll("[data-testid=alternative-more]"));
    }
}
