using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TraceViewer.Migrations.PostgresTraceViewerDb
{
    /// <summary>
    /// The trace's tsvector stored (a generated column, filled for the traces already stored as the column is added) and
    /// a GIN index on it, for the trace list's search (docs/decisions/0062): title, prompt as the trace page shows it,
    /// reasoning and final output, weighted for ranking (title A, reasoning and final output B, prompt D). Adding the
    /// column rewrites the table once.
    /// </summary>
    public partial class TraceTextSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE "Trace" ADD COLUMN "SearchVector" tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('simple'::regconfig, coalesce("Title", '')), 'A')
                    || setweight(to_tsvector('simple'::regconfig, coalesce("Reasoning", '')), 'B')
                    || setweight(to_tsvector('simple'::regconfig, coalesce("FinalOutput", '')), 'B')
                    || setweight(to_tsvector('simple'::regconfig,
                        CASE WHEN "Prompt" <> '' THEN "Prompt" ELSE coalesce("SystemPrompt", '') || E'\n' || coalesce("UserPrompt", '') END), 'D')
                ) STORED;
                """);
            migrationBuilder.Sql("""CREATE INDEX "IX_Trace_SearchVector" ON "Trace" USING GIN ("SearchVector");""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_Trace_SearchVector";""");
            migrationBuilder.Sql("""ALTER TABLE "Trace" DROP COLUMN "SearchVector";""");
        }
    }
}
