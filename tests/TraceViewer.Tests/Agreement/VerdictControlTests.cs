using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Accounts;
using TraceViewer.Agreement;
using TraceViewer.Tags;

namespace TraceViewer.Tests.Agreement;

/// <summary>The verdict control on the real app's database: who may set a verdict, and what is stored.</summary>
public sealed class VerdictControlTests : PageComponentTests, IClassFixture<TestApp>
{
    public VerdictControlTests(TestApp app)
        : base(app)
    {
        Services.AddSingleton<IAccess>(_access);
    }

    private readonly FixedAccess _access = new(Roles.Annotator);

    private async Task<int> TraceAsync() => (await AgreementSeeder.SeedAsync(App, new AgreementSeed { Traces = 1, SentencesPerTrace = 1 })).TraceIds[0];

    private async Task<List<HumanVerdict>> VerdictsAsync(int traceId)
    {
        await using var db = App.CreateDbContext();
        return await db.Set<HumanVerdict>().Where(v => v.TraceId == traceId).ToListAsync();
    }

    [Fact]
    public async Task AnAnnotatorSetsChangesAndClearsTheirVerdictWithANote()
    {
        var traceId = await TraceAsync();
        var control = Render<VerdictControl>(p => p.Add(c => c.TraceId, traceId));

        control.Find("[data-testid=verdict-add-note]").Click();
        control.Find("input[data-testid=verdict-note]").Change("Protects its values <b>later</b>");
        control.Find("[data-testid=verdict-yes]").Click();

        control.WaitForAssertion(() => Assert.Equal("yes", control.Find("[data-testid=verdict-control]").GetAttribute("data-verdict")));
        var stored = Assert.Single(await VerdictsAsync(traceId));
        Assert.Equal(("annotator-id", true, "Protects its values <b>later</b>", (long?)null), (stored.Annotator, stored.Verdict, stored.Note, stored.ResampleId));

        control.Find("[data-testid=verdict-no]").Click();
        control.WaitForAssertion(() => Assert.Equal("no", control.Find("[data-testid=verdict-control]").GetAttribute("data-verdict")));
        Assert.False(Assert.Single(await VerdictsAsync(traceId)).Verdict);

        control.Find("[data-testid=verdict-clear]").Click();
        control.WaitForAssertion(() => Assert.Equal("none", control.Find("[data-testid=verdict-control]").GetAttribute("data-verdict")));
        Assert.Empty(await VerdictsAsync(traceId));
    }

    [Fact]
    public async Task ANoteBeingTypedSurvivesTheParentRenderingAgain()
    {
        var traceId = await TraceAsync();
        var control = Render<VerdictControl>(p => p.Add(c => c.TraceId, traceId));
        control.Find("[data-testid=verdict-add-note]").Click();
        control.Find("input[data-testid=verdict-note]").Change("half a thought");

        control.Render(p => p.Add(c => c.TraceId, traceId));

        Assert.Equal("half a thought", control.Find("input[data-testid=verdict-note]").GetAttribute("value"));
    }

    [Fact]
    public async Task AReaderIsNotOfferedTheControl()
    {
        var traceId = await TraceAsync();
        _access.Role = Roles.Reader;

        var control = Render<VerdictControl>(p => p.Add(c => c.TraceId, traceId));

        Assert.Empty(control.FindAll("[data-testid=verdict-control]"));
    }

    [Fact]
    public async Task ARoleLoweredToReaderAfterThePageOpenedIsRefusedOnTheServer()
    {
        var traceId = await TraceAsync();
        var control = Render<VerdictControl>(p => p.Add(c => c.TraceId, traceId));
        _access.Role = Roles.Reader;
        var checks = _access.Confirmations;

        control.Find("[data-testid=verdict-yes]").Click();

        control.WaitForAssertion(() => Assert.Equal("Giving verdicts needs the annotator role.", control.Find("[data-testid=verdict-error]").TextContent));
        Assert.Equal(checks + 1, _access.Confirmations);
        Assert.Empty(await VerdictsAsync(traceId));
    }

    [Fact]
    public async Task TheLocalOwnerGivesVerdictsAsTheLocalPerson()
    {
        var traceId = await TraceAsync();
        _access.Role = null;
        var control = Render<VerdictControl>(p => p.Add(c => c.TraceId, traceId));

        control.Find("[data-testid=verdict-yes]").Click();

        control.WaitForAssertion(() => Assert.Equal("yes", control.Find("[data-testid=verdict-control]").GetAttribute("data-verdict")));
        Assert.Equal(BuiltInTaxonomies.LocalPerson, Assert.Single(await VerdictsAsync(traceId)).Annotator);
    }
}
