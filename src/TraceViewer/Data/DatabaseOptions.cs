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

    public bool IsPostgres => string.Equals(Provider, "PostgreSQL", StringComparison.OrdinalIgnoreCase);
}
