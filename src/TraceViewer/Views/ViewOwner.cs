using System.Security.Claims;
using TraceViewer.Accounts;

namespace TraceViewer.Views;

/// <summary>Who keeps or opens saved views: a signed-in account (by its id) or the local owner; never a share link's holder.</summary>
internal sealed record ViewOwner(string Id, string Name)
{
    public static ViewOwner? Of(ClaimsPrincipal user)
    {
        if (Sharing.ShareHolder.Is(user) || user.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        var name = LocalOwner.Is(user) ? LocalOwner.Name : user.Identity.Name ?? id;
        return new(Cut(id), Cut(name));
    }

    private static string Cut(string text) => text.Length > 256 ? text[..256] : text;
}
