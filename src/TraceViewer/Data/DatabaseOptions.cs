using System.ComponentModel.DataAnnotations;

namespace TraceViewer.Data;

internal sealed class DatabaseOptions
{
    public const string Section = "Database";

    public const string ConnectionStringName = "TraceViewer";

    public const string DefaultConnectionString = "Data Source=data/traceviewer.db";

    /// <summary>Sqlite (default, zero set-up).</summary>
    [Required]
    [RegularExpression("^(?i:sqlite)$", ErrorMessage = "Database:Provider must be Sqlite.")]
    public string Provider { get; set; } = "Sqlite";
}
