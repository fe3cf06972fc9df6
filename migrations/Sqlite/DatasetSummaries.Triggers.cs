using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations
{
    // The triggers that keep the dataset summaries (decision 0051) and their first filling, kept apart from the generated
    // file so that the migration can be generated again and only the two calls in Up and Down need putting back.
    public partial class DatasetSummaries
    {
        /// <summary>
        /// One trigger per table and kind of write. A row that is deleted with the rows below it (a trace with its labels,
        /// metric sets, sentences, tags and verdicts; a sentence with its tags) takes their counts away before it goes;
        /// the rows deleted with it then find it gone and change nothing. Counts only ever change by the rows written,
        /// so a write costs a few indexed look-ups whatever the size of the dataset.
        /// </summary>
        private static readonly string[] Triggers =
        [
            """
            CREATE TRIGGER "Dataset_Summary_Insert" AFTER INSERT ON "Dataset" BEGIN
                INSERT INTO "DatasetSummary" ("DatasetId", "Traces", "SentenceTags", "Verdicts") VALUES (NEW."Id", 0, 0, 0);
            END;
            """,
            """
            CREATE TRIGGER "Trace_Summary_Insert" AFTER INSERT ON "Trace" BEGIN
                UPDATE "DatasetSummary" SET "Traces" = "Traces" + 1 WHERE "DatasetId" = NEW."DatasetId";
                INSERT INTO "DatasetConditionSummary" ("DatasetId", "Variant", "Tier", "Traces")
                    SELECT NEW."DatasetId", COALESCE(NEW."PromptVariant", 'default'), NEW."Tier", 1 WHERE NEW."Tier" IS NOT NULL
                    ON CONFLICT ("DatasetId", "Variant", "Tier") DO UPDATE SET "Traces" = "Traces" + 1;
            END;
            """,
            $"""
            CREATE TRIGGER "Trace_Summary_Delete" BEFORE DELETE ON "Trace" BEGIN
                UPDATE "DatasetSummary" SET "Traces" = "Traces" - 1,
                    "SentenceTags" = "SentenceTags" - {TagsOf("OLD")}, "Verdicts" = "Verdicts" - {VerdictsOf("OLD")}
                    WHERE "DatasetId" = OLD."DatasetId";
                {LeaveCondition}
                {LeaveOutcomes}
            END;
            """,
            // A trace moved to another dataset takes its labels, metric sets, tags and verdicts with it.
            $"""
            CREATE TRIGGER "Trace_Summary_Move" AFTER UPDATE OF "DatasetId" ON "Trace" WHEN OLD."DatasetId" <> NEW."DatasetId" BEGIN
                UPDATE "DatasetSummary" SET "Traces" = "Traces" - 1,
                    "SentenceTags" = "SentenceTags" - {TagsOf("NEW")}, "Verdicts" = "Verdicts" - {VerdictsOf("NEW")}
                    WHERE "DatasetId" = OLD."DatasetId";
                UPDATE "DatasetSummary" SET "Traces" = "Traces" + 1,
                    "SentenceTags" = "SentenceTags" + {TagsOf("NEW")}, "Verdicts" = "Verdicts" + {VerdictsOf("NEW")}
                    WHERE "DatasetId" = NEW."DatasetId";
                {LeaveOutcomes}
                INSERT INTO "DatasetOutcomeSummary" ("DatasetId", "OutcomeId", "TraceLabels", "MetricSets")
                    SELECT NEW."DatasetId", u."OutcomeId", SUM(u."Labels"), SUM(u."Sets")
                    FROM (SELECT "OutcomeId", 1 AS "Labels", 0 AS "Sets" FROM "TraceLabel" WHERE "TraceId" = NEW."Id"
                          UNION ALL SELECT "OutcomeId", 0, 1 FROM "MetricSet" WHERE "TraceId" = NEW."Id") AS u
                    WHERE true GROUP BY u."OutcomeId"
                    ON CONFLICT ("DatasetId", "OutcomeId") DO UPDATE SET
                        "TraceLabels" = "TraceLabels" + excluded."TraceLabels", "MetricSets" = "MetricSets" + excluded."MetricSets";
            END;
            """,
            $"""
            CREATE TRIGGER "Trace_Summary_Condition" AFTER UPDATE OF "DatasetId", "Tier", "PromptVariant" ON "Trace"
                WHEN OLD."DatasetId" <> NEW."DatasetId" OR OLD."Tier" IS NOT NEW."Tier"
                    OR COALESCE(OLD."PromptVariant", 'default') <> COALESCE(NEW."PromptVariant", 'default') BEGIN
                {LeaveCondition}
                INSERT INTO "DatasetConditionSummary" ("DatasetId", "Variant", "Tier", "Traces")
                    SELECT NEW."DatasetId", COALESCE(NEW."PromptVariant", 'default'), NEW."Tier", 1 WHERE NEW."Tier" IS NOT NULL
                    ON CONFLICT ("DatasetId", "Variant", "Tier") DO UPDATE SET "Traces" = "Traces" + 1;
            END;
            """,
            .. OutcomeRows("TraceLabel", "TraceLabels"),
            .. OutcomeRows("MetricSet", "MetricSets"),
            $"""
            CREATE TRIGGER "SentenceTag_Summary_Insert" AFTER INSERT ON "SentenceTag" BEGIN
                UPDATE "DatasetSummary" SET "SentenceTags" = "SentenceTags" + 1 WHERE "DatasetId" = {DatasetOfSentence("NEW")};
            END;
            """,
            $"""
            CREATE TRIGGER "SentenceTag_Summary_Delete" AFTER DELETE ON "SentenceTag" BEGIN
                UPDATE "DatasetSummary" SET "SentenceTags" = "SentenceTags" - 1 WHERE "DatasetId" = {DatasetOfSentence("OLD")};
            END;
            """,
            $"""
            CREATE TRIGGER "SentenceTag_Summary_Update" AFTER UPDATE OF "SentenceId" ON "SentenceTag" WHEN OLD."SentenceId" <> NEW."SentenceId" BEGIN
                UPDATE "DatasetSummary" SET "SentenceTags" = "SentenceTags" - 1 WHERE "DatasetId" = {DatasetOfSentence("OLD")};
                UPDATE "DatasetSummary" SET "SentenceTags" = "SentenceTags" + 1 WHERE "DatasetId" = {DatasetOfSentence("NEW")};
            END;
            """,
            """
            CREATE TRIGGER "Sentence_Summary_Delete" BEFORE DELETE ON "Sentence" BEGIN
                UPDATE "DatasetSummary" SET "SentenceTags" = "SentenceTags" - (SELECT COUNT(*) FROM "SentenceTag" WHERE "SentenceId" = OLD."Id")
                    WHERE "DatasetId" = (SELECT "DatasetId" FROM "Trace" WHERE "Id" = OLD."TraceId");
            END;
            """,
            """
            CREATE TRIGGER "Sentence_Summary_Update" AFTER UPDATE OF "TraceId" ON "Sentence" WHEN OLD."TraceId" <> NEW."TraceId" BEGIN
                UPDATE "DatasetSummary" SET "SentenceTags" = "SentenceTags" - (SELECT COUNT(*) FROM "SentenceTag" WHERE "SentenceId" = NEW."Id")
                    WHERE "DatasetId" = (SELECT "DatasetId" FROM "Trace" WHERE "Id" = OLD."TraceId");
                UPDATE "DatasetSummary" SET "SentenceTags" = "SentenceTags" + (SELECT COUNT(*) FROM "SentenceTag" WHERE "SentenceId" = NEW."Id")
                    WHERE "DatasetId" = (SELECT "DatasetId" FROM "Trace" WHERE "Id" = NEW."TraceId");
            END;
            """,
            """
            CREATE TRIGGER "HumanVerdict_Summary_Insert" AFTER INSERT ON "HumanVerdict" BEGIN
                UPDATE "DatasetSummary" SET "Verdicts" = "Verdicts" + 1 WHERE "DatasetId" = (SELECT "DatasetId" FROM "Trace" WHERE "Id" = NEW."TraceId");
            END;
            """,
            """
            CREATE TRIGGER "HumanVerdict_Summary_Delete" AFTER DELETE ON "HumanVerdict" BEGIN
                UPDATE "DatasetSummary" SET "Verdicts" = "Verdicts" - 1 WHERE "DatasetId" = (SELECT "DatasetId" FROM "Trace" WHERE "Id" = OLD."TraceId");
            END;
            """,
            """
            CREATE TRIGGER "HumanVerdict_Summary_Update" AFTER UPDATE OF "TraceId" ON "HumanVerdict" WHEN OLD."TraceId" <> NEW."TraceId" BEGIN
                UPDATE "DatasetSummary" SET "Verdicts" = "Verdicts" - 1 WHERE "DatasetId" = (SELECT "DatasetId" FROM "Trace" WHERE "Id" = OLD."TraceId");
                UPDATE "DatasetSummary" SET "Verdicts" = "Verdicts" + 1 WHERE "DatasetId" = (SELECT "DatasetId" FROM "Trace" WHERE "Id" = NEW."TraceId");
            END;
            """,
        ];

        private static readonly string[] TriggerNames =
        [
            "Dataset_Summary_Insert", "Trace_Summary_Insert", "Trace_Summary_Delete", "Trace_Summary_Move", "Trace_Summary_Condition",
            "TraceLabel_Summary_Insert", "TraceLabel_Summary_Delete", "TraceLabel_Summary_Update",
            "MetricSet_Summary_Insert", "MetricSet_Summary_Delete", "MetricSet_Summary_Update",
            "SentenceTag_Summary_Insert", "SentenceTag_Summary_Delete", "SentenceTag_Summary_Update",
            "Sentence_Summary_Delete", "Sentence_Summary_Update",
            "HumanVerdict_Summary_Insert", "HumanVerdict_Summary_Delete", "HumanVerdict_Summary_Update",
        ];

        private static string TagsOf(string row) =>
            $"""(SELECT COUNT(*) FROM "SentenceTag" st JOIN "Sentence" s ON s."Id" = st."SentenceId" WHERE s."TraceId" = {row}."Id")""";

        private static string VerdictsOf(string row) => $"""(SELECT COUNT(*) FROM "HumanVerdict" WHERE "TraceId" = {row}."Id")""";

        private static string DatasetOfSentence(string row) =>
            $"""(SELECT t."DatasetId" FROM "Sentence" s JOIN "Trace" t ON t."Id" = s."TraceId" WHERE s."Id" = {row}."SentenceId")""";

        /// <summary>The trace (OLD) leaves its condition in OLD's dataset.</summary>
        private const string LeaveCondition = """
            UPDATE "DatasetConditionSummary" SET "Traces" = "Traces" - 1
                    WHERE OLD."Tier" IS NOT NULL AND "DatasetId" = OLD."DatasetId"
                        AND "Variant" = COALESCE(OLD."PromptVariant", 'default') AND "Tier" = OLD."Tier";
                DELETE FROM "DatasetConditionSummary" WHERE "DatasetId" = OLD."DatasetId" AND "Traces" <= 0;
            """;

        /// <summary>The trace's labels and metric sets (still in place, under OLD."Id") leave OLD's dataset.</summary>
        private const string LeaveOutcomes = """
            UPDATE "DatasetOutcomeSummary" SET
                    "TraceLabels" = "TraceLabels" - (SELECT COUNT(*) FROM "TraceLabel" l WHERE l."TraceId" = OLD."Id" AND l."OutcomeId" = "DatasetOutcomeSummary"."OutcomeId"),
                    "MetricSets" = "MetricSets" - (SELECT COUNT(*) FROM "MetricSet" m WHERE m."TraceId" = OLD."Id" AND m."OutcomeId" = "DatasetOutcomeSummary"."OutcomeId")
                    WHERE "DatasetId" = OLD."DatasetId";
                DELETE FROM "DatasetOutcomeSummary" WHERE "DatasetId" = OLD."DatasetId" AND "TraceLabels" <= 0 AND "MetricSets" <= 0;
            """;

        /// <summary>A label or metric set (one row of <paramref name="table"/> for a trace and outcome) counted in <paramref name="column"/>.</summary>
        private static string[] OutcomeRows(string table, string column)
        {
            var (labels, sets) = column == "TraceLabels" ? ("1", "0") : ("0", "1");
            var leave = $"""
                UPDATE "DatasetOutcomeSummary" SET "{column}" = "{column}" - 1
                        WHERE "DatasetId" = (SELECT "DatasetId" FROM "Trace" WHERE "Id" = OLD."TraceId") AND "OutcomeId" = OLD."OutcomeId";
                    DELETE FROM "DatasetOutcomeSummary"
                        WHERE "DatasetId" = (SELECT "DatasetId" FROM "Trace" WHERE "Id" = OLD."TraceId") AND "OutcomeId" = OLD."OutcomeId"
                            AND "TraceLabels" <= 0 AND "MetricSets" <= 0;
                """;
            var join = $"""
                INSERT INTO "DatasetOutcomeSummary" ("DatasetId", "OutcomeId", "TraceLabels", "MetricSets")
                        SELECT t."DatasetId", NEW."OutcomeId", {labels}, {sets} FROM "Trace" t WHERE t."Id" = NEW."TraceId"
                        ON CONFLICT ("DatasetId", "OutcomeId") DO UPDATE SET "{column}" = "{column}" + 1;
                """;
            return
            [
                $"""
                CREATE TRIGGER "{table}_Summary_Insert" AFTER INSERT ON "{table}" BEGIN
                    {join}
                END;
                """,
                $"""
                CREATE TRIGGER "{table}_Summary_Delete" AFTER DELETE ON "{table}" BEGIN
                    {leave}
                END;
                """,
                $"""
                CREATE TRIGGER "{table}_Summary_Update" AFTER UPDATE OF "TraceId", "OutcomeId" ON "{table}"
                    WHEN OLD."TraceId" <> NEW."TraceId" OR OLD."OutcomeId" <> NEW."OutcomeId" BEGIN
                    {leave}
                    {join}
                END;
                """,
            ];
        }

        /// <summary>The summaries of the data already stored, counted from the tables.</summary>
        private static readonly string[] Fill =
        [
            """
            INSERT INTO "DatasetSummary" ("DatasetId", "Traces", "SentenceTags", "Verdicts")
            SELECT d."Id",
                (SELECT COUNT(*) FROM "Trace" t WHERE t."DatasetId" = d."Id"),
                (SELECT COUNT(*) FROM "SentenceTag" st JOIN "Sentence" s ON s."Id" = st."SentenceId" JOIN "Trace" t ON t."Id" = s."TraceId" WHERE t."DatasetId" = d."Id"),
                (SELECT COUNT(*) FROM "HumanVerdict" v JOIN "Trace" t ON t."Id" = v."TraceId" WHERE t."DatasetId" = d."Id")
            FROM "Dataset" d;
            """,
            """
            INSERT INTO "DatasetOutcomeSummary" ("DatasetId", "OutcomeId", "TraceLabels", "MetricSets")
            SELECT t."DatasetId", u."OutcomeId", SUM(u."Labels"), SUM(u."Sets")
            FROM (SELECT "TraceId", "OutcomeId", 1 AS "Labels", 0 AS "Sets" FROM "TraceLabel"
                  UNION ALL SELECT "TraceId", "OutcomeId", 0, 1 FROM "MetricSet") AS u
            JOIN "Trace" t ON t."Id" = u."TraceId"
            GROUP BY t."DatasetId", u."OutcomeId";
            """,
            """
            INSERT INTO "DatasetConditionSummary" ("DatasetId", "Variant", "Tier", "Traces")
            SELECT "DatasetId", COALESCE("PromptVariant", 'default'), "Tier", COUNT(*)
            FROM "Trace" WHERE "Tier" IS NOT NULL
            GROUP BY "DatasetId", COALESCE("PromptVariant", 'default'), "Tier";
            """,
        ];

        /// <summary>Triggers first: on a database other instances write to, they hold the tables until the filling is done.</summary>
        private static void CreateTriggersAndFill(MigrationBuilder migrationBuilder)
        {
            foreach (var sql in Triggers.Concat(Fill))
            {
                migrationBuilder.Sql(sql);
            }
        }

        private static void DropTriggers(MigrationBuilder migrationBuilder)
        {
            foreach (var name in TriggerNames)
            {
                migrationBuilder.Sql($"""DROP TRIGGER "{name}";""");
            }
        }
    }
}
