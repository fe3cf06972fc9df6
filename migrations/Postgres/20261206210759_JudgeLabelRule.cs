using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations.PostgresTraceViewerDb
{
    /// <inheritdoc />
    public partial class JudgeLabelRule : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "MaxFailedShare",
                table: "JudgeLabel",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ThresholdInclusive",
                table: "JudgeLabel",
                type: "boolean",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "MaxFailedShare",
                table: "JudgeLabel");

            migrationBuilder.DropColumn(
                name: "ThresholdInclusive",
                table: "JudgeLabel");
        }
    }
}
