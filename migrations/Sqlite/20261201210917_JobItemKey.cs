using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations
{
    /// <inheritdoc />
    public partial class JobItemKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Making TraceId nullable rebuilds the table on SQLite. EF's rebuild turns foreign keys off first, which SQLite
            // allows only outside a transaction, so a stop halfway would leave the table half rebuilt and the migration
            // half applied. Nothing refers to JobItem, so the same rebuild runs here inside the migration's transaction
            // with foreign keys left on; the resulting table and indexes are the ones EF's rebuild gives.
            migrationBuilder.Sql("""
                CREATE TABLE "ef_temp_JobItem" (
                    "Id" INTEGER NOT NULL CONSTRAINT "PK_JobItem" PRIMARY KEY AUTOINCREMENT,
                    "Attempts" INTEGER NOT NULL,
                    "ClaimToken" TEXT NULL,
                    "FinishedAt" TEXT NULL,
                    "JobId" INTEGER NOT NULL,
                    "Key" TEXT NULL,
                    "LastError" TEXT NULL,
                    "LeaseUntil" INTEGER NULL,
                    "NextAttemptAt" INTEGER NULL,
                    "Position" INTEGER NOT NULL,
                    "SampleIndex" INTEGER NOT NULL,
                    "Status" TEXT NOT NULL,
                    "TraceId" INTEGER NULL,
                    CONSTRAINT "FK_JobItem_Job_JobId" FOREIGN KEY ("JobId") REFERENCES "Job" ("Id") ON DELETE CASCADE,
                    CONSTRAINT "FK_JobItem_Trace_TraceId" FOREIGN KEY ("TraceId") REFERENCES "Trace" ("Id") ON DELETE CASCADE
                );
                """);
            migrationBuilder.Sql("""
                INSERT INTO "ef_temp_JobItem" ("Id", "Attempts", "ClaimToken", "FinishedAt", "JobId", "LastError", "LeaseUntil", "NextAttemptAt", "Position", "SampleIndex", "Status", "TraceId")
                SELECT "Id", "Attempts", "ClaimToken", "FinishedAt", "JobId", "LastError", "LeaseUntil", "NextAttemptAt", "Position", "SampleIndex", "Status", "TraceId"
                FROM "JobItem";
                """);
            migrationBuilder.Sql("""DROP TABLE "JobItem";""");
            migrationBuilder.Sql("""ALTER TABLE "ef_temp_JobItem" RENAME TO "JobItem";""");

            migrationBuilder.CreateIndex(
                name: "IX_JobItem_ClaimToken",
                table: "JobItem",
                column: "ClaimToken");

            migrationBuilder.CreateIndex(
                name: "IX_JobItem_JobId_Status_Id",
                table: "JobItem",
                columns: new[] { "JobId", "Status", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_JobItem_JobId_TraceId_Position_SampleIndex",
                table: "JobItem",
                columns: new[] { "JobId", "TraceId", "Position", "SampleIndex" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_JobItem_Status_LeaseUntil",
                table: "JobItem",
                columns: new[] { "Status", "LeaseUntil" });

            migrationBuilder.CreateIndex(
                name: "IX_JobItem_TraceId",
                table: "JobItem",
                column: "TraceId");

            migrationBuilder.CreateIndex(
                name: "IX_JobItem_JobId_Key",
                table: "JobItem",
                columns: new[] { "JobId", "Key" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_JobItem_JobId_Key",
                table: "JobItem");

            migrationBuilder.DropColumn(
                name: "Key",
                table: "JobItem");

            migrationBuilder.AlterColumn<int>(
                name: "TraceId",
                table: "JobItem",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0,
                oldClrType: typeof(int),
                oldType: "INTEGER",
                oldNullable: true);
        }
    }
}
