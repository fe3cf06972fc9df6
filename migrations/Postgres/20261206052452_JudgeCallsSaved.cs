using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations.PostgresTraceViewerDb
{
    /// <inheritdoc />
    public partial class JudgeCallsSaved : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "JudgeCallsSaved",
                table: "Job",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "JudgeCallsSaved",
                table: "Job");
        }
    }
}
