using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations.PostgresTraceViewerDb
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
        /// </summary>
        private static void ConvertFunctionTags(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                INSERT INTO "Taxonomy" ("Name", "Description", "Version", "MultiChoice", "BuiltIn")
                SELECT {Functions}, NULL, 0, TRUE, TRUE
                WHERE NOT EXISTS (SELECT 1 FROM "Taxonomy" WHERE "Name" = {Functions});
                """);
            migrationBuilder.Sql($"""
                INSERT INTO "Tag" ("TaxonomyId", "Name", "Retired")
                SELECT DISTINCT x."Id", e."Name", FALSE
                FROM "Sentence" s
                CROSS JOIN LATERAL regexp_split_to_table(s."FunctionTags", E'\n') AS e("Name")
                JOIN "Taxonomy" x ON x."Name" = {Functions}
                WHERE s."FunctionTags" IS NOT NULL AND e."Name" <> ''
                  AND NOT EXISTS (SELECT 1 FROM "Tag" t WHERE t."TaxonomyId" = x."Id" AND t."Name" = e."Name")
                ORDER BY e."Name";
                """);
            migrationBuilder.Sql($"""
                INSERT INTO "SentenceTag" ("SentenceId", "TagId", "AnnotatorKind", "Annotator", "Note", "CreatedAt", "UpdatedAt")
                SELECT e."SentenceId", t."Id", 'Import',
                       CASE WHEN btrim(d."SourceFormat") = '' THEN 'import' ELSE left(d."SourceFormat", 200) END,
                       NULL, tr."ImportedAt", tr."ImportedAt"
                FROM (
                    SELECT s."Id" AS "SentenceId", p."Name", min(p."Position") AS "Position"
                    FROM "Sentence" s
                    CROSS JOIN LATERAL regexp_split_to_table(s."FunctionTags", E'\n') WITH ORDINALITY AS p("Name", "Position")
                    WHERE s."FunctionTags" IS NOT NULL AND p."Name" <> ''
                    GROUP BY s."Id", p."Name"
                ) e
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
            migrationBuilder.Sql("""ALTER TABLE "Sentence" ADD COLUMN "FunctionTags" text NULL;""");
            migrationBuilder.Sql($"""
                UPDATE "Sentence" s SET "FunctionTags" = f."Tags"
                FROM (
                    SELECT st."SentenceId", string_agg(t."Name", E'\n' ORDER BY st."Id") AS "Tags"
                    FROM "SentenceTag" st
                    JOIN "Tag" t ON t."Id" = st."TagId"
                    JOIN "Taxonomy" x ON x."Id" = t."TaxonomyId"
                    WHERE st."AnnotatorKind" = 'Import' AND x."Name" = {Functions}
                    GROUP BY st."SentenceId"
                ) f
                WHERE f."SentenceId" = s."Id";
                """);
        }
    }
}
