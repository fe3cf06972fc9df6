using System.IO.Compression;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace TraceViewer.Import;

/// <summary>The files an upload held and their bytes.</summary>
internal sealed record UploadedFiles(int Files, long Bytes);

/// <summary>An upload that breaks a limit of <see cref="ImportOptions"/> on the upload itself (answered with 413).</summary>
internal sealed class UploadLimitException(string message) : Exception(message);

/// <summary>
/// Saves an upload's files into a temporary folder as the request body arrives, one multipart section at a time,
/// keeping their relative folder paths (a folder upload names each file by its path), and unpacks zip files. Nothing
/// is held in memory or buffered twice: a 50 MB folder goes straight to its files. Zip entries are held to the entry
/// count, sizes and packing ratio of <see cref="ImportOptions"/> while they are unpacked, counting the bytes actually
/// written (a zip may lie about its sizes), so a zip bomb stops within the limit instead of filling the disk first.
/// </summary>
internal static partial class ImportUpload
{
    private const long ReportEvery = 1 << 20;

    /// <summary>The longest form field passed on (a workspace's name is far shorter).</summary>
    private const int MaxFieldBytes = 1024;

    /// <param name="folder">Where the files go; zip files are kept in <paramref name="zips"/> until they are unpacked.</param>
    /// <param name="received">Told the bytes saved so far.</param>
    /// <param name="field">Given each form field (name, value) as it arrives, before the files after it are saved; it may throw to stop the upload.</param>
    public static async Task<UploadedFiles> SaveAsync(
        MultipartReader reader, string folder, string zips, ImportOptions limits, IProgress<long>? received, CancellationToken ct,
        Func<string, string, Task>? field = null)
    {
        var files = 0;
        long bytes = 0, reported = 0;
        var unpacked = new ZipBudget();
        var buffer = new byte[81920];
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFileDisposition())
            {
                // A form field (the workspace) is short; anything longer is not one the import knows.
                if (field is not null && disposition is not null && disposition.IsFormDisposition()
                    && HeaderUtilities.RemoveQuotes(disposition.Name).Value is { Length: > 0 } name)
                {
                    var value = new byte[MaxFieldBytes + 1];
                    var length = 0;
                    int read;
                    while (length < value.Length && (read = await section.Body.ReadAsync(value.AsMemory(length), ct)) > 0)
                    {
                        length += read;
                    }

                    await section.Body.CopyToAsync(Stream.Null, ct);
                    if (length <= MaxFieldBytes)
                    {
                        await field(name, System.Text.Encoding.UTF8.GetString(value, 0, length));
                    }
                }

                continue;
            }

            var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
            if (fileName.Length == 0)
            {
                // An empty file input sends a nameless, empty part.
                await section.Body.CopyToAsync(Stream.Null, ct);
                continue;
            }

            if (++files > limits.MaxUploadFiles)
            {
                throw new UploadLimitException(
                    $"The upload has more files than the limit of {limits.MaxUploadFiles} ({ImportOptions.Section}:{nameof(ImportOptions.MaxUploadFiles)}). Nothing was imported.");
            }

            var relative = SafeRelativePath(fileName);
            var isZip = relative.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);
            var target = isZip ? Path.Combine(zips, $"{files}.zip") : Path.Combine(folder, relative);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1))
                {
                    int read;
                    while ((read = await section.Body.ReadAsync(buffer, ct)) > 0)
                    {
                        await output.WriteAsync(buffer.AsMemory(0, read), ct);
                        bytes += read;
                        // A report per megabyte, not per read: a page redraws for each.
                        if (bytes - reported >= ReportEvery)
                        {
                            received?.Report(reported = bytes);
                        }
                    }

                    if (isZip)
                    {
                        output.Position = 0;
                        await ExtractAsync(output, fileName, folder, limits, unpacked, ct);
                    }
                }

                if (isZip)
                {
                    File.Delete(target);
                }
            }
            catch (IOException e) when (e is not EndOfStreamException and not BadHttpRequestException)
            {
                throw new ImportException(fileName, null, null, SaveFailure(e));
            }
        }

        received?.Report(bytes);
        return new UploadedFiles(files, bytes);
    }

    private sealed class ZipBudget
    {
        public int Entries { get; set; }

        public long Bytes { get; set; }
    }

    private static async Task ExtractAsync(Stream input, string zipName, string folder, ImportOptions limits, ZipBudget budget, CancellationToken ct)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(input, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException)
        {
            throw new ImportException(zipName, null, null, "not a readable zip file: " + e.Message, e);
        }

        using (archive)
        {
            ImportException Error(string detail) => new(zipName, null, null, detail);
            budget.Entries += archive.Entries.Count;
            if (budget.Entries > limits.MaxZipEntries)
            {
                throw Error($"{budget.Entries} zip entries are more than the limit of {limits.MaxZipEntries} ({ImportOptions.Section}:{nameof(ImportOptions.MaxZipEntries)})");
            }

            var buffer = new byte[81920];
            foreach (var entry in archive.Entries)
            {
                var relative = SafeEntryName(entry.FullName, Error);
                if (relative is null)
                {
                    continue;
                }

                // What the zip says, checked first; then the same limits on the bytes as they come out.
                CheckEntry(entry, entry.Length, budget.Bytes + entry.Length, limits, Error);
                var target = Path.Combine(folder, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await using var source = OpenEntry(entry, Error);
                await using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
                long written = 0;
                int read;
                while ((read = await ReadEntryAsync(source, buffer, entry, Error, ct)) > 0)
                {
                    written += read;
                    if (written > entry.Length)
                    {
                        throw Error($"entry '{entry.FullName}' unpacks to more than the {entry.Length:N0} bytes it declares; the zip is damaged or hostile");
                    }

                    CheckEntry(entry, written, budget.Bytes + written, limits, Error);
                    await output.WriteAsync(buffer.AsMemory(0, read), ct);
                }

                budget.Bytes += written;
            }
        }
    }

    private static void CheckEntry(ZipArchiveEntry entry, long size, long total, ImportOptions limits, Func<string, ImportException> error)
    {
        if (size > limits.MaxZipEntryBytes)
        {
            throw error($"entry '{entry.FullName}' unpacks to more than {ImportOptions.Limit(nameof(ImportOptions.MaxZipEntryBytes), limits.MaxZipEntryBytes)}");
        }

        if (total > limits.MaxZipBytes)
        {
            throw error($"the zip entries unpack to more than {ImportOptions.Limit(nameof(ImportOptions.MaxZipBytes), limits.MaxZipBytes)} together (at entry '{entry.FullName}')");
        }

        if (size >= limits.ZipRatioMinBytes && size > (double)limits.MaxZipRatio * Math.Max(1, entry.CompressedLength))
        {
            throw error($"entry '{entry.FullName}' unpacks to more than {limits.MaxZipRatio} times its packed size of {entry.CompressedLength:N0} bytes, "
                + $"the limit ({ImportOptions.Section}:{nameof(ImportOptions.MaxZipRatio)}); a zip bomb is refused");
        }
    }

    private static Stream OpenEntry(ZipArchiveEntry entry, Func<string, ImportException> error)
    {
        try
        {
            return entry.Open();
        }
        catch (InvalidDataException e)
        {
            throw error($"entry '{entry.FullName}' cannot be unpacked: {e.Message}");
        }
    }

    private static async Task<int> ReadEntryAsync(Stream source, byte[] buffer, ZipArchiveEntry entry, Func<string, ImportException> error, CancellationToken ct)
    {
        try
        {
            return await source.ReadAsync(buffer, ct);
        }
        catch (InvalidDataException e)
        {
            throw error($"entry '{entry.FullName}' cannot be unpacked: {e.Message}");
        }
    }

    /// <summary>The entry's path inside the upload folder; null for a folder entry. Absolute names and ".." are refused.</summary>
    private static string? SafeEntryName(string name, Func<string, ImportException> error)
    {
        if (name.StartsWith('/') || name.StartsWith('\\') || DriveName().IsMatch(name))
        {
            throw error($"entry '{name}' has an absolute name; zip entries must name paths inside the archive");
        }

        var segments = name.Split('/', '\\');
        if (segments.Any(s => s == ".."))
        {
            throw error($"entry '{name}' climbs out of the archive with '..'");
        }

        var parts = segments.Where(s => s.Length > 0 && s != ".").ToList();
        if (parts.Any(s => s.Contains(':', StringComparison.Ordinal) || s.Contains('\0', StringComparison.Ordinal)))
        {
            throw error($"entry '{name}' is not an acceptable file name");
        }

        return name.EndsWith('/') || name.EndsWith('\\') || parts.Count == 0 ? null : Path.Combine([.. parts]);
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

    private static string SaveFailure(IOException e) => e.HResult switch
    {
        28 or 27 => "the upload could not be saved: disk full (" + e.Message + ")",
        _ when e.Message.Contains("exists", StringComparison.OrdinalIgnoreCase) => "the upload names the same file twice (" + e.Message + ")",
        _ => "the upload could not be saved: " + e.Message,
    };

    [GeneratedRegex("^[A-Za-z]:")]
    private static partial Regex DriveName();
}
