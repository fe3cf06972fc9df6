using System.ComponentModel.DataAnnotations;

namespace TraceViewer.Data;

internal sealed class DatabaseOptions
{
    public const string Section = "Database";

    public const string ConnectionStringName = "TraceViewer";

    public const string DefaultConnectionString = "Data Source=data/traceviewer.db";

    /// <summary>Sqlite (default, zero set-up) or PostgreSQL.</summary>
    [Required]
    [RegularExpression("^(?i:sqlite|postgresql)$", ErrorMessage = "Database:Provider must be Sqlite or PostgreSQL.")]
    public string Provider { get; set; } = "Sqlite";

    /// <summary>
    /// Opens the database for reading only: no migrations, no sample data, no jobs; every change is refused. A SQLite
    /// file or folder that cannot be written, or <c>Mode=ReadOnly</c> in the connection string, does the same by itself.
    /// </summary>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// How long start-up waits for another process that is applying migrations to the same SQLite file before it gives
    /// up with a message (on PostgreSQL the server's own lock is waited for; progress is logged).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MigrationLockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsPostgres => string.Equals(Provider, "PostgreSQL", StringComparison.OrdinalIgnoreCase);
}
