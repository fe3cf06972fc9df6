namespace TraceViewer.Tests;

/// <summary>Finds the repository and the shared folder beside it, from wherever the tests run.</summary>
internal static class SharedPaths
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Shared => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));

    public static string Conformance(string file) => Path.Combine(Shared, "conformance", file);

    public static string Fixtures(params string[] parts) => Path.Combine([Shared, "fixtures", .. parts]);

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TraceViewer.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("TraceViewer.sln not found above " + AppContext.BaseDirectory);
    }
}
