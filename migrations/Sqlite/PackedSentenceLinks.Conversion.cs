using System.Linq;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations
{
    // The data half of the PackedSentenceLinks migration, kept apart from the generated file so that the migration can be
    // generated again and only the two calls in Up and Down need putting back.
    public partial class PackedSentenceLinks
    {
        /// <summary>
        /// The powers of two a double can be (2^-1074 to 2^1023), each reached from 1 by doubling or halving, which is
        /// exact: SQLite has no function giving a double's bits, so they are worked out from these.
        /// </summary>
        private const string PowersOfTwo = """
            CREATE TEMP TABLE "PowerOfTwo" ("Exponent" INTEGER PRIMARY KEY, "Value" REAL NOT NULL);
            WITH RECURSIVE
                "Up"("Exponent", "Value") AS (SELECT 0, 1.0 UNION ALL SELECT "Exponent" + 1, "Value" * 2.0 FROM "Up" WHERE "Exponent" < 1023),
                "Down"("Exponent", "Value") AS (SELECT -1, 0.5 UNION ALL SELECT "Exponent" - 1, "Value" / 2.0 FROM "Down" WHERE "Exponent" > -1074)
            INSERT INTO temp."PowerOfTwo" SELECT "Exponent", "Value" FROM "Up" UNION ALL SELECT "Exponent", "Value" FROM "Down";
            CREATE INDEX temp."IX_PowerOfTwo_Value" ON "PowerOfTwo" ("Value");
            """;

        /// <summary>
        /// Each (trace, kind, source sentence) of SentenceLink becomes one SentenceLinkRow whose Targets are its links in
        /// ascending target order: the target as 4 bytes and the score's IEEE 754 bits as 8, big-endian, as PackedLinks
        /// reads them. A score's bits come from exact steps only: its exponent is that of the largest power of two not
        /// above it, its significand (the score over that power, less 1) times 2^52, which is a whole number; below
        /// 2^-1022 (subnormal) the significand is the score times 2^1074. SQLite keeps no negative zero or NaN in a REAL
        /// column, so neither can occur; an infinity gets its bits too. The bits are printed as hexadecimal and unhex
        /// (SQLite 3.41) makes the blob.
        /// </summary>
        private static void ConvertLinks(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(PowersOfTwo);
            migrationBuilder.Sql("""
                INSERT INTO "SentenceLinkRow" ("TraceId", "Kind", "SourceIndex", "Targets")
                SELECT "TraceId", "Kind", "SourceIndex",
                       unhex(group_concat(printf('%08x%08x%08x', "TargetIndex", ("Bits" >> 32) | "Sign", "Bits" & 4294967295), '' ORDER BY "TargetIndex"))
                FROM (
                    SELECT m."TraceId", m."Kind", m."SourceIndex", m."TargetIndex",
                           CASE WHEN m."Score" < 0 THEN 2147483648 ELSE 0 END AS "Sign",
                           CASE
                               WHEN m."Magnitude" = 0 THEN 0
                               WHEN m."Exponent" < -1022 THEN CAST(m."Magnitude" * (SELECT "Value" FROM temp."PowerOfTwo" WHERE "Exponent" = 1023)
                                   * (SELECT "Value" FROM temp."PowerOfTwo" WHERE "Exponent" = 51) AS INTEGER)
                               WHEN m."Magnitude" / p."Value" >= 2.0 THEN 2047 << 52
                               ELSE ((m."Exponent" + 1023) << 52) | CAST((m."Magnitude" / p."Value" - 1.0) * 4503599627370496 AS INTEGER)
                           END AS "Bits"
                    FROM (
                        SELECT l."TraceId", l."Kind", l."SourceIndex", l."TargetIndex", l."Score", abs(l."Score") AS "Magnitude",
                               (SELECT t."Exponent" FROM temp."PowerOfTwo" t WHERE t."Value" <= abs(l."Score") ORDER BY t."Value" DESC LIMIT 1) AS "Exponent"
                        FROM "SentenceLink" l
                    ) m
                    LEFT JOIN temp."PowerOfTwo" p ON p."Exponent" = m."Exponent"
                )
                GROUP BY "TraceId", "Kind", "SourceIndex";
                """);
            migrationBuilder.Sql("""DROP TABLE temp."PowerOfTwo";""");
        }

        /// <summary>
        /// Back to one row per link: each 12-byte entry's hexadecimal digits read as numbers, the score rebuilt from its
        /// sign, exponent and significand by exact steps (a 52-bit integer times powers of two).
        /// </summary>
        private static void RestoreLinks(MigrationBuilder migrationBuilder)
        {
            // The value of hexadecimal digits [from, from + count) of the text "Hex" (upper case, as hex() gives it).
            static string Digits(int from, int count) => string.Join(" | ", Enumerable.Range(0, count).Select(i =>
                $"((instr('0123456789ABCDEF', substr(\"Hex\", {from + i + 1}, 1)) - 1) << {4 * (count - 1 - i)})"));

            migrationBuilder.Sql(PowersOfTwo);
            migrationBuilder.Sql($"""
                WITH RECURSIVE "Entry"("Offset") AS (
                    SELECT 0 UNION ALL SELECT "Offset" + 12 FROM "Entry" WHERE "Offset" + 12 < (SELECT max(length("Targets")) FROM "SentenceLinkRow")
                )
                INSERT INTO "SentenceLink" ("TraceId", "Kind", "SourceIndex", "TargetIndex", "Score")
                SELECT c."TraceId", c."Kind", c."SourceIndex", c."Target",
                       CASE WHEN c."High" >= 2147483648 THEN -1.0 ELSE 1.0 END * CASE
                           WHEN c."Exponent" = 2047 THEN 9e999
                           WHEN c."Exponent" = 0 THEN c."Significand" * (SELECT t."Value" FROM temp."PowerOfTwo" t WHERE t."Exponent" = -1074)
                           ELSE (1.0 + c."Significand" * (SELECT t."Value" FROM temp."PowerOfTwo" t WHERE t."Exponent" = -52))
                               * (SELECT t."Value" FROM temp."PowerOfTwo" t WHERE t."Exponent" = c."Exponent" - 1023)
                       END
                FROM (
                    SELECT "TraceId", "Kind", "SourceIndex", "Target", "High",
                           ("High" >> 20) & 2047 AS "Exponent", (("High" & 1048575) << 32) | "Low" AS "Significand"
                    FROM (
                        SELECT "TraceId", "Kind", "SourceIndex", {Digits(0, 8)} AS "Target", {Digits(8, 8)} AS "High", {Digits(16, 8)} AS "Low"
                        FROM (
                            SELECT r."TraceId", r."Kind", r."SourceIndex", hex(substr(r."Targets", e."Offset" + 1, 12)) AS "Hex"
                            FROM "SentenceLinkRow" r JOIN "Entry" e ON e."Offset" < length(r."Targets")
                        )
                    )
                ) c;
                """);
            migrationBuilder.Sql("""DROP TABLE temp."PowerOfTwo";""");
        }
    }
}
