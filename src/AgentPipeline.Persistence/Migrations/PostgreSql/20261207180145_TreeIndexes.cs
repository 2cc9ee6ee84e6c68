using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// The indexes a run's tree is read through (GetRunTreeAsync; PipelineDbContext.TreeIndexes),
    /// replacing the indexes on <c>run_id</c> alone, their prefix: <c>agent_steps</c> by
    /// <c>(run_id, invocation_id, step_number)</c> and <c>tool_calls</c> by <c>(run_id, created_at,
    /// id)</c>, the orders the tree reads in, so its rows come without a sort. Large values live
    /// apart from the rows here (TOAST), so the small columns are read from the table. Building
    /// them reads both tables once.
    /// </summary>
    internal partial class TreeIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_tool_calls_run_id",
                schema: "agent",
                table: "tool_calls");

            migrationBuilder.DropIndex(
                name: "IX_agent_steps_run_id",
                schema: "agent",
                table: "agent_steps");

            migrationBuilder.CreateIndex(
                name: "IX_tool_calls_tree",
                schema: "agent",
                table: "tool_calls",
                columns: new[] { "run_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_agent_steps_tree",
                schema: "agent",
                table: "agent_steps",
                columns: new[] { "run_id", "invocation_id", "step_number" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_tool_calls_tree",
                schema: "agent",
                table: "tool_calls");

            migrationBuilder.DropIndex(
                name: "IX_agent_steps_tree",
                schema: "agent",
                table: "agent_steps");

            migrationBuilder.CreateIndex(
                name: "IX_tool_calls_run_id",
                schema: "agent",
                table: "tool_calls",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "IX_agent_steps_run_id",
                schema: "agent",
                table: "agent_steps",
                column: "run_id");
        }
    }
}
