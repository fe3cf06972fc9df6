using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations
{
    /// <inheritdoc />
    public partial class SearchIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SearchEffect",
                columns: table => new
                {
                    SentenceId = table.Column<int>(type: "INTEGER", nullable: false),
                    OutcomeId = table.Column<int>(type: "INTEGER", nullable: false),
                    TraceId = table.Column<int>(type: "INTEGER", nullable: false),
                    SentenceIndex = table.Column<int>(type: "INTEGER", nullable: false),
                    MetricSetId = table.Column<int>(type: "INTEGER", nullable: false),
                    Directional = table.Column<double>(type: "REAL", nullable: true),
                    Resampling = table.Column<double>(type: "REAL", nullable: true),
                    DirectionalRank = table.Column<double>(type: "REAL", nullable: false),
                    ResamplingRank = table.Column<double>(type: "REAL", nullable: false),
                    KlRank = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SearchEffect", x => new { x.SentenceId, x.OutcomeId });
                    table.ForeignKey(
                        name: "FK_SearchEffect_MetricSet_MetricSetId",
                        column: x => x.MetricSetId,
                        principalTable: "MetricSet",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_SearchEffect_Outcome_OutcomeId",
                        column: x => x.OutcomeId,
                        principalTable: "Outcome",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_SearchEffect_Sentence_SentenceId",
                        column: x => x.SentenceId,
                        principalTable: "Sentence",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SearchEffect_MetricSetId",
                table: "SearchEffect",
                column: "MetricSetId");

            migrationBuilder.CreateIndex(
                name: "IX_SearchEffect_OutcomeId_DirectionalRank_TraceId_SentenceIndex",
                table: "SearchEffect",
                columns: new[] { "OutcomeId", "DirectionalRank", "TraceId", "SentenceIndex" },
                descending: new[] { false, true, false, false });

            migrationBuilder.CreateIndex(
                name: "IX_SearchEffect_OutcomeId_KlRank_TraceId_SentenceIndex",
                table: "SearchEffect",
                columns: new[] { "OutcomeId", "KlRank", "TraceId", "SentenceIndex" },
                descending: new[] { false, true, false, false });

            migrationBuilder.CreateIndex(
                name: "IX_SearchEffect_OutcomeId_ResamplingRank_TraceId_SentenceIndex",
                table: "SearchEffect",
                columns: new[] { "OutcomeId", "ResamplingRank", "TraceId", "SentenceIndex" },
                descending: new[] { false, true, false, false });

            migrationBuilder.CreateIndex(
                name: "IX_SearchEffect_TraceId",
                table: "SearchEffect",
                column: "TraceId");

            // Full-text index over sentence text: an external-content FTS5 table kept in step by triggers, so every
            // writer (import, streaming import, deletes and cascades) keeps it without knowing of it.
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "SentenceText" USING fts5(
                    "Text", content='Sentence', content_rowid='Id', tokenize='unicode61 remove_diacritics 2', prefix='2 3');
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Sentence_SentenceText_Insert" AFTER INSERT ON "Sentence" BEGIN
                    INSERT INTO "SentenceText"(rowid, "Text") VALUES (new."Id", new."Text");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Sentence_SentenceText_Delete" AFTER DELETE ON "Sentence" BEGIN
                    INSERT INTO "SentenceText"("SentenceText", rowid, "Text") VALUES ('delete', old."Id", old."Text");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Sentence_SentenceText_Update" AFTER UPDATE OF "Text" ON "Sentence" BEGIN
                    INSERT INTO "SentenceText"("SentenceText", rowid, "Text") VALUES ('delete', old."Id", old."Text");
                    INSERT INTO "SentenceText"(rowid, "Text") VALUES (new."Id", new."Text");
                END;
                """);
            migrationBuilder.Sql("""INSERT INTO "SentenceText"("SentenceText") VALUES ('rebuild');""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "Sentence_SentenceText_Update";""");
            migrationBuilder.Sql("""DROP TRIGGER "Sentence_SentenceText_Delete";""");
            migrationBuilder.Sql("""DROP TRIGGER "Sentence_SentenceText_Insert";""");
            migrationBuilder.Sql("""DROP TABLE "SentenceText";""");
            migrationBuilder.DropTable(
                name: "SearchEffect");
        }
    }
}
