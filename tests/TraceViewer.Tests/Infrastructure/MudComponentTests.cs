using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace TraceViewer.Tests;

/// <summary>
/// bunit with MudBlazor's services and loose JS interop (MudBlazor calls JS the tests do not assert on). Tests that
/// open a select or menu render <see cref="MudPopoverProvider"/> first: popover content renders there, not inside the
/// component. Add further services before the first render.
/// </summary>
public abstract class MudComponentTests : BunitContext, IAsyncLifetime
{
    protected MudComponentTests()
    {
        Services.AddMudServices();
        // The local owner unless a test registers another user (FixedAccess) before the first render.
        Services.AddSingleton<TraceViewer.Accounts.IAccess>(FixedAccess.Owner);
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    /// <summary>The address the test starts at; <c>[SupplyParameterFromQuery]</c> reads it.</summary>
    protected void NavigateTo(string uri) => Services.GetRequiredService<NavigationManager>().NavigateTo(uri);

    protected string CurrentUri => Services.GetRequiredService<NavigationManager>().Uri;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor registers services that can only be disposed asynchronously.
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}

internal static class MudSelectInteraction
{
    /// <summary>Opens the select whose input carries <c>data-filter="<paramref name="filter"/>"</c> and clicks the item with that text.</summary>
    public static void Choose<T>(this IRenderedComponent<MudPopoverProvider> popovers, IRenderedComponent<T> component, string filter, string item)
        where T : IComponent
    {
        component.Find($"input[data-filter='{filter}']").Closest(".mud-input-control")!.MouseDown();
        popovers.WaitForAssertion(() => Assert.Contains(popovers.FindAll(".mud-popover-open .mud-list-item"), e => e.TextContent.Trim() == item));
        popovers.FindAll(".mud-popover-open .mud-list-item").Single(e => e.TextContent.Trim() == item).Click();
    }
}
