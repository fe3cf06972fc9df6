using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using TraceViewer.Accounts;
using TraceViewer.Views;

namespace TraceViewer.Tests.Views;

/// <summary>Who sees "Save view", that saving checks the role at that moment, and the list's own and shared views.</summary>
public sealed class SaveViewDialogTests : MudComponentTests, IClassFixture<TestApp>
{
    private readonly TestApp _app;

    public SaveViewDialogTests(TestApp app)
    {
        _app = app;
        Services.AddScoped(_ =>
        {
            var db = app.CreateDbContext();
            return new SavedViewStore(db, TimeProvider.System, new TraceViewer.Datasets.ViewDatasets(db));
        });
    }

    [Theory]
    [InlineData(Roles.Reader, false)]
    [InlineData(Roles.Annotator, true)]
    [InlineData(Roles.Researcher, true)]
    [InlineData(Roles.Admin, true)]
    public void AnnotatorsAndAboveSeeSaveView(string role, bool shown)
    {
        Services.AddSingleton<IAccess>(new FixedAccess(role));

        var button = Render<SaveViewButton>();

        Assert.Equal(shown, button.FindAll("[data-testid=save-view]").Count == 1);
        // Every role opens the saved views it may see.
        Assert.Equal("/views", button.Find("[data-testid=saved-views-link]").GetAttribute("href"));
    }

    [Fact]
    public async Task SavingNamesThePagesFiltersAndShowsTheViewsAddress()
    {
        var model = $"m-{Guid.NewGuid():N}";
        NavigateTo($"/traces?model={model}&page=2");
        var provider = Render<MudDialogProvider>();
        var button = Render<SaveViewButton>();
        button.Find("[data-testid=save-view]").Click();
        provider.WaitForElement("[data-testid=view-save]");

        provider.Find("[data-testid=view-save]").Click();
        provider.WaitForElement("[data-testid=view-error]");
        provider.Find("input[data-testid=view-name]").Input("Model traces");
        provider.Find("input[data-testid=view-shared], [data-testid=view-shared] input").Change(true);
        provider.Find("[data-testid=view-save]").Click();

        var link = provider.WaitForElement("[data-testid=view-link]").GetAttribute("href")!;
        await using var scope = _app.Services.CreateAsyncScope();
        var views = await scope.ServiceProvider.GetRequiredService<SavedViewStore>().ListAsync(ViewOwner.Of(LocalOwner.Principal)!);
        var saved = views.Single(v => v.Link == link);
        Assert.Equal(("Model traces", $"/traces?model={model}", true, true), (saved.Name, saved.Href, saved.Shared, saved.Mine));
    }

    [Fact]
    public void ARoleLostWhileTheDialogIsOpenSavesNothing()
    {
        var access = new FixedAccess(Roles.Annotator);
        Services.AddSingleton<IAccess>(access);
        NavigateTo("/search?text=never-saved");
        var provider = Render<MudDialogProvider>();
        Render<SaveViewButton>().Find("[data-testid=save-view]").Click();
        provider.WaitForElement("input[data-testid=view-name]").Input("lost");

        access.Role = Roles.Reader;
        provider.Find("[data-testid=view-save]").Click();

        provider.WaitForElement("[data-testid=view-error]");
        Assert.Empty(provider.FindAll("[data-testid=view-link]"));
        Assert.Equal(1, access.Confirmations);
    }

    [Fact]
    public async Task TheListOffersRenameAndDeleteOnlyOnTheViewersOwnViews()
    {
        var tag = Guid.NewGuid().ToString("N");
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<SavedViewStore>();
            await store.SaveAsync(ViewOwner.Of(LocalOwner.Principal)!, "own " + tag, "/traces?model=" + tag, shared: false);
            await store.SaveAsync(new ViewOwner("someone", "someone@example.test"), "theirs " + tag, "/search?text=" + tag, shared: true);
        }

        Render<MudPopoverProvider>();
        var page = Render<ViewsPage>();
        var rows = page.FindAll("[data-testid=view-row]");
        var own = page.FindAll("tr").Single(r => r.TextContent.Contains("own " + tag, StringComparison.Ordinal));
        var theirs = page.FindAll("tr").Single(r => r.TextContent.Contains("theirs " + tag, StringComparison.Ordinal));

        Assert.NotEmpty(rows);
        Assert.Single(own.QuerySelectorAll("[data-testid=view-delete]"));
        Assert.Empty(theirs.QuerySelectorAll("[data-testid=view-delete]"));
        Assert.Contains("Shared by someone@example.test", theirs.TextContent, StringComparison.Ordinal);

        own.QuerySelector("[data-testid=view-rename]")!.Click();
        page.Find("input[data-testid=rename-field]").Input("renamed " + tag);
        page.Find("[data-testid=rename-save]").Click();
        page.WaitForAssertion(() => Assert.Contains(page.FindAll("[data-testid=view-open]"), a => a.TextContent == "renamed " + tag));

        page.FindAll("tr").Single(r => r.TextContent.Contains("renamed " + tag, StringComparison.Ordinal)).QuerySelector("[data-testid=view-delete]")!.Click();
        page.WaitForAssertion(() => Assert.DoesNotContain(page.FindAll("[data-testid=view-open]"), a => a.TextContent.Contains(tag, StringComparison.Ordinal) && !a.TextContent.StartsWith("theirs", StringComparison.Ordinal)));
    }
}
