using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations.PostgresTraceViewerDb
{
    /// <inheritdoc />
    public partial class TraceListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Trace_Tier_PromptVariant",
                table: "Trace",
                columns: new[] { "Tier", "PromptVariant" });

            // The trace list's default order, exactly as its query writes it (traces without metrics last, then the most
            // important first, ties by id), so the first page is read along this index instead of sorting every trace.
            migrationBuilder.Sql("""
                CREATE INDEX "IX_Trace_ListOrder" ON "Trace" (("MaxImportance" IS NULL), "MaxImportance" DESC, "Id");
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_Trace_ListOrder";""");

            migrationBuilder.DropIndex(
                name: "IX_Trace_Tier_PromptVariant",
                table: "Trace");
        }
    }
}
