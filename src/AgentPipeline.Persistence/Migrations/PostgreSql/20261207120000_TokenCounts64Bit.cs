using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// The eight token columns of <c>agent_invocations</c> and <c>agent_steps</c> become
    /// <c>bigint</c>: model SDKs report token counts as 64-bit (<c>long?</c>), and a sum over a long
    /// invocation can pass <see cref="int.MaxValue"/>. One <c>ALTER TABLE</c> per table, so each
    /// table is rewritten once rather than once per column; values are kept.
    /// </summary>
    internal partial class TokenCounts64Bit : Migration
    {
        private static readonly string[] Tables = ["agent_invocations", "agent_steps"];

        private static readonly string[] TokenColumns =
        [
            "input_tokens", "output_tokens", "total_tokens", "input_tokens_no_cache_tokens",
            "input_tokens_cache_read_tokens", "input_tokens_cache_write_tokens",
            "output_tokens_text_tokens", "output_tokens_reasoning_tokens",
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var table in Tables)
            {
                migrationBuilder.Sql(AlterTokenColumns(table, "bigint"));
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in Tables)
            {
                migrationBuilder.Sql(AlterTokenColumns(table, "integer"));
            }
        }

        // Fixed identifiers and one of two fixed type names: no caller input reaches this text.
        private static string AlterTokenColumns(string table, string type) =>
            $"ALTER TABLE agent.{table} " + string.Join(", ", TokenColumns.Select(c => $"ALTER COLUMN {c} TYPE {type}")) + ";";
    }
}
