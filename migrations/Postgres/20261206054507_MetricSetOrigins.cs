using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations.PostgresTraceViewerDb
{
    /// <inheritdoc />
    public partial class MetricSetOrigins : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "GeneratedResamples",
                table: "MetricSet",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ImportedResamples",
                table: "MetricSet",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "GeneratedResamples",
                table: "MetricSet");

            migrationBuilder.DropColumn(
                name: "ImportedResamples",
                table: "MetricSet");
        }
    }
}
