namespace TraceViewer.Accounts;

/// <summary>
/// The one-time link that creates the first administrator: <c>/setup?token=&lt;token&gt;</c> with a random token made at
/// start-up when no account exists. It lives only in this process's memory (never stored; logged once, in the line that
/// announces it), works once, and stops working as soon as any account exists.
/// </summary>
internal sealed class SetupLink(AccountsState accounts)
{
    /// <summary>The token travels in the query string, which ASP.NET Core leaves out of its request-path log scopes.</summary>
    public const string PathPrefix = "/setup?token=";

    private string? _token;

    /// <summary>Makes the token, unless accounts exist already. Returns the path to announce, or null.</summary>
    public string? Create()
    {
        if (accounts.Exist)
        {
            return null;
        }

        _token ??= Secrets.NewToken();
        return PathPrefix + _token;
    }

    /// <summary>Whether <paramref name="token"/> is the live setup token.</summary>
    public bool IsValid(string? token) =>
        !accounts.Exist && _token is { } live && token is not null && Secrets.SameText(live, token);

    /// <summary>Uses the token up: true for exactly one caller with the live token.</summary>
    public bool TryConsume(string token)
    {
        var live = _token;
        return IsValid(token) && Interlocked.CompareExchange(ref _token, null, live) == live;
    }

    /// <summary>Gives a consumed token back when the account could not be created (a password the rules refuse).</summary>
    public void Release(string token)
    {
        if (!accounts.Exist)
        {
            Interlocked.CompareExchange(ref _token, token, null);
        }
    }
}
