namespace TraceViewer.Accounts;

/// <summary>
/// The four roles, each with the rights of those before it: a reader reads; an annotator also tags sentences and gives
/// verdicts; a researcher also imports, runs jobs and recomputes; an admin also manages users, taxonomies and deletion.
/// Every account has exactly one.
/// </summary>
internal static class Roles
{
    public const string Reader = "reader";
    public const string Annotator = "annotator";
    public const string Researcher = "researcher";
    public const string Admin = "admin";

    /// <summary>From fewest rights to most.</summary>
    public static IReadOnlyList<string> All { get; } = [Reader, Annotator, Researcher, Admin];

    /// <summary>Position in <see cref="All"/>, or -1 for a name that is not a role.</summary>
    public static int Rank(string? role) => role is null ? -1 : All.ToList().IndexOf(role.Trim().ToLowerInvariant());

    public static bool IsRole(string? role) => Rank(role) >= 0;

    /// <summary>The roles that include <paramref name="role"/>'s rights (it and every one above it).</summary>
    public static IReadOnlyList<string> AtLeast(string role) => [.. All.Skip(Rank(role))];

    public static string Describe(string role) => role switch
    {
        Reader => "reads traces, datasets and jobs",
        Annotator => "also tags sentences and gives verdicts",
        Researcher => "also imports, runs jobs and recomputes metrics",
        Admin => "also manages users, taxonomies and deletion",
        _ => role,
    };
}
