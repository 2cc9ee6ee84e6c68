using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    internal partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "sandboxes",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    run_id = table.Column<string>(type: "TEXT", nullable: true),
                    status = table.Column<string>(type: "text", nullable: false),
                    runtime = table.Column<string>(type: "TEXT", nullable: true),
                    memory = table.Column<int>(type: "INTEGER", nullable: true),
                    vcpus = table.Column<int>(type: "INTEGER", nullable: true),
                    region = table.Column<string>(type: "TEXT", nullable: true),
                    cwd = table.Column<string>(type: "TEXT", nullable: true),
                    timeout = table.Column<int>(type: "INTEGER", nullable: true),
                    network_policy = table.Column<string>(type: "TEXT", nullable: true),
                    interactive_port = table.Column<int>(type: "INTEGER", nullable: true),
                    routes = table.Column<string>(type: "TEXT", nullable: true),
                    source_snapshot_id = table.Column<string>(type: "TEXT", nullable: true),
                    source_type = table.Column<string>(type: "text", nullable: true),
                    source_url = table.Column<string>(type: "TEXT", nullable: true),
                    source_revision = table.Column<string>(type: "TEXT", nullable: true),
                    source_depth = table.Column<int>(type: "INTEGER", nullable: true),
                    requested_at = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<string>(type: "TEXT", nullable: false),
                    started_at = table.Column<string>(type: "TEXT", nullable: true),
                    requested_stop_at = table.Column<string>(type: "TEXT", nullable: true),
                    stopped_at = table.Column<string>(type: "TEXT", nullable: true),
                    aborted_at = table.Column<string>(type: "TEXT", nullable: true),
                    snapshotted_at = table.Column<string>(type: "TEXT", nullable: true),
                    duration = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sandboxes", x => x.id);
                    table.CheckConstraint("ck_sandboxes_network_policy_json", "network_policy IS NULL OR json_valid(network_policy)");
                    table.CheckConstraint("ck_sandboxes_routes_json", "routes IS NULL OR json_valid(routes)");
                    table.CheckConstraint("ck_sandboxes_source_type", "source_type IN ('git', 'tarball', 'snapshot', 'empty')");
                    table.CheckConstraint("ck_sandboxes_status", "status IN ('pending', 'running', 'stopping', 'stopped', 'failed', 'aborted', 'snapshotting')");
                });

            migrationBuilder.CreateTable(
                name: "feature_runs",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    prompt = table.Column<string>(type: "TEXT", nullable: false),
                    sandbox_id = table.Column<string>(type: "TEXT", nullable: true),
                    github_repo_url = table.Column<string>(type: "TEXT", nullable: true),
                    github_branch = table.Column<string>(type: "TEXT", nullable: true),
                    current_phase = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<string>(type: "TEXT", nullable: false),
                    completed_at = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feature_runs", x => x.id);
                    table.CheckConstraint("ck_feature_runs_current_phase", "current_phase IN ('analysis', 'approaches', 'judging', 'implementation', 'pr', 'completed', 'failed')");
                    table.ForeignKey(
                        name: "FK_feature_runs_sandboxes_sandbox_id",
                        column: x => x.sandbox_id,
                        principalTable: "sandboxes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "sandbox_snapshots",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    sandbox_id = table.Column<string>(type: "TEXT", nullable: false),
                    run_id = table.Column<string>(type: "TEXT", nullable: true),
                    status = table.Column<string>(type: "text", nullable: false),
                    size_bytes = table.Column<long>(type: "INTEGER", nullable: true),
                    region = table.Column<string>(type: "TEXT", nullable: true),
                    expires_at = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sandbox_snapshots", x => x.id);
                    table.CheckConstraint("ck_sandbox_snapshots_status", "status IN ('created', 'deleted', 'failed')");
                    table.ForeignKey(
                        name: "FK_sandbox_snapshots_sandboxes_sandbox_id",
                        column: x => x.sandbox_id,
                        principalTable: "sandboxes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "phase_results",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    run_id = table.Column<string>(type: "TEXT", nullable: false),
                    phase = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false),
                    output = table.Column<string>(type: "TEXT", nullable: true),
                    started_at = table.Column<string>(type: "TEXT", nullable: false),
                    completed_at = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_phase_results", x => x.id);
                    table.CheckConstraint("ck_phase_results_output_json", "output IS NULL OR json_valid(output)");
                    table.CheckConstraint("ck_phase_results_phase", "phase IN ('analysis', 'approaches', 'judging', 'implementation', 'pr', 'completed', 'failed')");
                    table.CheckConstraint("ck_phase_results_status", "status IN ('running', 'passed', 'failed')");
                    table.ForeignKey(
                        name: "FK_phase_results_feature_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "feature_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "agent_invocations",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    run_id = table.Column<string>(type: "TEXT", nullable: false),
                    phase_result_id = table.Column<string>(type: "TEXT", nullable: false),
                    parent_invocation_id = table.Column<string>(type: "TEXT", nullable: true),
                    agent_type = table.Column<string>(type: "text", nullable: false),
                    model_provider = table.Column<string>(type: "TEXT", nullable: true),
                    model_id = table.Column<string>(type: "TEXT", nullable: true),
                    system_prompt = table.Column<string>(type: "TEXT", nullable: true),
                    input_messages = table.Column<string>(type: "TEXT", nullable: true),
                    finish_reason = table.Column<string>(type: "text", nullable: true),
                    raw_finish_reason = table.Column<string>(type: "TEXT", nullable: true),
                    output_text = table.Column<string>(type: "TEXT", nullable: true),
                    output_reasoning_text = table.Column<string>(type: "TEXT", nullable: true),
                    output_reasoning = table.Column<string>(type: "TEXT", nullable: true),
                    output_content = table.Column<string>(type: "TEXT", nullable: true),
                    output_files = table.Column<string>(type: "TEXT", nullable: true),
                    output_sources = table.Column<string>(type: "TEXT", nullable: true),
                    response_messages = table.Column<string>(type: "TEXT", nullable: true),
                    response_id = table.Column<string>(type: "TEXT", nullable: true),
                    response_model_id = table.Column<string>(type: "TEXT", nullable: true),
                    response_headers = table.Column<string>(type: "TEXT", nullable: true),
                    response_body = table.Column<string>(type: "TEXT", nullable: true),
                    response_timestamp = table.Column<string>(type: "TEXT", nullable: true),
                    provider_metadata = table.Column<string>(type: "TEXT", nullable: true),
                    warnings = table.Column<string>(type: "TEXT", nullable: true),
                    request_body = table.Column<string>(type: "TEXT", nullable: true),
                    step_count = table.Column<int>(type: "INTEGER", nullable: true),
                    input_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    output_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    total_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    input_tokens_no_cache_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    input_tokens_cache_read_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    input_tokens_cache_write_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    output_tokens_text_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    output_tokens_reasoning_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    usage_raw = table.Column<string>(type: "TEXT", nullable: true),
                    started_at = table.Column<string>(type: "TEXT", nullable: false),
                    completed_at = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agent_invocations", x => x.id);
                    table.CheckConstraint("ck_agent_invocations_agent_type", "agent_type IN ('orchestrator', 'explorer', 'coder', 'judge', 'meta_judge')");
                    table.CheckConstraint("ck_agent_invocations_finish_reason", "finish_reason IN ('stop', 'length', 'content-filter', 'tool-calls', 'error', 'other')");
                    table.CheckConstraint("ck_agent_invocations_input_messages_json", "input_messages IS NULL OR json_valid(input_messages)");
                    table.CheckConstraint("ck_agent_invocations_output_content_json", "output_content IS NULL OR json_valid(output_content)");
                    table.CheckConstraint("ck_agent_invocations_output_files_json", "output_files IS NULL OR json_valid(output_files)");
                    table.CheckConstraint("ck_agent_invocations_output_reasoning_json", "output_reasoning IS NULL OR json_valid(output_reasoning)");
                    table.CheckConstraint("ck_agent_invocations_output_sources_json", "output_sources IS NULL OR json_valid(output_sources)");
                    table.CheckConstraint("ck_agent_invocations_provider_metadata_json", "provider_metadata IS NULL OR json_valid(provider_metadata)");
                    table.CheckConstraint("ck_agent_invocations_request_body_json", "request_body IS NULL OR json_valid(request_body)");
                    table.CheckConstraint("ck_agent_invocations_response_body_json", "response_body IS NULL OR json_valid(response_body)");
                    table.CheckConstraint("ck_agent_invocations_response_headers_json", "response_headers IS NULL OR json_valid(response_headers)");
                    table.CheckConstraint("ck_agent_invocations_response_messages_json", "response_messages IS NULL OR json_valid(response_messages)");
                    table.CheckConstraint("ck_agent_invocations_usage_raw_json", "usage_raw IS NULL OR json_valid(usage_raw)");
                    table.CheckConstraint("ck_agent_invocations_warnings_json", "warnings IS NULL OR json_valid(warnings)");
                    table.ForeignKey(
                        name: "FK_agent_invocations_agent_invocations_parent_invocation_id",
                        column: x => x.parent_invocation_id,
                        principalTable: "agent_invocations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_agent_invocations_feature_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "feature_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_agent_invocations_phase_results_phase_result_id",
                        column: x => x.phase_result_id,
                        principalTable: "phase_results",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "agent_steps",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    run_id = table.Column<string>(type: "TEXT", nullable: false),
                    invocation_id = table.Column<string>(type: "TEXT", nullable: false),
                    step_number = table.Column<int>(type: "INTEGER", nullable: false),
                    model_provider = table.Column<string>(type: "TEXT", nullable: true),
                    model_id = table.Column<string>(type: "TEXT", nullable: true),
                    function_id = table.Column<string>(type: "TEXT", nullable: true),
                    metadata = table.Column<string>(type: "TEXT", nullable: true),
                    text = table.Column<string>(type: "TEXT", nullable: true),
                    reasoning_text = table.Column<string>(type: "TEXT", nullable: true),
                    reasoning = table.Column<string>(type: "TEXT", nullable: true),
                    content = table.Column<string>(type: "TEXT", nullable: true),
                    files = table.Column<string>(type: "TEXT", nullable: true),
                    sources = table.Column<string>(type: "TEXT", nullable: true),
                    finish_reason = table.Column<string>(type: "text", nullable: true),
                    raw_finish_reason = table.Column<string>(type: "TEXT", nullable: true),
                    input_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    output_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    total_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    input_tokens_no_cache_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    input_tokens_cache_read_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    input_tokens_cache_write_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    output_tokens_text_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    output_tokens_reasoning_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    usage_raw = table.Column<string>(type: "TEXT", nullable: true),
                    warnings = table.Column<string>(type: "TEXT", nullable: true),
                    request_body = table.Column<string>(type: "TEXT", nullable: true),
                    response_id = table.Column<string>(type: "TEXT", nullable: true),
                    response_model_id = table.Column<string>(type: "TEXT", nullable: true),
                    response_headers = table.Column<string>(type: "TEXT", nullable: true),
                    response_body = table.Column<string>(type: "TEXT", nullable: true),
                    response_timestamp = table.Column<string>(type: "TEXT", nullable: true),
                    provider_metadata = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agent_steps", x => x.id);
                    table.CheckConstraint("ck_agent_steps_content_json", "content IS NULL OR json_valid(content)");
                    table.CheckConstraint("ck_agent_steps_files_json", "files IS NULL OR json_valid(files)");
                    table.CheckConstraint("ck_agent_steps_finish_reason", "finish_reason IN ('stop', 'length', 'content-filter', 'tool-calls', 'error', 'other')");
                    table.CheckConstraint("ck_agent_steps_metadata_json", "metadata IS NULL OR json_valid(metadata)");
                    table.CheckConstraint("ck_agent_steps_provider_metadata_json", "provider_metadata IS NULL OR json_valid(provider_metadata)");
                    table.CheckConstraint("ck_agent_steps_reasoning_json", "reasoning IS NULL OR json_valid(reasoning)");
                    table.CheckConstraint("ck_agent_steps_request_body_json", "request_body IS NULL OR json_valid(request_body)");
                    table.CheckConstraint("ck_agent_steps_response_body_json", "response_body IS NULL OR json_valid(response_body)");
                    table.CheckConstraint("ck_agent_steps_response_headers_json", "response_headers IS NULL OR json_valid(response_headers)");
                    table.CheckConstraint("ck_agent_steps_sources_json", "sources IS NULL OR json_valid(sources)");
                    table.CheckConstraint("ck_agent_steps_usage_raw_json", "usage_raw IS NULL OR json_valid(usage_raw)");
                    table.CheckConstraint("ck_agent_steps_warnings_json", "warnings IS NULL OR json_valid(warnings)");
                    table.ForeignKey(
                        name: "FK_agent_steps_agent_invocations_invocation_id",
                        column: x => x.invocation_id,
                        principalTable: "agent_invocations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_agent_steps_feature_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "feature_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "cta_events",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    run_id = table.Column<string>(type: "TEXT", nullable: false),
                    phase_result_id = table.Column<string>(type: "TEXT", nullable: true),
                    invocation_id = table.Column<string>(type: "TEXT", nullable: true),
                    tool_call_id = table.Column<string>(type: "TEXT", nullable: true),
                    kind = table.Column<string>(type: "text", nullable: false),
                    request_message = table.Column<string>(type: "TEXT", nullable: true),
                    request_prompt = table.Column<string>(type: "TEXT", nullable: true),
                    request_placeholder = table.Column<string>(type: "TEXT", nullable: true),
                    request_options = table.Column<string>(type: "TEXT", nullable: true),
                    response_approved = table.Column<bool>(type: "INTEGER", nullable: true),
                    response_reason = table.Column<string>(type: "TEXT", nullable: true),
                    response_text = table.Column<string>(type: "TEXT", nullable: true),
                    response_selected_id = table.Column<string>(type: "TEXT", nullable: true),
                    requested_at = table.Column<string>(type: "TEXT", nullable: false),
                    responded_at = table.Column<string>(type: "TEXT", nullable: true),
                    timed_out = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cta_events", x => x.id);
                    table.CheckConstraint("ck_cta_events_kind", "kind IN ('approval', 'text', 'choice')");
                    table.CheckConstraint("ck_cta_events_request_options_json", "request_options IS NULL OR json_valid(request_options)");
                    table.ForeignKey(
                        name: "FK_cta_events_agent_invocations_invocation_id",
                        column: x => x.invocation_id,
                        principalTable: "agent_invocations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_cta_events_feature_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "feature_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_cta_events_phase_results_phase_result_id",
                        column: x => x.phase_result_id,
                        principalTable: "phase_results",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "memory_records",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    run_id = table.Column<string>(type: "TEXT", nullable: false),
                    phase_result_id = table.Column<string>(type: "TEXT", nullable: false),
                    invocation_id = table.Column<string>(type: "TEXT", nullable: true),
                    phase = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: false),
                    content = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<string>(type: "TEXT", nullable: false),
                    seq = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memory_records", x => x.id);
                    table.CheckConstraint("ck_memory_records_kind", "kind IN ('insight', 'failure', 'decision', 'constraint')");
                    table.CheckConstraint("ck_memory_records_phase", "phase IN ('analysis', 'approaches', 'judging', 'implementation', 'pr', 'completed', 'failed')");
                    table.ForeignKey(
                        name: "FK_memory_records_agent_invocations_invocation_id",
                        column: x => x.invocation_id,
                        principalTable: "agent_invocations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_memory_records_feature_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "feature_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_memory_records_phase_results_phase_result_id",
                        column: x => x.phase_result_id,
                        principalTable: "phase_results",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "tool_calls",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    run_id = table.Column<string>(type: "TEXT", nullable: false),
                    step_id = table.Column<string>(type: "TEXT", nullable: false),
                    invocation_id = table.Column<string>(type: "TEXT", nullable: false),
                    tool_call_id = table.Column<string>(type: "TEXT", nullable: false),
                    tool_name = table.Column<string>(type: "TEXT", nullable: false),
                    input = table.Column<string>(type: "TEXT", nullable: true),
                    output = table.Column<string>(type: "TEXT", nullable: true),
                    output_type = table.Column<string>(type: "text", nullable: true),
                    is_dynamic = table.Column<bool>(type: "INTEGER", nullable: false),
                    is_invalid = table.Column<bool>(type: "INTEGER", nullable: false),
                    error = table.Column<string>(type: "TEXT", nullable: true),
                    is_preliminary = table.Column<bool>(type: "INTEGER", nullable: false),
                    is_provider_executed = table.Column<bool>(type: "INTEGER", nullable: false),
                    title = table.Column<string>(type: "TEXT", nullable: true),
                    provider_metadata = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tool_calls", x => x.id);
                    table.CheckConstraint("ck_tool_calls_error_json", "error IS NULL OR json_valid(error)");
                    table.CheckConstraint("ck_tool_calls_input_json", "input IS NULL OR json_valid(input)");
                    table.CheckConstraint("ck_tool_calls_output_json", "output IS NULL OR json_valid(output)");
                    table.CheckConstraint("ck_tool_calls_output_type", "output_type IN ('text', 'json', 'execution-denied', 'error-text', 'error-json', 'content')");
                    table.CheckConstraint("ck_tool_calls_provider_metadata_json", "provider_metadata IS NULL OR json_valid(provider_metadata)");
                    table.ForeignKey(
                        name: "FK_tool_calls_agent_invocations_invocation_id",
                        column: x => x.invocation_id,
                        principalTable: "agent_invocations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_tool_calls_agent_steps_step_id",
                        column: x => x.step_id,
                        principalTable: "agent_steps",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_tool_calls_feature_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "feature_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_agent_invocations_parent_invocation_id",
                table: "agent_invocations",
                column: "parent_invocation_id");

            migrationBuilder.CreateIndex(
                name: "IX_agent_invocations_phase_result_id",
                table: "agent_invocations",
                column: "phase_result_id");

            migrationBuilder.CreateIndex(
                name: "IX_agent_invocations_run_id",
                table: "agent_invocations",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "IX_agent_steps_invocation_id_step_number",
                table: "agent_steps",
                columns: new[] { "invocation_id", "step_number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_agent_steps_run_id",
                table: "agent_steps",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "IX_cta_events_invocation_id",
                table: "cta_events",
                column: "invocation_id");

            migrationBuilder.CreateIndex(
                name: "IX_cta_events_phase_result_id",
                table: "cta_events",
                column: "phase_result_id");

            migrationBuilder.CreateIndex(
                name: "IX_cta_events_run_id",
                table: "cta_events",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "IX_feature_runs_created_at",
                table: "feature_runs",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "IX_feature_runs_sandbox_id",
                table: "feature_runs",
                column: "sandbox_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_memory_records_invocation_id",
                table: "memory_records",
                column: "invocation_id");

            migrationBuilder.CreateIndex(
                name: "IX_memory_records_phase_result_id",
                table: "memory_records",
                column: "phase_result_id");

            migrationBuilder.CreateIndex(
                name: "IX_memory_records_run_id_created_at_seq",
                table: "memory_records",
                columns: new[] { "run_id", "created_at", "seq" });

            migrationBuilder.CreateIndex(
                name: "IX_memory_records_seq",
                table: "memory_records",
                column: "seq",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_phase_results_run_id_started_at",
                table: "phase_results",
                columns: new[] { "run_id", "started_at" });

            migrationBuilder.CreateIndex(
                name: "IX_sandbox_snapshots_run_id",
                table: "sandbox_snapshots",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "IX_sandbox_snapshots_sandbox_id",
                table: "sandbox_snapshots",
                column: "sandbox_id");

            migrationBuilder.CreateIndex(
                name: "IX_sandboxes_run_id",
                table: "sandboxes",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "IX_tool_calls_invocation_id",
                table: "tool_calls",
                column: "invocation_id");

            migrationBuilder.CreateIndex(
                name: "IX_tool_calls_run_id",
                table: "tool_calls",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "IX_tool_calls_step_id_tool_call_id",
                table: "tool_calls",
                columns: new[] { "step_id", "tool_call_id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cta_events");

            migrationBuilder.DropTable(
                name: "memory_records");

            migrationBuilder.DropTable(
                name: "sandbox_snapshots");

            migrationBuilder.DropTable(
                name: "tool_calls");

            migrationBuilder.DropTable(
                name: "agent_steps");

            migrationBuilder.DropTable(
                name: "agent_invocations");

            migrationBuilder.DropTable(
                name: "phase_results");

            migrationBuilder.DropTable(
                name: "feature_runs");

            migrationBuilder.DropTable(
                name: "sandboxes");
        }
    }
}
