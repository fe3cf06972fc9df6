using System.ComponentModel.DataAnnotations;

namespace TraceViewer.Accounts;

/// <summary>Settings under <c>Accounts:</c>.</summary>
internal sealed class AccountsOptions
{
    public const string Section = "Accounts";

    /// <summary>
    /// Without accounts every request has all rights, so start-up refuses to listen beyond loopback unless this is true
    /// (a container whose port the host publishes on its own loopback, or a trusted proxy that signs users in).
    /// </summary>
    public bool AllowAnonymousBeyondLoopback { get; set; }

    /// <summary>How long an invitation link can be used.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Wrong passwords in a row before an account is locked out.</summary>
    [Range(1, 100)]
    public int MaxFailedSignIns { get; set; } = 5;

    /// <summary>How long a locked-out account stays locked.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);
}
