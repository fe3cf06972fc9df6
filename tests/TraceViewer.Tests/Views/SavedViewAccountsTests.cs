using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Accounts;
using TraceViewer.Tests.Accounts;
using TraceViewer.Views;

namespace TraceViewer.Tests.Views;

/// <summary>With accounts: a view's address opens for its owner, a shared one for every signed-in role, nothing for the signed out.</summary>
public sealed class SavedViewAccountsTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    private async Task<SavedViewRow> SaveAsync(string ownerId, string name, string address, bool shared)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<SavedViewStore>().SaveAsync(new ViewOwner(ownerId, name + "@example.test"), name, address, shared))!;
    }

    [Fact]
    public async Task AReaderOpensSharedViewsAndItsOwnButNotAnothersPrivateOne()
    {
        var readerId = await _app.AddAccountAsync("reader@example.test", Roles.Reader);
        var annotatorId = await _app.AddAccountAsync("annotator@example.test", Roles.Annotator);
        var shared = await SaveAsync(annotatorId, "shared", "/traces?model=a", shared: true);
        var hidden = await SaveAsync(annotatorId, "hidden", "/search?text=b", shared: false);
        var own = await SaveAsync(readerId, "own", "/search?text=c", shared: false);
        var reader = _app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await reader.SignInAsync("reader@example.test")).StatusCode);

        using var openShared = await reader.GetAsync(shared.Link);
        using var openHidden = await reader.GetAsync(hidden.Link);
        using var openOwn = await reader.GetAsync(own.Link);
        using var signedOut = await _app.NewClient().GetAsync(shared.Link);
        using var local = await SaveAsLocalOwnerAsync();

        Assert.Equal((HttpStatusCode.Redirect, "/traces?model=a"), (openShared.StatusCode, openShared.Headers.Location!.OriginalString));
        Assert.Equal(HttpStatusCode.NotFound, openHidden.StatusCode);
        Assert.Equal((HttpStatusCode.Redirect, "/search?text=c"), (openOwn.StatusCode, openOwn.Headers.Location!.OriginalString));
        // Signed out: the sign-in page, not the view.
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Contains(AccountsExtensions.SignInPath, signedOut.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, local.StatusCode);
        Assert.Contains(AccountsExtensions.SignInPath, local.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    /// <summary>A view the local owner kept before the first account: once accounts exist, no one signed out opens it.</summary>
    private async Task<HttpResponseMessage> SaveAsLocalOwnerAsync()
    {
        var view = await SaveAsync("local-owner", "local", "/traces", shared: false);
        return await _app.NewClient().GetAsync(view.Link);
    }
}
