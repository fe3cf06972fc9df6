using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations
{
    /// <inheritdoc />
    public partial class TagSubmissions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "TagSubmission",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TraceId = table.Column<int>(type: "INTEGER", nullable: false),
                    AnnotatorKind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Annotator = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    SubmittedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TagSubmission", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TagSubmission_Trace_TraceId",
                        column: x => x.TraceId,
                        principalTable: "Trace",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_TagSubmission_TraceId_AnnotatorKind_Annotator",
                table: "TagSubmission",
                columns: new[] { "TraceId", "AnnotatorKind", "Annotator" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "TagSubmission");
        }
    }
}
