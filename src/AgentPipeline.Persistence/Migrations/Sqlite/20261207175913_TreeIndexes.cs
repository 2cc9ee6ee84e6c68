using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.Sqlite
{
    /// <summary>
    /// The indexes a run's tree is read through (GetRunTreeAsync; PipelineDbContext.TreeIndexes),
    /// replacing the indexes on <c>run_id</c> alone, their prefix: <c>agent_steps</c> by
    /// <c>(run_id, invocation_id, step_number)</c> and <c>tool_calls</c> by <c>(run_id, created_at,
    /// id)</c>, the orders the tree reads in, each followed by the other columns a tree without
    /// content reads, so SQLite answers from the index and never walks a large value's overflow
    /// pages to reach the small columns stored after it. Building them reads both tables once.
    /// </summary>
    internal partial class TreeIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_tool_calls_run_id",
                table: "tool_calls");

            migrationBuilder.DropIndex(
                name: "IX_agent_steps_run_id",
                table: "agent_steps");

            migrationBuilder.CreateIndex(
                name: "IX_tool_calls_tree",
                table: "tool_calls",
                columns: new[] { "run_id", "created_at", "id", "invocation_id", "step_id", "tool_call_id", "tool_name", "output_type", "is_dynamic", "is_invalid", "is_preliminary", "is_provider_executed", "title" });

            migrationBuilder.CreateIndex(
                name: "IX_agent_steps_tree",
                table: "agent_steps",
                columns: new[] { "run_id", "invocation_id", "step_number", "created_at", "id", "model_provider", "model_id", "function_id", "metadata", "finish_reason", "raw_finish_reason", "input_tokens", "output_tokens", "total_tokens", "input_tokens_no_cache_tokens", "input_tokens_cache_read_tokens", "input_tokens_cache_write_tokens", "output_tokens_text_tokens", "output_tokens_reasoning_tokens", "warnings", "response_id", "response_model_id", "response_timestamp" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_tool_calls_tree",
                table: "tool_calls");

            migrationBuilder.DropIndex(
                name: "IX_agent_steps_tree",
                table: "agent_steps");

            migrationBuilder.CreateIndex(
                name: "IX_tool_calls_run_id",
                table: "tool_calls",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "IX_agent_steps_run_id",
                table: "agent_steps",
                column: "run_id");
        }
    }
}
