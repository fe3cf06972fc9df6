using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using TraceViewer.Accounts;
using TraceViewer.Data;

namespace TraceViewer.Web;

/// <summary>
/// Without accounts every request is the local owner (all rights, see <see cref="LocalOwner"/>): fine on loopback,
/// not beyond. Once the server listens (<see cref="ExposureGate"/>), a binding any other machine can reach stops it, unless
/// <c>Accounts:AllowAnonymousBeyondLoopback</c> says so (then it is named in a warning); with accounts, sign-in guards
/// it. Requests that arrive before this check answer 503. With no account, the one-time setup link is announced.
/// </summary>
internal static partial class ExposureWarning
{
    public const string OverrideSetting = "Accounts:AllowAnonymousBeyondLoopback";

    /// <summary>Exit code of a start refused because it would serve every right to other machines.</summary>
    public const int RefusedExitCode = 4;

    public static WebApplication UseExposureCheck(this WebApplication app)
    {
        var check = app.Services.GetRequiredService<ExposureCheck>();
        app.Use((context, next) =>
        {
            if (check.Passed)
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        });
        return app;
    }

    /// <summary>
    /// Checks the listening addresses once the server has started: in <see cref="ExposureGate.StartedAsync"/>, which
    /// the host runs after every service's <c>StartAsync</c> (the server's is last) and before it reports the
    /// application started, so a host that waits for that report (a test host) never sees a request refused.
    /// </summary>
    public static IHostApplicationBuilder AddExposureCheck(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ExposureCheck>();
        builder.Services.AddHostedService<ExposureGate>();
        return builder;
    }

    internal static void Check(IServiceProvider services, ILogger logger)
    {
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var exposed = addresses.Where(a => !IsLoopback(a)).ToList();
        var check = services.GetRequiredService<ExposureCheck>();
        var accounts = services.GetRequiredService<AccountsState>();
        var allowed = services.GetRequiredService<IOptions<AccountsOptions>>().Value.AllowAnonymousBeyondLoopback;
        if (exposed.Count > 0 && !accounts.Exist)
        {
            if (!allowed)
            {
                LogRefused(logger, exposed, OverrideSetting);
                check.Refused = true;
                services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
                return;
            }

            LogExposed(logger, exposed, OverrideSetting);
        }

        check.Passed = true;
        if (!services.GetRequiredService<DatabaseAccess>().IsReadOnly && services.GetRequiredService<SetupLink>().Create() is { } path)
        {
            var where = addresses.Select(Browsable).FirstOrDefault() ?? "";
            LogSetupLink(logger, where + path);
        }
    }

    /// <summary>An address to open in a browser: a wildcard binding is reached at localhost.</summary>
    private static string Browsable(string address) =>
        address.Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal)
            .Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal);

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

    [LoggerMessage(Level = LogLevel.Critical, Message = "Refusing to serve beyond this machine on {Addresses}: no account exists, so every visitor would have every right (import, jobs, users). Create an account first (`users add <email> --role admin`), or listen on loopback only, or set {Setting}=true to serve without sign-in anyway (behind a proxy that signs users in, or a container port published on the host's loopback only).")]
    private static partial void LogRefused(ILogger logger, IReadOnlyList<string> addresses, string setting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening beyond this machine on {Addresses} without accounts, because {Setting} is true: everyone who reaches the app has every right, and the JSON job endpoints (/api/jobs) accept any client without a token. Create an account to turn sign-in on.")]
    private static partial void LogExposed(ILogger logger, IReadOnlyList<string> addresses, string setting);

    [LoggerMessage(Level = LogLevel.Information, Message = "No account exists, so sign-in is off and every request has every right. To turn sign-in on, create the first admin at {SetupLink} (works once, until the app stops) or with `users add <email> --role admin`.")]
    private static partial void LogSetupLink(ILogger logger, string setupLink);
}

/// <summary>Runs <see cref="ExposureWarning.Check"/> when the host has started every service, the server included.</summary>
internal sealed class ExposureGate(IServiceProvider services, ILogger<ExposureGate> logger) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        ExposureWarning.Check(services, logger);
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Whether the start-up check of the listening addresses has passed (requests wait for it) or refused the start.</summary>
internal sealed class ExposureCheck
{
    private volatile bool _passed;
    private volatile bool _refused;

    public bool Passed
    {
        get => _passed;
        set => _passed = value;
    }

    public bool Refused
    {
        get => _refused;
        set => _refused = value;
    }
}
