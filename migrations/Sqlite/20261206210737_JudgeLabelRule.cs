using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations
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
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ThresholdInclusive",
                table: "JudgeLabel",
                type: "INTEGER",
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
