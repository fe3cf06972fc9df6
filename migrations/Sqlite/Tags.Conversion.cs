using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations
{
    // The data half of the Tags migration, kept apart from the generated file so that the migration can be generated
    // again (when another migration lands first) and only the two calls in Up and Down need putting back.
    public partial class Tags
    {
        private const string Functions = "'Thought Anchors functions'";

        /// <summary>
        /// Every newline-separated entry of Sentence.FunctionTags becomes a tag of the built-in "Thought Anchors functions"
        /// taxonomy by the import (annotator: the dataset's source format, or "import"), in the order of the entries (row
        /// ids follow it), each tag once per sentence; empty entries are dropped. The taxonomy is added at version 0 with
        /// the tags the data names; start-up seeding (TaxonomySeeder) completes it with colours, descriptions and hotkeys.
        /// The column is dropped in place (SQLite 3.35+), not by a rebuild, so the migration stays in one transaction.
        /// </summary>
        private static void ConvertFunctionTags(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                INSERT INTO "Taxonomy" ("Name", "Description", "Version", "MultiChoice", "BuiltIn")
                SELECT {Functions}, NULL, 0, 1, 1
                WHERE NOT EXISTS (SELECT 1 FROM "Taxonomy" WHERE "Name" = {Functions});
                """);
            migrationBuilder.Sql($"""
                WITH RECURSIVE "Split"("SentenceId", "Position", "Name", "Rest") AS (
                    SELECT "Id", 0, NULL, "FunctionTags" || char(10) FROM "Sentence" WHERE "FunctionTags" IS NOT NULL
                    UNION ALL
                    SELECT "SentenceId", "Position" + 1, substr("Rest", 1, instr("Rest", char(10)) - 1), substr("Rest", instr("Rest", char(10)) + 1)
                    FROM "Split" WHERE "Rest" <> ''
                )
                INSERT INTO "Tag" ("TaxonomyId", "Name", "Retired")
                SELECT DISTINCT x."Id", s."Name", 0
                FROM "Split" s JOIN "Taxonomy" x ON x."Name" = {Functions}
                WHERE s."Position" > 0 AND s."Name" <> ''
                  AND NOT EXISTS (SELECT 1 FROM "Tag" t WHERE t."TaxonomyId" = x."Id" AND t."Name" = s."Name")
                ORDER BY s."Name";
                """);
            migrationBuilder.Sql($"""
                WITH RECURSIVE "Split"("SentenceId", "Position", "Name", "Rest") AS (
                    SELECT "Id", 0, NULL, "FunctionTags" || char(10) FROM "Sentence" WHERE "FunctionTags" IS NOT NULL
                    UNION ALL
                    SELECT "SentenceId", "Position" + 1, substr("Rest", 1, instr("Rest", char(10)) - 1), substr("Rest", instr("Rest", char(10)) + 1)
                    FROM "Split" WHERE "Rest" <> ''
                ),
                "Entry" AS (
                    SELECT "SentenceId", "Name", min("Position") AS "Position" FROM "Split"
                    WHERE "Position" > 0 AND "Name" <> ''
                    GROUP BY "SentenceId", "Name"
                )
                INSERT INTO "SentenceTag" ("SentenceId", "TagId", "AnnotatorKind", "Annotator", "Note", "CreatedAt", "UpdatedAt")
                SELECT e."SentenceId", t."Id", 'Import',
                       CASE WHEN trim(d."SourceFormat") = '' THEN 'import' ELSE substr(d."SourceFormat", 1, 200) END,
                       NULL, tr."ImportedAt", tr."ImportedAt"
                FROM "Entry" e
                JOIN "Sentence" s ON s."Id" = e."SentenceId"
                JOIN "Trace" tr ON tr."Id" = s."TraceId"
                JOIN "Dataset" d ON d."Id" = tr."DatasetId"
                JOIN "Taxonomy" x ON x."Name" = {Functions}
                JOIN "Tag" t ON t."TaxonomyId" = x."Id" AND t."Name" = e."Name"
                ORDER BY e."SentenceId", e."Position";
                """);
            migrationBuilder.Sql("""ALTER TABLE "Sentence" DROP COLUMN "FunctionTags";""");
        }

        /// <summary>Puts the imported function tags back into Sentence.FunctionTags (other tags are lost with their tables).</summary>
        private static void RestoreFunctionTags(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER TABLE "Sentence" ADD COLUMN "FunctionTags" TEXT NULL;""");
            migrationBuilder.Sql($"""
                UPDATE "Sentence" SET "FunctionTags" = (
                    SELECT group_concat("Name", char(10)) FROM (
                        SELECT t."Name" FROM "SentenceTag" st
                        JOIN "Tag" t ON t."Id" = st."TagId"
                        JOIN "Taxonomy" x ON x."Id" = t."TaxonomyId"
                        WHERE st."SentenceId" = "Sentence"."Id" AND st."AnnotatorKind" = 'Import' AND x."Name" = {Functions}
                        ORDER BY st."Id"))
                WHERE EXISTS (
                    SELECT 1 FROM "SentenceTag" st
                    JOIN "Tag" t ON t."Id" = st."TagId"
                    JOIN "Taxonomy" x ON x."Id" = t."TaxonomyId"
                    WHERE st."SentenceId" = "Sentence"."Id" AND st."AnnotatorKind" = 'Import' AND x."Name" = {Functions});
                """);
        }
    }
}
