using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations
{
    /// <inheritdoc />
    public partial class TagVotes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "TagVotes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SentenceId = table.Column<int>(type: "INTEGER", nullable: false),
                    TaxonomyId = table.Column<int>(type: "INTEGER", nullable: false),
                    Annotator = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    JobId = table.Column<int>(type: "INTEGER", nullable: true),
                    PromptHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Temperature = table.Column<double>(type: "REAL", nullable: true),
                    Votes = table.Column<string>(type: "TEXT", nullable: false),
                    Tags = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TagVotes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TagVotes_Sentence_SentenceId",
                        column: x => x.SentenceId,
                        principalTable: "Sentence",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_TagVotes_Taxonomy_TaxonomyId",
                        column: x => x.TaxonomyId,
                        principalTable: "Taxonomy",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_TagVotes_JobId",
                table: "TagVotes",
                column: "JobId");

            migrationBuilder.CreateIndex(
                name: "IX_TagVotes_SentenceId_TaxonomyId_Annotator_PromptHash",
                table: "TagVotes",
                columns: new[] { "SentenceId", "TaxonomyId", "Annotator", "PromptHash" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TagVotes_TaxonomyId",
                table: "TagVotes",
                column: "TaxonomyId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "TagVotes");
        }
    }
}
