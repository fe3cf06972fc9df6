using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace TraceViewer.Migrations.PostgresTraceViewerDb
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CachedEmbedding",
                columns: table => new
                {
                    Model = table.Column<string>(type: "text", nullable: false),
                    TextHash = table.Column<string>(type: "text", nullable: false),
                    Dimensions = table.Column<int>(type: "integer", nullable: false),
                    Vector = table.Column<byte[]>(type: "bytea", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CachedEmbedding", x => new { x.Model, x.TextHash });
                });

            migrationBuilder.CreateTable(
                name: "Outcome",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Key = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    RateKey = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Outcome", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Dataset",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Key = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Model = table.Column<string>(type: "text", nullable: false),
                    Kind = table.Column<string>(type: "text", nullable: false),
                    SourceFormat = table.Column<string>(type: "text", nullable: false),
                    Description = table.Column<string>(type: "text", nullable: true),
                    PrimaryOutcomeId = table.Column<int>(type: "integer", nullable: true),
                    Metadata = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Dataset", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Dataset_Outcome_PrimaryOutcomeId",
                        column: x => x.PrimaryOutcomeId,
                        principalTable: "Outcome",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "Trace",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DatasetId = table.Column<int>(type: "integer", nullable: false),
                    ExternalKey = table.Column<string>(type: "text", nullable: false),
                    Title = table.Column<string>(type: "text", nullable: false),
                    Prompt = table.Column<string>(type: "text", nullable: false),
                    SystemPrompt = table.Column<string>(type: "text", nullable: true),
                    UserPrompt = table.Column<string>(type: "text", nullable: true),
                    Response = table.Column<string>(type: "text", nullable: false),
                    Reasoning = table.Column<string>(type: "text", nullable: false),
                    FinalOutput = table.Column<string>(type: "text", nullable: true),
                    Tier = table.Column<string>(type: "text", nullable: true),
                    PromptVariant = table.Column<string>(type: "text", nullable: true),
                    Model = table.Column<string>(type: "text", nullable: false),
                    Temperature = table.Column<double>(type: "double precision", nullable: true),
                    TopP = table.Column<double>(type: "double precision", nullable: true),
                    SourcePath = table.Column<string>(type: "text", nullable: true),
                    SourceFormat = table.Column<string>(type: "text", nullable: false),
                    ContentHash = table.Column<string>(type: "text", nullable: true),
                    HasLabelledResamples = table.Column<bool>(type: "boolean", nullable: false),
                    MaxImportance = table.Column<double>(type: "double precision", nullable: true),
                    SentenceCount = table.Column<int>(type: "integer", nullable: false),
                    ResampleCount = table.Column<int>(type: "integer", nullable: false),
                    Metadata = table.Column<string>(type: "text", nullable: true),
                    ImportedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Trace", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Trace_Dataset_DatasetId",
                        column: x => x.DatasetId,
                        principalTable: "Dataset",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MetricSet",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TraceId = table.Column<int>(type: "integer", nullable: false),
                    OutcomeId = table.Column<int>(type: "integer", nullable: false),
                    Source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    SourceFile = table.Column<string>(type: "text", nullable: true),
                    Threshold = table.Column<double>(type: "double precision", nullable: true),
                    EmbeddingModel = table.Column<string>(type: "text", nullable: true),
                    Alpha = table.Column<double>(type: "double precision", nullable: true),
                    Parameters = table.Column<string>(type: "text", nullable: true),
                    ResampleCount = table.Column<int>(type: "integer", nullable: false),
                    ResampleSetHash = table.Column<string>(type: "text", nullable: true),
                    ComputedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MetricSet", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MetricSet_Outcome_OutcomeId",
                        column: x => x.OutcomeId,
                        principalTable: "Outcome",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_MetricSet_Trace_TraceId",
                        column: x => x.TraceId,
                        principalTable: "Trace",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Resample",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TraceId = table.Column<int>(type: "integer", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    SampleIndex = table.Column<int>(type: "integer", nullable: false),
                    FirstSentence = table.Column<string>(type: "text", nullable: true),
                    Continuation = table.Column<string>(type: "text", nullable: true),
                    FinalOutput = table.Column<string>(type: "text", nullable: true),
                    Answer = table.Column<string>(type: "text", nullable: true),
                    Error = table.Column<string>(type: "text", nullable: true),
                    Origin = table.Column<string>(type: "text", nullable: false),
                    PromptTokens = table.Column<int>(type: "integer", nullable: true),
                    CompletionTokens = table.Column<int>(type: "integer", nullable: true),
                    Metadata = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Resample", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Resample_Trace_TraceId",
                        column: x => x.TraceId,
                        principalTable: "Trace",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Sentence",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TraceId = table.Column<int>(type: "integer", nullable: false),
                    Index = table.Column<int>(type: "integer", nullable: false),
                    Text = table.Column<string>(type: "text", nullable: false),
                    Separator = table.Column<string>(type: "text", nullable: false),
                    Start = table.Column<int>(type: "integer", nullable: false),
                    End = table.Column<int>(type: "integer", nullable: false),
                    FunctionTags = table.Column<string>(type: "text", nullable: true),
                    DependsOn = table.Column<string>(type: "text", nullable: true),
                    Summary = table.Column<string>(type: "text", nullable: true),
                    Metadata = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Sentence", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Sentence_Trace_TraceId",
                        column: x => x.TraceId,
                        principalTable: "Trace",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SentenceLink",
                columns: table => new
                {
                    TraceId = table.Column<int>(type: "integer", nullable: false),
                    Kind = table.Column<string>(type: "text", nullable: false),
                    SourceIndex = table.Column<int>(type: "integer", nullable: false),
                    TargetIndex = table.Column<int>(type: "integer", nullable: false),
                    Score = table.Column<double>(type: "double precision", nullable: false)
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

            migrationBuilder.CreateTable(
                name: "TraceLabel",
                columns: table => new
                {
                    TraceId = table.Column<int>(type: "integer", nullable: false),
                    OutcomeId = table.Column<int>(type: "integer", nullable: false),
                    Value = table.Column<string>(type: "text", nullable: true),
                    IsPositive = table.Column<bool>(type: "boolean", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TraceLabel", x => new { x.TraceId, x.OutcomeId });
                    table.ForeignKey(
                        name: "FK_TraceLabel_Outcome_OutcomeId",
                        column: x => x.OutcomeId,
                        principalTable: "Outcome",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_TraceLabel_Trace_TraceId",
                        column: x => x.TraceId,
                        principalTable: "Trace",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SentenceMetric",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    MetricSetId = table.Column<int>(type: "integer", nullable: false),
                    SentenceIndex = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    SourceKey = table.Column<string>(type: "text", nullable: true),
                    Negated = table.Column<bool>(type: "boolean", nullable: false),
                    Value = table.Column<double>(type: "double precision", nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: true),
                    Successes = table.Column<int>(type: "integer", nullable: true),
                    Low = table.Column<double>(type: "double precision", nullable: true),
                    High = table.Column<double>(type: "double precision", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SentenceMetric", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SentenceMetric_MetricSet_MetricSetId",
                        column: x => x.MetricSetId,
                        principalTable: "MetricSet",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "JudgeLabel",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TraceId = table.Column<int>(type: "integer", nullable: true),
                    ResampleId = table.Column<long>(type: "bigint", nullable: true),
                    OutcomeId = table.Column<int>(type: "integer", nullable: false),
                    Classifier = table.Column<string>(type: "text", nullable: false),
                    Version = table.Column<string>(type: "text", nullable: true),
                    PromptHash = table.Column<string>(type: "text", nullable: true),
                    Score = table.Column<double>(type: "double precision", nullable: true),
                    Threshold = table.Column<double>(type: "double precision", nullable: true),
                    Label = table.Column<bool>(type: "boolean", nullable: true),
                    Votes = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_JudgeLabel", x => x.Id);
                    table.ForeignKey(
                        name: "FK_JudgeLabel_Outcome_OutcomeId",
                        column: x => x.OutcomeId,
                        principalTable: "Outcome",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_JudgeLabel_Resample_ResampleId",
                        column: x => x.ResampleId,
                        principalTable: "Resample",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_JudgeLabel_Trace_TraceId",
                        column: x => x.TraceId,
                        principalTable: "Trace",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ResampleLabel",
                columns: table => new
                {
                    ResampleId = table.Column<long>(type: "bigint", nullable: false),
                    OutcomeId = table.Column<int>(type: "integer", nullable: false),
                    Value = table.Column<string>(type: "text", nullable: true),
                    IsPositive = table.Column<bool>(type: "boolean", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ResampleLabel", x => new { x.ResampleId, x.OutcomeId });
                    table.ForeignKey(
                        name: "FK_ResampleLabel_Outcome_OutcomeId",
                        column: x => x.OutcomeId,
                        principalTable: "Outcome",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ResampleLabel_Resample_ResampleId",
                        column: x => x.ResampleId,
                        principalTable: "Resample",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Dataset_Key",
                table: "Dataset",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Dataset_PrimaryOutcomeId",
                table: "Dataset",
                column: "PrimaryOutcomeId");

            migrationBuilder.CreateIndex(
                name: "IX_JudgeLabel_OutcomeId",
                table: "JudgeLabel",
                column: "OutcomeId");

            migrationBuilder.CreateIndex(
                name: "IX_JudgeLabel_ResampleId",
                table: "JudgeLabel",
                column: "ResampleId");

            migrationBuilder.CreateIndex(
                name: "IX_JudgeLabel_TraceId",
                table: "JudgeLabel",
                column: "TraceId");

            migrationBuilder.CreateIndex(
                name: "IX_MetricSet_OutcomeId",
                table: "MetricSet",
                column: "OutcomeId");

            migrationBuilder.CreateIndex(
                name: "IX_MetricSet_TraceId_OutcomeId_Source",
                table: "MetricSet",
                columns: new[] { "TraceId", "OutcomeId", "Source" });

            migrationBuilder.CreateIndex(
                name: "IX_Outcome_Key",
                table: "Outcome",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Resample_TraceId_Position_SampleIndex",
                table: "Resample",
                columns: new[] { "TraceId", "Position", "SampleIndex" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ResampleLabel_OutcomeId",
                table: "ResampleLabel",
                column: "OutcomeId");

            migrationBuilder.CreateIndex(
                name: "IX_Sentence_TraceId_Index",
                table: "Sentence",
                columns: new[] { "TraceId", "Index" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SentenceMetric_MetricSetId_SentenceIndex_Name",
                table: "SentenceMetric",
                columns: new[] { "MetricSetId", "SentenceIndex", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Trace_DatasetId_ExternalKey",
                table: "Trace",
                columns: new[] { "DatasetId", "ExternalKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Trace_MaxImportance",
                table: "Trace",
                column: "MaxImportance");

            migrationBuilder.CreateIndex(
                name: "IX_Trace_Model",
                table: "Trace",
                column: "Model");

            migrationBuilder.CreateIndex(
                name: "IX_TraceLabel_OutcomeId_IsPositive",
                table: "TraceLabel",
                columns: new[] { "OutcomeId", "IsPositive" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CachedEmbedding");

            migrationBuilder.DropTable(
                name: "JudgeLabel");

            migrationBuilder.DropTable(
                name: "ResampleLabel");

            migrationBuilder.DropTable(
                name: "Sentence");

            migrationBuilder.DropTable(
                name: "SentenceLink");

            migrationBuilder.DropTable(
                name: "SentenceMetric");

            migrationBuilder.DropTable(
                name: "TraceLabel");

            migrationBuilder.DropTable(
                name: "Resample");

            migrationBuilder.DropTable(
                name: "MetricSet");

            migrationBuilder.DropTable(
                name: "Trace");

            migrationBuilder.DropTable(
                name: "Dataset");

            migrationBuilder.DropTable(
                name: "Outcome");
        }
    }
}
