using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations.PostgresTraceViewerDb
{
    // The data half of the PackedSentenceLinks migration, kept apart from the generated file so that the migration can be
    // generated again and only the two calls in Up and Down need putting back.
    public partial class PackedSentenceLinks
    {
        /// <summary>
        /// Each (trace, kind, source sentence) of SentenceLink becomes one SentenceLinkRow whose Targets are its links in
        /// ascending target order, each the target's int4send (4 bytes) and the score's float8send (8 bytes): the
        /// big-endian integer and IEEE 754 double that PackedLinks reads, so every score comes over bit for bit.
        /// </summary>
        private static void ConvertLinks(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                INSERT INTO "SentenceLinkRow" ("TraceId", "Kind", "SourceIndex", "Targets")
                SELECT "TraceId", "Kind", "SourceIndex",
                       string_agg(int4send("TargetIndex") || float8send("Score"), ''::bytea ORDER BY "TargetIndex")
                FROM "SentenceLink"
                GROUP BY "TraceId", "Kind", "SourceIndex";
                """);
        }

        /// <summary>
        /// Back to one row per link. PostgreSQL has no cast from a double's bits to the double, so each score is rebuilt
        /// from its sign, exponent and significand; every step is exact (a 52-bit integer times a power of two).
        /// </summary>
        private static void RestoreLinks(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                INSERT INTO "SentenceLink" ("TraceId", "Kind", "SourceIndex", "TargetIndex", "Score")
                SELECT c."TraceId", c."Kind", c."SourceIndex", c."Target",
                       CASE WHEN c."Bits" < 0 THEN -1 ELSE 1 END * CASE
                           WHEN c."Exponent" = 2047 AND c."Significand" = 0 THEN 'Infinity'::float8
                           WHEN c."Exponent" = 2047 THEN 'NaN'::float8
                           WHEN c."Exponent" = 0 THEN c."Significand"::float8 * power(2::float8, -1074)
                           ELSE (1 + c."Significand"::float8 * power(2::float8, -52)) * power(2::float8, c."Exponent" - 1023)
                       END
                FROM (
                    SELECT r."TraceId", r."Kind", r."SourceIndex",
                           ('x' || encode(substring(r."Targets" FROM o + 1 FOR 4), 'hex'))::bit(32)::integer AS "Target",
                           b."Bits", (b."Bits" >> 52) & 2047 AS "Exponent", b."Bits" & 4503599627370495 AS "Significand"
                    FROM "SentenceLinkRow" r
                    CROSS JOIN LATERAL generate_series(0, length(r."Targets") - 12, 12) AS o
                    CROSS JOIN LATERAL (SELECT ('x' || encode(substring(r."Targets" FROM o + 5 FOR 8), 'hex'))::bit(64)::bigint AS "Bits") b
                ) c;
                """);
        }
    }
}
