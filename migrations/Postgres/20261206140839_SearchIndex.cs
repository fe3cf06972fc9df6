using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations.PostgresTraceViewerDb
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
                    SentenceId = table.Column<int>(type: "integer", nullable: false),
                    OutcomeId = table.Column<int>(type: "integer", nullable: false),
                    TraceId = table.Column<int>(type: "integer", nullable: false),
                    SentenceIndex = table.Column<int>(type: "integer", nullable: false),
                    MetricSetId = table.Column<int>(type: "integer", nullable: false),
                    Directional = table.Column<double>(type: "double precision", nullable: true),
                    Resampling = table.Column<double>(type: "double precision", nullable: true),
                    DirectionalRank = table.Column<double>(type: "double precision", nullable: false),
                    ResamplingRank = table.Column<double>(type: "double precision", nullable: false),
                    KlRank = table.Column<double>(type: "double precision", nullable: false)
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

            // Full-text index over sentence text: an expression index, so it follows every write by itself. The
            // 'simple' configuration (no stemming, no stop words) matches what SQLite's FTS5 tokenizer does.
            migrationBuilder.Sql("""
                CREATE INDEX "IX_Sentence_Text_FullText" ON "Sentence" USING GIN (to_tsvector('simple'::regconfig, "Text"));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_Sentence_Text_FullText";""");
            migrationBuilder.DropTable(
                name: "SearchEffect");
        }
    }
}
