using System.IO.Compression;

namespace TraceViewer.Import;

/// <summary>Saves uploaded files into a temporary folder, keeping their relative folder paths, and unpacks zip files.</summary>
internal static class ImportUpload
{
    public static async Task SaveAsync(IFormFileCollection files, string folder, CancellationToken ct)
    {
        foreach (var file in files.Where(f => f.Length > 0 || f.FileName.Length > 0))
        {
            var relative = SafeRelativePath(file.FileName);
            await using var input = file.OpenReadStream();
            if (relative.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            {
                // ExtractToDirectory refuses entries that would land outside the folder.
                await ZipFile.ExtractToDirectoryAsync(input, folder, overwriteFiles: false, ct);
                continue;
            }

            var target = Path.Combine(folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using var output = new FileStream(target, FileMode.CreateNew);
            await input.CopyToAsync(output, ct);
        }
    }

    /// <summary>A browser sends a folder upload's relative path as the file name; never let it climb out of the folder.</summary>
    internal static string SafeRelativePath(string fileName)
    {
        var segments = fileName.Split('/', '\\').Where(s => s.Length > 0).ToList();
        if (segments.Count == 0 || segments.Any(s => s is "." or ".." || s.Contains(':', StringComparison.Ordinal)))
        {
            throw new ImportException(fileName, null, null, "not an acceptable file name for an upload");
        }

        return Path.Combine([.. segments]);
    }
}
