using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace TraceViewer.Web;

/// <summary>
/// The app has no sign-in and the JSON job endpoints take no token (docs/decisions/0005): fine on loopback, not beyond.
/// Once the server listens, a binding any other machine can reach is named in a warning.
/// </summary>
internal static partial class ExposureWarning
{
    public static WebApplication WarnWhenReachableFromOtherMachines(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var exposed = addresses.Where(a => !IsLoopback(a)).ToList();
            if (exposed.Count > 0)
            {
                LogExposed(app.Logger, exposed);
            }
        });
        return app;
    }

    /// <summary>True when only this machine can connect to the address (localhost or a loopback IP); wildcards and other hosts are not.</summary>
    public static bool IsLoopback(string address)
    {
        // Kestrel reports wildcards as *, + or 0.0.0.0 and [::], none of which Uri takes as a loopback host.
        if (!Uri.TryCreate(address.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening beyond this machine on {Addresses}: the app has no sign-in and the JSON job endpoints (/api/jobs) accept any client that reaches them, without a token. Serve it beyond loopback only behind an authenticating proxy.")]
    private static partial void LogExposed(ILogger logger, IReadOnlyList<string> addresses);
}
