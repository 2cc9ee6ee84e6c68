using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.Sqlite
{
    /// <summary>
    /// Indexes for the reads (ListFeatureRuns, ListCtaEvents): <c>feature_runs</c> by
    /// <c>(created_at, id)</c> (replacing the index on <c>created_at</c> alone, its prefix), by phase
    /// and by repository each followed by <c>(created_at, id)</c>, a partial index of the runs still
    /// in a working phase, and a partial index of the open CTAs by <c>(requested_at, id)</c>. Each
    /// serves a newest-first (or oldest-first) keyset page as one index range. Only the two small
    /// tables get indexes here, so the migration is quick on a database of millions of steps.
    /// </summary>
    internal partial class ReadIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_feature_runs_created_at",
                table: "feature_runs");

            migrationBuilder.CreateIndex(
                name: "IX_feature_runs_created_at_id",
                table: "feature_runs",
                columns: new[] { "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_feature_runs_current_phase_created_at_id",
                table: "feature_runs",
                columns: new[] { "current_phase", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_feature_runs_github_repo_url_created_at_id",
                table: "feature_runs",
                columns: new[] { "github_repo_url", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_feature_runs_working_created_at_id",
                table: "feature_runs",
                columns: new[] { "created_at", "id" },
                filter: "current_phase NOT IN ('completed', 'failed')");

            migrationBuilder.CreateIndex(
                name: "IX_cta_events_open_requested_at_id",
                table: "cta_events",
                columns: new[] { "requested_at", "id" },
                filter: "responded_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_feature_runs_created_at_id",
                table: "feature_runs");

            migrationBuilder.DropIndex(
                name: "IX_feature_runs_current_phase_created_at_id",
                table: "feature_runs");

            migrationBuilder.DropIndex(
                name: "IX_feature_runs_github_repo_url_created_at_id",
                table: "feature_runs");

            migrationBuilder.DropIndex(
                name: "IX_feature_runs_working_created_at_id",
                table: "feature_runs");

            migrationBuilder.DropIndex(
                name: "IX_cta_events_open_requested_at_id",
                table: "cta_events");

            migrationBuilder.CreateIndex(
                name: "IX_feature_runs_created_at",
                table: "feature_runs",
                column: "created_at");
        }
    }
}
