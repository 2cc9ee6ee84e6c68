using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    internal partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "agent");

            migrationBuilder.CreateTable(
                name: "sandboxes",
                schema: "agent",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: true),
                    status = table.Column<string>(type: "text", nullable: false),
                    runtime = table.Column<string>(type: "text", nullable: true),
                    memory = table.Column<int>(type: "integer", nullable: true),
                    vcpus = table.Column<int>(type: "integer", nullable: true),
                    region = table.Column<string>(type: "text", nullable: true),
                    cwd = table.Column<string>(type: "text", nullable: true),
                    timeout = table.Column<int>(type: "integer", nullable: true),
                    network_policy = table.Column<string>(type: "jsonb", nullable: true),
                    interactive_port = table.Column<int>(type: "integer", nullable: true),
                    routes = table.Column<string>(type: "jsonb", nullable: true),
                    source_snapshot_id = table.Column<string>(type: "text", nullable: true),
                    source_type = table.Column<string>(type: "text", nullable: true),
                    source_url = table.Column<string>(type: "text", nullable: true),
                    source_revision = table.Column<string>(type: "text", nullable: true),
                    source_depth = table.Column<int>(type: "integer", nullable: true),
                    requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    requested_stop_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    stopped_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    aborted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    snapshotted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    duration = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sandboxes", x => x.id);
                    table.CheckConstraint("ck_sandboxes_source_type", "source_type IN ('git', 'tarball', 'snapshot', 'empty')");
                    table.CheckConstraint("ck_sandboxes_status", "status IN ('pending', 'running', 'stopping', 'stopped', 'failed', 'aborted', 'snapshotting')");
                });

            migrationBuilder.CreateTable(
                name: "feature_runs",
                schema: "agent",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    prompt = table.Column<string>(type: "text", nullable: false),
                    sandbox_id = table.Column<string>(type: "text", nullable: true),
                    github_repo_url = table.Column<string>(type: "text", nullable: true),
                    github_branch = table.Column<string>(type: "text", nullable: true),
                    current_phase = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feature_runs", x => x.id);
                    table.CheckConstraint("ck_feature_runs_current_phase", "current_phase IN ('analysis', 'approaches', 'judging', 'implementation', 'pr', 'completed', 'failed')");
                    table.ForeignKey(
                        name: "FK_feature_runs_sandboxes_sandbox_id",
                        column: x => x.sandbox_id,
                        principalSchema: "agent",
                        principalTable: "sandboxes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "sandbox_snapshots",
                schema: "agent",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    sandbox_id = table.Column<string>(type: "text", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: true),
                    status = table.Column<string>(type: "text", nullable: false),
                    size_bytes = table.Column<long>(type: "bigint", nullable: true),
                    region = table.Column<string>(type: "text", nullable: true),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sandbox_snapshots", x => x.id);
                    table.CheckConstraint("ck_sandbox_snapshots_status", "status IN ('created', 'deleted', 'failed')");
                    table.ForeignKey(
                        name: "FK_sandbox_snapshots_sandboxes_sandbox_id",
                        column: x => x.sandbox_id,
                        principalSchema: "agent",
                        principalTable: "sandboxes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "phase_results",
                schema: "agent",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    phase = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false),
                    output = table.Column<string>(type: "jsonb", nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_phase_results", x => x.id);
                    table.CheckConstraint("ck_phase_results_phase", "phase IN ('analysis', 'approaches', 'judging', 'implementation', 'pr', 'completed', 'failed')");
                    table.CheckConstraint("ck_phase_results_status", "status IN ('running', 'passed', 'failed')");
                    table.ForeignKey(
                        name: "FK_phase_results_feature_runs_run_id",
                        column: x => x.run_id,
                        principalSchema: "agent",
                        principalTable: "feature_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "agent_invocations",
                schema: "agent",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    phase_result_id = table.Column<Guid>(type: "uuid", nullable: false),
                    parent_invocation_id = table.Column<Guid>(type: "uuid", nullable: true),
                    agent_type = table.Column<string>(type: "text", nullable: false),
                    model_provider = table.Column<string>(type: "text", nullable: true),
                    model_id = table.Column<string>(type: "text", nullable: true),
                    system_prompt = table.Column<string>(type: "text", nullable: true),
                    input_messages = table.Column<string>(type: "jsonb", nullable: true),
                    finish_reason = table.Column<string>(type: "text", nullable: true),
                    raw_finish_reason = table.Column<string>(type: "text", nullable: true),
                    output_text = table.Column<string>(type: "text", nullable: true),
                    output_reasoning_text = table.Column<string>(type: "text", nullable: true),
                    output_reasoning = table.Column<string>(type: "jsonb", nullable: true),
                    output_content = table.Column<string>(type: "jsonb", nullable: true),
                    output_files = table.Column<string>(type: "jsonb", nullable: true),
                    output_sources = table.Column<string>(type: "jsonb", nullable: true),
                    response_messages = table.Column<string>(type: "jsonb", nullable: true),
                    response_id = table.Column<string>(type: "text", nullable: true),
                    response_model_id = table.Column<string>(type: "text", nullable: true),
                    response_headers = table.Column<string>(type: "jsonb", nullable: true),
                    response_body = table.Column<string>(type: "jsonb", nullable: true),
                    response_timestamp = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    provider_metadata = table.Column<string>(type: "jsonb", nullable: true),
                    warnings = table.Column<string>(type: "jsonb", nullable: true),
                    request_body = table.Column<string>(type: "jsonb", nullable: true),
                    step_count = table.Column<int>(type: "integer", nullable: true),
                    input_tokens = table.Column<int>(type: "integer", nullable: true),
                    output_tokens = table.Column<int>(type: "integer", nullable: true),
                    total_tokens = table.Column<int>(type: "integer", nullable: true),
                    input_tokens_no_cache_tokens = table.Column<int>(type: "integer", nullable: true),
                    input_tokens_cache_read_tokens = table.Column<int>(type: "integer", nullable: true),
                    input_tokens_cache_write_tokens = table.Column<int>(type: "integer", nullable: true),
                    output_tokens_text_tokens = table.Column<int>(type: "integer", nullable: true),
                    output_tokens_reasoning_tokens = table.Column<int>(type: "integer", nullable: true),
                    usage_raw = table.Column<string>(type: "jsonb", nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agent_invocations", x => x.id);
                    table.CheckConstraint("ck_agent_invocations_agent_type", "agent_type IN ('orchestrator', 'explorer', 'coder', 'judge', 'meta_judge')");
                    table.CheckConstraint("ck_agent_invocations_finish_reason", "finish_reason IN ('stop', 'length', 'content-filter', 'tool-calls', 'error', 'other')");
                    table.ForeignKey(
                        name: "FK_agent_invocations_agent_invocations_parent_invocation_id",
                        column: x => x.parent_invocation_id,
                        principalSchema: "agent",
                        principalTable: "agent_invocations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_agent_invocations_feature_runs_run_id",
                        column: x => x.run_id,
                        principalSchema: "agent",
                        principalTable: "feature_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_agent_invocations_phase_results_phase_result_id",
                        column: x => x.phase_result_id,
                        principalSchema: "agent",
                        principalTable: "phase_results",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "agent_steps",
                schema: "agent",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    invocation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    step_number = table.Column<int>(type: "integer", nullable: false),
                    model_provider = table.Column<string>(type: "text", nullable: true),
                    model_id = table.Column<string>(type: "text", nullable: true),
                    function_id = table.Column<string>(type: "text", nullable: true),
                    metadata = table.Column<string>(type: "jsonb", nullable: true),
                    text = table.Column<string>(type: "text", nullable: true),
                    reasoning_text = table.Column<string>(type: "text", nullable: true),
                    reasoning = table.Column<string>(type: "jsonb", nullable: true),
                    content = table.Column<string>(type: "jsonb", nullable: true),
                    files = table.Column<string>(type: "jsonb", nullable: true),
                    sources = table.Column<string>(type: "jsonb", nullable: true),
                    finish_reason = table.Column<string>(type: "text", nullable: true),
                    raw_finish_reason = table.Column<string>(type: "text", nullable: true),
                    input_tokens = table.Column<int>(type: "integer", nullable: true),
                    output_tokens = table.Column<int>(type: "integer", nullable: true),
                    total_tokens = table.Column<int>(type: "integer", nullable: true),
                    input_tokens_no_cache_tokens = table.Column<int>(type: "integer", nullable: true),
                    input_tokens_cache_read_tokens = table.Column<int>(type: "integer", nullable: true),
                    input_tokens_cache_write_tokens = table.Column<int>(type: "integer", nullable: true),
                    output_tokens_text_tokens = table.Column<int>(type: "integer", nullable: true),
                    output_tokens_reasoning_tokens = table.Column<int>(type: "integer", nullable: true),
                    usage_raw = table.Column<string>(type: "jsonb", nullable: true),
                    warnings = table.Column<string>(type: "jsonb", nullable: true),
                    request_body = table.Column<string>(type: "jsonb", nullable: true),
                    response_id = table.Column<string>(type: "text", nullable: true),
                    response_model_id = table.Column<string>(type: "text", nullable: true),
                    response_headers = table.Column<string>(type: "jsonb", nullable: true),
                    response_body = table.Column<string>(type: "jsonb", nullable: true),
                    response_timestamp = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    provider_metadata = table.Column<string>(type: "jsonb", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agent_steps", x => x.id);
                    table.CheckConstraint("ck_agent_steps_finish_reason", "finish_reason IN ('stop', 'length', 'content-filter', 'tool-calls', 'error', 'other')");
                    table.ForeignKey(
                        name: "FK_agent_steps_agent_invocations_invocation_id",
                        column: x => x.invocation_id,
                        principalSchema: "agent",
                        principalTable: "agent_invocations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_agent_steps_feature_runs_run_id",
                        column: x => x.run_id,
                        principalSchema: "agent",
                        principalTable: "feature_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "cta_events",
                schema: "agent",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    phase_result_id = table.Column<Guid>(type: "uuid", nullable: true),
                    invocation_id = table.Column<Guid>(type: "uuid", nullable: true),
                    tool_call_id = table.Column<string>(type: "text", nullable: true),
                    kind = table.Column<string>(type: "text", nullable: false),
                    request_message = table.Column<string>(type: "text", nullable: true),
                    request_prompt = table.Column<string>(type: "text", nullable: true),
                    request_placeholder = table.Column<string>(type: "text", nullable: true),
                    request_options = table.Column<string>(type: "jsonb", nullable: true),
                    response_approved = table.Column<bool>(type: "boolean", nullable: true),
                    response_reason = table.Column<string>(type: "text", nullable: true),
                    response_text = table.Column<string>(type: "text", nullable: true),
                    response_selected_id = table.Column<string>(type: "text", nullable: true),
                    requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    responded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    timed_out = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cta_events", x => x.id);
                    table.CheckConstraint("ck_cta_events_kind", "kind IN ('approval', 'text', 'choice')");
                    table.ForeignKey(
                        name: "FK_cta_events_agent_invocations_invocation_id",
                        column: x => x.invocation_id,
                        principalSchema: "agent",
                        principalTable: "agent_invocations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_cta_events_feature_runs_run_id",
                        column: x => x.run_id,
                        principalSchema: "agent",
                        principalTable: "feature_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_cta_events_phase_results_phase_result_id",
                        column: x => x.phase_result_id,
                        principalSchema: "agent",
                        principalTable: "phase_results",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "memory_records",
                schema: "agent",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    phase_result_id = table.Column<Guid>(type: "uuid", nullable: false),
                    invocation_id = table.Column<Guid>(type: "uuid", nullable: true),
                    phase = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: false),
                    content = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memory_records", x => x.id);
                    table.CheckConstraint("ck_memory_records_kind", "kind IN ('insight', 'failure', 'decision', 'constraint')");
                    table.CheckConstraint("ck_memory_records_phase", "phase IN ('analysis', 'approaches', 'judging', 'implementation', 'pr', 'completed', 'failed')");
                    table.ForeignKey(
                        name: "FK_memory_records_agent_invocations_invocation_id",
                        column: x => x.invocation_id,
                        principalSchema: "agent",
                        principalTable: "agent_invocations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_memory_records_feature_runs_run_id",
                        column: x => x.run_id,
                        principalSchema: "agent",
                        principalTable: "feature_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_memory_records_phase_results_phase_result_id",
                        column: x => x.phase_result_id,
                        principalSchema: "agent",
                        principalTable: "phase_results",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "tool_calls",
                schema: "agent",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    step_id = table.Column<Guid>(type: "uuid", nullable: false),
                    invocation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tool_call_id = table.Column<string>(type: "text", nullable: false),
                    tool_name = table.Column<string>(type: "text", nullable: false),
                    input = table.Column<string>(type: "jsonb", nullable: true),
                    output = table.Column<string>(type: "jsonb", nullable: true),
                    output_type = table.Column<string>(type: "text", nullable: true),
                    is_dynamic = table.Column<bool>(type: "boolean", nullable: false),
                    is_invalid = table.Column<bool>(type: "boolean", nullable: false),
                    error = table.Column<string>(type: "jsonb", nullable: true),
                    is_preliminary = table.Column<bool>(type: "boolean", nullable: false),
                    is_provider_executed = table.Column<bool>(type: "boolean", nullable: false),
                    title = table.Column<string>(type: "text", nullable: true),
                    provider_metadata = table.Column<string>(type: "jsonb", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tool_calls", x => x.id);
                    table.CheckConstraint("ck_tool_calls_output_type", "output_type IN ('text', 'json', 'execution-denied', 'error-text', 'error-json', 'content')");
                    table.ForeignKey(
                        name: "FK_tool_calls_agent_invocations_invocation_id",
                        column: x => x.invocation_id,
                        principalSchema: "agent",
                        principalTable: "agent_invocations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_tool_calls_agent_steps_step_id",
                        column: x => x.step_id,
                        principalSchema: "agent",
                        principalTable: "agent_steps",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_tool_calls_feature_runs_run_id",
                        column: x => x.run_id,
                        principalSchema: "agent",
                        principalTable: "feature_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_agent_invocations_parent_invocation_id",
                schema: "agent",
                table: "agent_invocations",
                column: "parent_invocation_id");

            migrationBuilder.CreateIndex(
                name: "IX_agent_invocations_phase_result_id",
                schema: "agent",
                table: "agent_invocations",
                column: "phase_result_id");

            migrationBuilder.CreateIndex(
                name: "IX_agent_invocations_run_id",
                schema: "agent",
                table: "agent_invocations",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "IX_agent_steps_invocation_id_step_number",
                schema: "agent",
                table: "agent_steps",
                columns: new[] { "invocation_id", "step_number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_agent_steps_run_id",
                schema: "agent",
                table: "agent_steps",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "IX_cta_events_invocation_id",
                schema: "agent",
                table: "cta_events",
                column: "invocation_id");

            migrationBuilder.CreateIndex(
                name: "IX_cta_events_phase_result_id",
                schema: "agent",
                table: "cta_events",
                column: "phase_result_id");

            migrationBuilder.CreateIndex(
                name: "IX_cta_events_run_id",
                schema: "agent",
                table: "cta_events",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "IX_feature_runs_created_at",
                schema: "agent",
                table: "feature_runs",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "IX_feature_runs_sandbox_id",
                schema: "agent",
                table: "feature_runs",
                column: "sandbox_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_memory_records_invocation_id",
                schema: "agent",
                table: "memory_records",
                column: "invocation_id");

            migrationBuilder.CreateIndex(
                name: "IX_memory_records_phase_result_id",
                schema: "agent",
                table: "memory_records",
                column: "phase_result_id");

            migrationBuilder.CreateIndex(
                name: "IX_memory_records_run_id_created_at_seq",
                schema: "agent",
                table: "memory_records",
                columns: new[] { "run_id", "created_at", "seq" });

            migrationBuilder.CreateIndex(
                name: "IX_memory_records_seq",
                schema: "agent",
                table: "memory_records",
                column: "seq",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_phase_results_run_id_started_at",
                schema: "agent",
                table: "phase_results",
                columns: new[] { "run_id", "started_at" });

            migrationBuilder.CreateIndex(
                name: "IX_sandbox_snapshots_run_id",
                schema: "agent",
                table: "sandbox_snapshots",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "IX_sandbox_snapshots_sandbox_id",
                schema: "agent",
                table: "sandbox_snapshots",
                column: "sandbox_id");

            migrationBuilder.CreateIndex(
                name: "IX_sandboxes_run_id",
                schema: "agent",
                table: "sandboxes",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "IX_tool_calls_invocation_id",
                schema: "agent",
                table: "tool_calls",
                column: "invocation_id");

            migrationBuilder.CreateIndex(
                name: "IX_tool_calls_run_id",
                schema: "agent",
                table: "tool_calls",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "IX_tool_calls_step_id_tool_call_id",
                schema: "agent",
                table: "tool_calls",
                columns: new[] { "step_id", "tool_call_id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cta_events",
                schema: "agent");

            migrationBuilder.DropTable(
                name: "memory_records",
                schema: "agent");

            migrationBuilder.DropTable(
                name: "sandbox_snapshots",
                schema: "agent");

            migrationBuilder.DropTable(
                name: "tool_calls",
                schema: "agent");

            migrationBuilder.DropTable(
                name: "agent_steps",
                schema: "agent");

            migrationBuilder.DropTable(
                name: "agent_invocations",
                schema: "agent");

            migrationBuilder.DropTable(
                name: "phase_results",
                schema: "agent");

            migrationBuilder.DropTable(
                name: "feature_runs",
                schema: "agent");

            migrationBuilder.DropTable(
                name: "sandboxes",
                schema: "agent");
        }
    }
}
