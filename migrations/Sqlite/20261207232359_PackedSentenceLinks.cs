using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations
{
    /// <inheritdoc />
    public partial class PackedSentenceLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SentenceLinkRow",
                columns: table => new
                {
                    TraceId = table.Column<int>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", nullable: false),
                    SourceIndex = table.Column<int>(type: "INTEGER", nullable: false),
                    Targets = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SentenceLinkRow", x => new { x.TraceId, x.Kind, x.SourceIndex });
                    table.ForeignKey(
                        name: "FK_SentenceLinkRow_Trace_TraceId",
                        column: x => x.TraceId,
                        principalTable: "Trace",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            ConvertLinks(migrationBuilder);

            migrationBuilder.DropTable(
                name: "SentenceLink");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SentenceLink",
                columns: table => new
                {
                    TraceId = table.Column<int>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", nullable: false),
                    SourceIndex = table.Column<int>(type: "INTEGER", nullable: false),
                    TargetIndex = table.Column<int>(type: "INTEGER", nullable: false),
                    Score = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SentenceLink", x => new { x.TraceId, x.Kind, x.SourceIndex, x.TargetIndex });
                    table.ForeignKey(
                        name: "FK_SentenceLink_Trace_TraceId",
                        column: x => x.TraceId,
                        principalTable: "Trace",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            RestoreLinks(migrationBuilder);

            migrationBuilder.DropTable(
                name: "SentenceLinkRow");
        }
    }
}
