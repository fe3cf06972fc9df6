using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Accounts;
using TraceViewer.Views;

namespace TraceViewer.Tests.Views;

/// <summary>Saved views as stored and opened at /v/{id}: private to their owner, or shared; changed only by their owner.</summary>
public sealed class SavedViewsTests(TestApp app) : IClassFixture<TestApp>
{
    private static readonly ViewOwner Local = ViewOwner.Of(LocalOwner.Principal)!;

    private static readonly ViewOwner Other = new("other-id", "other@example.test");

    private async Task<T> WithStoreAsync<T>(Func<SavedViewStore, Task<T>> use)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<SavedViewStore>());
    }

    private HttpClient Client() => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Fact]
    public async Task TheLocalOwnerSavesAViewAndItsAddressLeadsToThePageWithItsFilters()
    {
        var row = (await WithStoreAsync(s => s.SaveAsync(Local, " Opus traces ", "/traces?model=opus&sort=title&page=4", shared: false)))!;

        using var response = await Client().GetAsync(row.Link);

        Assert.Equal("Opus traces", row.Name);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/traces?model=opus&sort=title", response.Headers.Location!.OriginalString);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task APrivateViewIsOpenedOnlyByItsOwnerAndASharedOneByEveryone()
    {
        var mine = (await WithStoreAsync(s => s.SaveAsync(Other, "private", "/search?text=plan", shared: false)))!;
        var shared = (await WithStoreAsync(s => s.SaveAsync(Other, "shared", "/datasets/3/study?variant=a&tier=free", shared: true)))!;

        using var hidden = await Client().GetAsync(mine.Link);
        using var open = await Client().GetAsync(shared.Link);
        using var unknown = await Client().GetAsync("/v/987654321");

        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, open.StatusCode);
        Assert.Equal("/datasets/3/study?variant=a&tier=free", open.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        var listed = await WithStoreAsync(s => s.ListAsync(Local));
        Assert.Contains(listed, r => r.Id == shared.Id && !r.Mine && r.OwnerName == "other@example.test");
        Assert.DoesNotContain(listed, r => r.Id == mine.Id);
        Assert.Contains(await WithStoreAsync(s => s.ListAsync(Other)), r => r.Id == mine.Id && r.Mine);
    }

    [Fact]
    public async Task OnlyTheOwnerRenamesSharesAndDeletes()
    {
        var row = (await WithStoreAsync(s => s.SaveAsync(Other, "theirs", "/traces?dataset=1", shared: true)))!;

        Assert.False(await WithStoreAsync(s => s.RenameAsync(row.Id, Local, "mine now")));
        Assert.False(await WithStoreAsync(s => s.ShareAsync(row.Id, Local, false)));
        Assert.False(await WithStoreAsync(s => s.DeleteAsync(row.Id, Local)));
        Assert.False(await WithStoreAsync(s => s.RenameAsync(row.Id, Other, "  ")));
        Assert.Equal("theirs", (await WithStoreAsync(s => s.ListAsync(Local))).Single(r => r.Id == row.Id).Name);

        Assert.True(await WithStoreAsync(s => s.RenameAsync(row.Id, Other, "renamed")));
        Assert.True(await WithStoreAsync(s => s.ShareAsync(row.Id, Other, false)));
        Assert.DoesNotContain(await WithStoreAsync(s => s.ListAsync(Local)), r => r.Id == row.Id);
        Assert.Equal("renamed", (await WithStoreAsync(s => s.ListAsync(Other))).Single(r => r.Id == row.Id).Name);
        Assert.True(await WithStoreAsync(s => s.DeleteAsync(row.Id, Other)));
        Assert.DoesNotContain(await WithStoreAsync(s => s.ListAsync(Other)), r => r.Id == row.Id);
    }

    [Fact]
    public async Task AnAddressThatIsNotASavablePageIsNotSaved()
    {
        Assert.Null(await WithStoreAsync(s => s.SaveAsync(Local, "x", "/users", shared: false)));
        Assert.Null(await WithStoreAsync(s => s.SaveAsync(Local, "", "/traces", shared: false)));
    }

    [Fact]
    public void AShareLinksHolderOrNobodyOwnsNoViews()
    {
        Assert.Null(ViewOwner.Of(new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity())));
        Assert.Equal(("local-owner", LocalOwner.Name), (Local.Id, Local.Name));
    }
}
