using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    internal partial class OpenCtaIndexCovering : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cta_events_open_requested_at_id",
                table: "cta_events");

            migrationBuilder.CreateIndex(
                name: "IX_cta_events_open_requested_at_id",
                table: "cta_events",
                columns: new[] { "requested_at", "id", "timed_out", "response_approved", "response_reason", "response_text", "response_selected_id", "responded_at", "run_id", "phase_result_id", "invocation_id", "tool_call_id", "kind", "request_message", "request_prompt", "request_placeholder", "request_options" },
                filter: "responded_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cta_events_open_requested_at_id",
                table: "cta_events");

            migrationBuilder.CreateIndex(
                name: "IX_cta_events_open_requested_at_id",
                table: "cta_events",
                columns: new[] { "requested_at", "id" },
                filter: "responded_at IS NULL");
        }
    }
}
