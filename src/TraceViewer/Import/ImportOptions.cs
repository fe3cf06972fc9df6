using System.ComponentModel.DataAnnotations;

namespace TraceViewer.Import;

/// <summary>
/// Limits an import holds every source to, under <c>Import</c>. The defaults admit the real data with room to spare
/// (the 42-trace thought-anchors.com bundle has files of a few MB and strings of a few hundred KB) while keeping a
/// hostile file from taking the machine's memory, disk or time. Every error that a limit causes names its key.
/// </summary>
internal sealed class ImportOptions
{
    public const string Section = "Import";

    private const long KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

    /// <summary>Largest JSON file (read whole); JSONL files are read line by line and are limited by <see cref="MaxLineBytes"/> instead.</summary>
    [Range(1, 2 * GiB - 1)]
    public long MaxFileBytes { get; set; } = 256 * MiB;

    /// <summary>Longest line of a JSONL file.</summary>
    [Range(1, 1 * GiB)]
    public int MaxLineBytes { get; set; } = (int)(32 * MiB);

    /// <summary>Longest JSON string (in UTF-8 bytes, as written in the file).</summary>
    [Range(1, 1 * GiB)]
    public int MaxStringBytes { get; set; } = (int)(8 * MiB);

    /// <summary>Deepest nesting of JSON arrays and objects.</summary>
    [Range(1, 1000)]
    public int MaxDepth { get; set; } = 64;

    /// <summary>Sentence indexes (and resample positions) must be below this.</summary>
    [Range(1, int.MaxValue / 2)]
    public int MaxSentences { get; set; } = 100_000;

    /// <summary>Resample sample indexes must be below this, which leaves jobs room to number new samples after them.</summary>
    [Range(1, int.MaxValue / 2)]
    public int MaxSamplesPerPosition { get; set; } = 1_000_000;

    /// <summary>Largest upload request (all files of one form post together).</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 1 * GiB;

    /// <summary>Most files in one upload.</summary>
    [Range(1, 10_000_000)]
    public int MaxUploadFiles { get; set; } = 100_000;

    /// <summary>Most entries in one uploaded zip file.</summary>
    [Range(1, 10_000_000)]
    public int MaxZipEntries { get; set; } = 100_000;

    /// <summary>Largest total of the unpacked entries of one upload's zip files.</summary>
    [Range(1, long.MaxValue)]
    public long MaxZipBytes { get; set; } = 4 * GiB;

    /// <summary>Largest unpacked zip entry.</summary>
    [Range(1, long.MaxValue)]
    public long MaxZipEntryBytes { get; set; } = 1 * GiB;

    /// <summary>Highest ratio of unpacked to packed size of a zip entry (JSON text packs 5 to 20 times; zip bombs a thousand).</summary>
    [Range(1, 100_000)]
    public int MaxZipRatio { get; set; } = 200;

    /// <summary>Entries smaller than this are not held to <see cref="MaxZipRatio"/> (a tiny file of spaces packs very well).</summary>
    [Range(0, long.MaxValue)]
    public long ZipRatioMinBytes { get; set; } = 1 * MiB;

    /// <summary>A size in the units a person reads, e.g. "256 MiB".</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= GiB when bytes % GiB == 0 => $"{bytes / GiB} GiB",
        >= MiB when bytes % MiB == 0 => $"{bytes / MiB} MiB",
        >= KiB when bytes % KiB == 0 => $"{bytes / KiB} KiB",
        _ => $"{bytes:N0} bytes",
    };

    /// <summary>"the limit of 256 MiB (Import:MaxFileBytes)": how errors name a limit.</summary>
    public static string Limit(string key, long bytes) => $"the limit of {Size(bytes)} ({Section}:{key})";
}
