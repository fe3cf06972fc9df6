namespace TraceViewer.Bench;

internal static class BenchPaths
{
    /// <summary>src/TraceViewer above the bench binary: a console app gets no test content-root attribute.</summary>
    public static string AppFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "src", "TraceViewer");
            if (File.Exists(Path.Combine(candidate, "TraceViewer.csproj")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("src/TraceViewer not found above " + AppContext.BaseDirectory);
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
