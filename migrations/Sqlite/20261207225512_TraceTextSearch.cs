using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations
{
    /// <summary>
    /// A full-text index over each trace's title, prompt (as the trace page shows it), reasoning and final output, for the
    /// trace list's search (docs/decisions/0062): an FTS5 table with external content, read from a view that gives the
    /// prompt as shown, kept in step with <c>Trace</c> by triggers as <c>SentenceText</c> is with <c>Sentence</c>, and
    /// filled from the traces already stored.
    /// </summary>
    public partial class TraceTextSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The prompt as the trace page shows it: the full prompt, else the system and user prompts.
            migrationBuilder.Sql($"""
                CREATE VIEW "TraceSearchSource" AS
                SELECT "Id", "Title",
                    {ShownPrompt("")} AS "Prompt",
                    "Reasoning", "FinalOutput"
                FROM "Trace";
                """);
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "TraceText" USING fts5(
                    "Title", "Prompt", "Reasoning", "FinalOutput",
                    content='TraceSearchSource', content_rowid='Id', tokenize='unicode61 remove_diacritics 2', prefix='2 3');
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER "Trace_TraceText_Insert" AFTER INSERT ON "Trace" BEGIN
                    INSERT INTO "TraceText"(rowid, "Title", "Prompt", "Reasoning", "FinalOutput")
                    VALUES (new."Id", new."Title",
                        {ShownPrompt("new.")},
                        new."Reasoning", new."FinalOutput");
                END;
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER "Trace_TraceText_Delete" AFTER DELETE ON "Trace" BEGIN
                    INSERT INTO "TraceText"("TraceText", rowid, "Title", "Prompt", "Reasoning", "FinalOutput")
                    VALUES ('delete', old."Id", old."Title",
                        {ShownPrompt("old.")},
                        old."Reasoning", old."FinalOutput");
                END;
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER "Trace_TraceText_Update" AFTER UPDATE OF "Title", "Prompt", "SystemPrompt", "UserPrompt", "Reasoning", "FinalOutput" ON "Trace" BEGIN
                    INSERT INTO "TraceText"("TraceText", rowid, "Title", "Prompt", "Reasoning", "FinalOutput")
                    VALUES ('delete', old."Id", old."Title",
                        {ShownPrompt("old.")},
                        old."Reasoning", old."FinalOutput");
                    INSERT INTO "TraceText"(rowid, "Title", "Prompt", "Reasoning", "FinalOutput")
                    VALUES (new."Id", new."Title",
                        {ShownPrompt("new.")},
                        new."Reasoning", new."FinalOutput");
                END;
                """);
            // The traces already stored, read through the view.
            migrationBuilder.Sql("""INSERT INTO "TraceText"("TraceText") VALUES ('rebuild');""");
        }

        /// <summary>The prompt as the trace page shows it, of the row named by <paramref name="row"/> ("new.", "old." or "" in the view).</summary>
        private static string ShownPrompt(string row) =>
            $"""CASE WHEN {row}"Prompt" <> '' THEN {row}"Prompt" ELSE coalesce({row}"SystemPrompt", '') || char(10) || coalesce({row}"UserPrompt", '') END""";

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "Trace_TraceText_Update";""");
            migrationBuilder.Sql("""DROP TRIGGER "Trace_TraceText_Delete";""");
            migrationBuilder.Sql("""DROP TRIGGER "Trace_TraceText_Insert";""");
            migrationBuilder.Sql("""DROP TABLE "TraceText";""");
            migrationBuilder.Sql("""DROP VIEW "TraceSearchSource";""");
        }
    }
}
