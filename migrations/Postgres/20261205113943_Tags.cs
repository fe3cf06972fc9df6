using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace TraceViewer.Migrations.PostgresTraceViewerDb
{
    /// <inheritdoc />
    public partial class Tags : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Taxonomy",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    MultiChoice = table.Column<bool>(type: "boolean", nullable: false),
                    BuiltIn = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Taxonomy", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Tag",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TaxonomyId = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Colour = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: true),
                    Description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    Hotkey = table.Column<int>(type: "integer", nullable: true),
                    Retired = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Tag", x => x.Id);
                    table.CheckConstraint("CK_Tag_Hotkey", "\"Hotkey\" IS NULL OR (\"Hotkey\" >= 1 AND \"Hotkey\" <= 9)");
                    table.ForeignKey(
                        name: "FK_Tag_Taxonomy_TaxonomyId",
                        column: x => x.TaxonomyId,
                        principalTable: "Taxonomy",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "SentenceTag",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SentenceId = table.Column<int>(type: "integer", nullable: false),
                    TagId = table.Column<int>(type: "integer", nullable: false),
                    AnnotatorKind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Annotator = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Note = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SentenceTag", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SentenceTag_Sentence_SentenceId",
                        column: x => x.SentenceId,
                        principalTable: "Sentence",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_SentenceTag_Tag_TagId",
                        column: x => x.TagId,
                        principalTable: "Tag",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "TagAudit",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ChangeId = table.Column<Guid>(type: "uuid", nullable: false),
                    AnnotatorKind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Annotator = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SentenceId = table.Column<int>(type: "integer", nullable: false),
                    TagId = table.Column<int>(type: "integer", nullable: false),
                    Action = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Before = table.Column<bool>(type: "boolean", nullable: false),
                    After = table.Column<bool>(type: "boolean", nullable: false),
                    NoteBefore = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    NoteAfter = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    UndoneBy = table.Column<Guid>(type: "uuid", nullable: true),
                    IsUndo = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TagAudit", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TagAudit_Tag_TagId",
                        column: x => x.TagId,
                        principalTable: "Tag",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SentenceTag_SentenceId_TagId_AnnotatorKind_Annotator",
                table: "SentenceTag",
                columns: new[] { "SentenceId", "TagId", "AnnotatorKind", "Annotator" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SentenceTag_TagId_SentenceId",
                table: "SentenceTag",
                columns: new[] { "TagId", "SentenceId" });

            migrationBuilder.CreateIndex(
                name: "IX_Tag_TaxonomyId_Hotkey",
                table: "Tag",
                columns: new[] { "TaxonomyId", "Hotkey" },
                unique: true,
                filter: "\"Hotkey\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Tag_TaxonomyId_Name",
                table: "Tag",
                columns: new[] { "TaxonomyId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TagAudit_AnnotatorKind_Annotator_Id",
                table: "TagAudit",
                columns: new[] { "AnnotatorKind", "Annotator", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_TagAudit_ChangeId",
                table: "TagAudit",
                column: "ChangeId");

            migrationBuilder.CreateIndex(
                name: "IX_TagAudit_SentenceId",
                table: "TagAudit",
                column: "SentenceId");

            migrationBuilder.CreateIndex(
                name: "IX_TagAudit_TagId",
                table: "TagAudit",
                column: "TagId");

            migrationBuilder.CreateIndex(
                name: "IX_Taxonomy_Name",
                table: "Taxonomy",
                column: "Name",
                unique: true);

            // Sentence.FunctionTags becomes rows of SentenceTag, then goes (Tags.Conversion.cs).
            ConvertFunctionTags(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The imported function tags go back into Sentence.FunctionTags (Tags.Conversion.cs).
            RestoreFunctionTags(migrationBuilder);

            migrationBuilder.DropTable(
                name: "SentenceTag");

            migrationBuilder.DropTable(
                name: "TagAudit");

            migrationBuilder.DropTable(
                name: "Tag");

            migrationBuilder.DropTable(
                name: "Taxonomy");
        }
    }
}
