using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations.PostgresTraceViewerDb
{
    /// <summary>
    /// The sentence's tsvector stored (a generated column) and the full-text GIN index built on it instead of on the
    /// expression, so that a plan walking the sentences checks each against the stored vector instead of parsing its text
    /// again (docs/decisions/0058). PostgreSQL only: SQLite's FTS5 table already keeps its own index. Adding the column
    /// rewrites the table once.
    /// </summary>
    public partial class SentenceSearchVector : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE "Sentence" ADD COLUMN "SearchVector" tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, "Text")) STORED;
                """);
            migrationBuilder.Sql("""DROP INDEX "IX_Sentence_Text_FullText";""");
            migrationBuilder.Sql("""CREATE INDEX "IX_Sentence_Text_FullText" ON "Sentence" USING GIN ("SearchVector");""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_Sentence_Text_FullText";""");
            migrationBuilder.Sql("""ALTER TABLE "Sentence" DROP COLUMN "SearchVector";""");
            migrationBuilder.Sql("""
                CREATE INDEX "IX_Sentence_Text_FullText" ON "Sentence" USING GIN (to_tsvector('simple'::regconfig, "Text"));
                """);
        }
    }
}
