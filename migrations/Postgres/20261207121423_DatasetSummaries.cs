using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations.PostgresTraceViewerDb
{
    /// <inheritdoc />
    public partial class DatasetSummaries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DatasetConditionSummary",
                columns: table => new
                {
                    DatasetId = table.Column<int>(type: "integer", nullable: false),
                    Variant = table.Column<string>(type: "text", nullable: false),
                    Tier = table.Column<string>(type: "text", nullable: false),
                    Traces = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DatasetConditionSummary", x => new { x.DatasetId, x.Variant, x.Tier });
                    table.ForeignKey(
                        name: "FK_DatasetConditionSummary_Dataset_DatasetId",
                        column: x => x.DatasetId,
                        principalTable: "Dataset",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DatasetOutcomeSummary",
                columns: table => new
                {
                    DatasetId = table.Column<int>(type: "integer", nullable: false),
                    OutcomeId = table.Column<int>(type: "integer", nullable: false),
                    TraceLabels = table.Column<int>(type: "integer", nullable: false),
                    MetricSets = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DatasetOutcomeSummary", x => new { x.DatasetId, x.OutcomeId });
                    table.ForeignKey(
                        name: "FK_DatasetOutcomeSummary_Dataset_DatasetId",
                        column: x => x.DatasetId,
                        principalTable: "Dataset",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_DatasetOutcomeSummary_Outcome_OutcomeId",
                        column: x => x.OutcomeId,
                        principalTable: "Outcome",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DatasetSummary",
                columns: table => new
                {
                    DatasetId = table.Column<int>(type: "integer", nullable: false),
                    Traces = table.Column<int>(type: "integer", nullable: false),
                    SentenceTags = table.Column<int>(type: "integer", nullable: false),
                    Verdicts = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DatasetSummary", x => x.DatasetId);
                    table.ForeignKey(
                        name: "FK_DatasetSummary_Dataset_DatasetId",
                        column: x => x.DatasetId,
                        principalTable: "Dataset",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DatasetOutcomeSummary_OutcomeId",
                table: "DatasetOutcomeSummary",
                column: "OutcomeId");

            CreateTriggersAndFill(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            DropTriggers(migrationBuilder);

            migrationBuilder.DropTable(
                name: "DatasetConditionSummary");

            migrationBuilder.DropTable(
                name: "DatasetOutcomeSummary");

            migrationBuilder.DropTable(
                name: "DatasetSummary");
        }
    }
}
