using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations.PostgresTraceViewerDb
{
    // The triggers that keep the dataset summaries (decision 0051) and their first filling, kept apart from the generated
    // file so that the migration can be generated again and only the two calls in Up and Down need putting back.
    public partial class DatasetSummaries
    {
        /// <summary>
        /// Three functions add to (or take from) the counts of one dataset, and one trigger function per table calls them.
        /// A row that is deleted with the rows below it (a trace with its labels, metric sets, sentences, tags and
        /// verdicts; a sentence with its tags) takes their counts away before it goes; the rows the cascade deletes after
        /// it find it gone and change nothing.
        /// </summary>
        private static readonly string[] Functions =
        [
            """
            CREATE FUNCTION "DatasetSummary_Add"(p_dataset integer, p_traces bigint, p_tags bigint, p_verdicts bigint) RETURNS void
            LANGUAGE sql AS $$
                UPDATE "DatasetSummary" SET "Traces" = "Traces" + p_traces, "SentenceTags" = "SentenceTags" + p_tags,
                    "Verdicts" = "Verdicts" + p_verdicts
                WHERE "DatasetId" = p_dataset;
            $$;
            """,
            """
            CREATE FUNCTION "DatasetOutcomeSummary_Add"(p_dataset integer, p_outcome integer, p_labels bigint, p_sets bigint) RETURNS void
            LANGUAGE plpgsql AS $$
            BEGIN
                IF p_dataset IS NULL OR (p_labels = 0 AND p_sets = 0) THEN
                    RETURN;
                END IF;
                IF p_labels >= 0 AND p_sets >= 0 THEN
                    INSERT INTO "DatasetOutcomeSummary" AS s ("DatasetId", "OutcomeId", "TraceLabels", "MetricSets")
                    VALUES (p_dataset, p_outcome, p_labels, p_sets)
                    ON CONFLICT ("DatasetId", "OutcomeId") DO UPDATE
                        SET "TraceLabels" = s."TraceLabels" + p_labels, "MetricSets" = s."MetricSets" + p_sets;
                ELSE
                    UPDATE "DatasetOutcomeSummary" SET "TraceLabels" = "TraceLabels" + p_labels, "MetricSets" = "MetricSets" + p_sets
                    WHERE "DatasetId" = p_dataset AND "OutcomeId" = p_outcome;
                    DELETE FROM "DatasetOutcomeSummary"
                    WHERE "DatasetId" = p_dataset AND "OutcomeId" = p_outcome AND "TraceLabels" <= 0 AND "MetricSets" <= 0;
                END IF;
            END $$;
            """,
            """
            CREATE FUNCTION "DatasetConditionSummary_Add"(p_dataset integer, p_variant text, p_tier text, p_traces integer) RETURNS void
            LANGUAGE plpgsql AS $$
            BEGIN
                IF p_dataset IS NULL OR p_tier IS NULL THEN
                    RETURN;
                END IF;
                IF p_traces > 0 THEN
                    INSERT INTO "DatasetConditionSummary" AS s ("DatasetId", "Variant", "Tier", "Traces")
                    VALUES (p_dataset, COALESCE(p_variant, 'default'), p_tier, p_traces)
                    ON CONFLICT ("DatasetId", "Variant", "Tier") DO UPDATE SET "Traces" = s."Traces" + p_traces;
                ELSE
                    UPDATE "DatasetConditionSummary" SET "Traces" = "Traces" + p_traces
                    WHERE "DatasetId" = p_dataset AND "Variant" = COALESCE(p_variant, 'default') AND "Tier" = p_tier;
                    DELETE FROM "DatasetConditionSummary"
                    WHERE "DatasetId" = p_dataset AND "Variant" = COALESCE(p_variant, 'default') AND "Tier" = p_tier AND "Traces" <= 0;
                END IF;
            END $$;
            """,
            """
            CREATE FUNCTION "Dataset_Summary"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO "DatasetSummary" ("DatasetId", "Traces", "SentenceTags", "Verdicts") VALUES (NEW."Id", 0, 0, 0);
                RETURN NULL;
            END $$;
            """,
            """
            CREATE FUNCTION "Trace_Summary"() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                tags bigint;
                verdicts bigint;
                r record;
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    PERFORM "DatasetSummary_Add"(NEW."DatasetId", 1, 0, 0);
                    PERFORM "DatasetConditionSummary_Add"(NEW."DatasetId", NEW."PromptVariant", NEW."Tier", 1);
                    RETURN NULL;
                END IF;
                -- Deleted (before the rows below it go) or moved to another dataset: the trace takes its rows' counts along.
                IF TG_OP = 'DELETE' OR OLD."DatasetId" <> NEW."DatasetId" THEN
                    SELECT COUNT(*) INTO tags FROM "SentenceTag" st JOIN "Sentence" s ON s."Id" = st."SentenceId" WHERE s."TraceId" = OLD."Id";
                    SELECT COUNT(*) INTO verdicts FROM "HumanVerdict" WHERE "TraceId" = OLD."Id";
                    PERFORM "DatasetSummary_Add"(OLD."DatasetId", -1, -tags, -verdicts);
                    IF TG_OP = 'UPDATE' THEN
                        PERFORM "DatasetSummary_Add"(NEW."DatasetId", 1, tags, verdicts);
                    END IF;
                    FOR r IN
                        SELECT u."OutcomeId", SUM(u."Labels") AS "Labels", SUM(u."Sets") AS "Sets"
                        FROM (SELECT "OutcomeId", 1 AS "Labels", 0 AS "Sets" FROM "TraceLabel" WHERE "TraceId" = OLD."Id"
                              UNION ALL SELECT "OutcomeId", 0, 1 FROM "MetricSet" WHERE "TraceId" = OLD."Id") AS u
                        GROUP BY u."OutcomeId"
                    LOOP
                        PERFORM "DatasetOutcomeSummary_Add"(OLD."DatasetId", r."OutcomeId", -r."Labels", -r."Sets");
                        IF TG_OP = 'UPDATE' THEN
                            PERFORM "DatasetOutcomeSummary_Add"(NEW."DatasetId", r."OutcomeId", r."Labels", r."Sets");
                        END IF;
                    END LOOP;
                END IF;
                IF TG_OP = 'DELETE' THEN
                    PERFORM "DatasetConditionSummary_Add"(OLD."DatasetId", OLD."PromptVariant", OLD."Tier", -1);
                    RETURN OLD;
                END IF;
                IF OLD."DatasetId" <> NEW."DatasetId" OR OLD."Tier" IS DISTINCT FROM NEW."Tier"
                    OR COALESCE(OLD."PromptVariant", 'default') <> COALESCE(NEW."PromptVariant", 'default') THEN
                    PERFORM "DatasetConditionSummary_Add"(OLD."DatasetId", OLD."PromptVariant", OLD."Tier", -1);
                    PERFORM "DatasetConditionSummary_Add"(NEW."DatasetId", NEW."PromptVariant", NEW."Tier", 1);
                END IF;
                RETURN NULL;
            END $$;
            """,
            // TraceLabel and MetricSet: one row for a trace and an outcome, counted by the table it is in.
            """
            CREATE FUNCTION "TraceOutcome_Summary"() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                labels bigint := CASE WHEN TG_TABLE_NAME = 'TraceLabel' THEN 1 ELSE 0 END;
            BEGIN
                IF TG_OP IN ('DELETE', 'UPDATE') THEN
                    PERFORM "DatasetOutcomeSummary_Add"((SELECT "DatasetId" FROM "Trace" WHERE "Id" = OLD."TraceId"), OLD."OutcomeId", -labels, labels - 1);
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    PERFORM "DatasetOutcomeSummary_Add"((SELECT "DatasetId" FROM "Trace" WHERE "Id" = NEW."TraceId"), NEW."OutcomeId", labels, 1 - labels);
                END IF;
                RETURN NULL;
            END $$;
            """,
            """
            CREATE FUNCTION "SentenceTag_Summary"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('DELETE', 'UPDATE') THEN
                    PERFORM "DatasetSummary_Add"((SELECT t."DatasetId" FROM "Sentence" s JOIN "Trace" t ON t."Id" = s."TraceId" WHERE s."Id" = OLD."SentenceId"), 0, -1, 0);
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    PERFORM "DatasetSummary_Add"((SELECT t."DatasetId" FROM "Sentence" s JOIN "Trace" t ON t."Id" = s."TraceId" WHERE s."Id" = NEW."SentenceId"), 0, 1, 0);
                END IF;
                RETURN NULL;
            END $$;
            """,
            """
            CREATE FUNCTION "Sentence_Summary"() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                tags bigint;
            BEGIN
                SELECT COUNT(*) INTO tags FROM "SentenceTag" WHERE "SentenceId" = OLD."Id";
                IF tags > 0 THEN
                    PERFORM "DatasetSummary_Add"((SELECT "DatasetId" FROM "Trace" WHERE "Id" = OLD."TraceId"), 0, -tags, 0);
                    IF TG_OP = 'UPDATE' THEN
                        PERFORM "DatasetSummary_Add"((SELECT "DatasetId" FROM "Trace" WHERE "Id" = NEW."TraceId"), 0, tags, 0);
                    END IF;
                END IF;
                IF TG_OP = 'DELETE' THEN
                    RETURN OLD;
                END IF;
                RETURN NULL;
            END $$;
            """,
            """
            CREATE FUNCTION "HumanVerdict_Summary"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('DELETE', 'UPDATE') THEN
                    PERFORM "DatasetSummary_Add"((SELECT "DatasetId" FROM "Trace" WHERE "Id" = OLD."TraceId"), 0, 0, -1);
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    PERFORM "DatasetSummary_Add"((SELECT "DatasetId" FROM "Trace" WHERE "Id" = NEW."TraceId"), 0, 0, 1);
                END IF;
                RETURN NULL;
            END $$;
            """,
        ];

        private static readonly string[] Triggers =
        [
            """CREATE TRIGGER "Dataset_Summary_Insert" AFTER INSERT ON "Dataset" FOR EACH ROW EXECUTE FUNCTION "Dataset_Summary"();""",
            """CREATE TRIGGER "Trace_Summary_Insert" AFTER INSERT ON "Trace" FOR EACH ROW EXECUTE FUNCTION "Trace_Summary"();""",
            """
            CREATE TRIGGER "Trace_Summary_Update" AFTER UPDATE OF "DatasetId", "Tier", "PromptVariant" ON "Trace" FOR EACH ROW
            EXECUTE FUNCTION "Trace_Summary"();
            """,
            """CREATE TRIGGER "Trace_Summary_Delete" BEFORE DELETE ON "Trace" FOR EACH ROW EXECUTE FUNCTION "Trace_Summary"();""",
            """CREATE TRIGGER "TraceLabel_Summary" AFTER INSERT OR DELETE ON "TraceLabel" FOR EACH ROW EXECUTE FUNCTION "TraceOutcome_Summary"();""",
            """
            CREATE TRIGGER "TraceLabel_Summary_Update" AFTER UPDATE OF "TraceId", "OutcomeId" ON "TraceLabel" FOR EACH ROW
            WHEN (OLD."TraceId" <> NEW."TraceId" OR OLD."OutcomeId" <> NEW."OutcomeId") EXECUTE FUNCTION "TraceOutcome_Summary"();
            """,
            """CREATE TRIGGER "MetricSet_Summary" AFTER INSERT OR DELETE ON "MetricSet" FOR EACH ROW EXECUTE FUNCTION "TraceOutcome_Summary"();""",
            """
            CREATE TRIGGER "MetricSet_Summary_Update" AFTER UPDATE OF "TraceId", "OutcomeId" ON "MetricSet" FOR EACH ROW
            WHEN (OLD."TraceId" <> NEW."TraceId" OR OLD."OutcomeId" <> NEW."OutcomeId") EXECUTE FUNCTION "TraceOutcome_Summary"();
            """,
            """CREATE TRIGGER "SentenceTag_Summary" AFTER INSERT OR DELETE ON "SentenceTag" FOR EACH ROW EXECUTE FUNCTION "SentenceTag_Summary"();""",
            """
            CREATE TRIGGER "SentenceTag_Summary_Update" AFTER UPDATE OF "SentenceId" ON "SentenceTag" FOR EACH ROW
            WHEN (OLD."SentenceId" <> NEW."SentenceId") EXECUTE FUNCTION "SentenceTag_Summary"();
            """,
            """CREATE TRIGGER "Sentence_Summary_Delete" BEFORE DELETE ON "Sentence" FOR EACH ROW EXECUTE FUNCTION "Sentence_Summary"();""",
            """
            CREATE TRIGGER "Sentence_Summary_Update" AFTER UPDATE OF "TraceId" ON "Sentence" FOR EACH ROW
            WHEN (OLD."TraceId" <> NEW."TraceId") EXECUTE FUNCTION "Sentence_Summary"();
            """,
            """CREATE TRIGGER "HumanVerdict_Summary" AFTER INSERT OR DELETE ON "HumanVerdict" FOR EACH ROW EXECUTE FUNCTION "HumanVerdict_Summary"();""",
            """
            CREATE TRIGGER "HumanVerdict_Summary_Update" AFTER UPDATE OF "TraceId" ON "HumanVerdict" FOR EACH ROW
            WHEN (OLD."TraceId" <> NEW."TraceId") EXECUTE FUNCTION "HumanVerdict_Summary"();
            """,
        ];

        private static readonly (string Name, string Table)[] TriggerNames =
        [
            ("Dataset_Summary_Insert", "Dataset"), ("Trace_Summary_Insert", "Trace"), ("Trace_Summary_Update", "Trace"), ("Trace_Summary_Delete", "Trace"),
            ("TraceLabel_Summary", "TraceLabel"), ("TraceLabel_Summary_Update", "TraceLabel"),
            ("MetricSet_Summary", "MetricSet"), ("MetricSet_Summary_Update", "MetricSet"),
            ("SentenceTag_Summary", "SentenceTag"), ("SentenceTag_Summary_Update", "SentenceTag"),
            ("Sentence_Summary_Delete", "Sentence"), ("Sentence_Summary_Update", "Sentence"),
            ("HumanVerdict_Summary", "HumanVerdict"), ("HumanVerdict_Summary_Update", "HumanVerdict"),
        ];

        private static readonly string[] FunctionNames =
        [
            "Dataset_Summary", "Trace_Summary", "TraceOutcome_Summary", "SentenceTag_Summary", "Sentence_Summary", "HumanVerdict_Summary",
            "DatasetSummary_Add(integer, bigint, bigint, bigint)", "DatasetOutcomeSummary_Add(integer, integer, bigint, bigint)",
            "DatasetConditionSummary_Add(integer, text, text, integer)",
        ];

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

        /// <summary>Triggers first: they lock the tables against other instances' writes until the filling is done.</summary>
        private static void CreateTriggersAndFill(MigrationBuilder migrationBuilder)
        {
            foreach (var sql in Functions.Concat(Triggers).Concat(Fill))
            {
                migrationBuilder.Sql(sql);
            }
        }

        private static void DropTriggers(MigrationBuilder migrationBuilder)
        {
            foreach (var (name, table) in TriggerNames)
            {
                migrationBuilder.Sql($"""DROP TRIGGER "{name}" ON "{table}";""");
            }

            foreach (var name in FunctionNames)
            {
                var (function, arguments) = name.IndexOf('(') is var at and > 0 ? (name[..at], name[at..]) : (name, "()");
                migrationBuilder.Sql($"""DROP FUNCTION "{function}"{arguments};""");
            }
        }
    }
}
