using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// <c>run_contents</c>: the pieces of large values stored once per run (docs/storage.md), their
    /// body (and, as every text column, its hash) lz4-compressed where the server has lz4, and <c>agent.shared_value(run_id, value)</c>,
    /// which gives raw-SQL readers a shared column's whole stored text (any other value as it is).
    /// </summary>
    internal partial class SharedRunContents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "run_contents",
                schema: "agent",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    hash = table.Column<string>(type: "text", nullable: false),
                    body = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_contents", x => new { x.run_id, x.hash });
                    table.ForeignKey(
                        name: "FK_run_contents_feature_runs_run_id",
                        column: x => x.run_id,
                        principalSchema: "agent",
                        principalTable: "feature_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.Sql("""
                DO $$
                BEGIN
                    IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
                        ALTER TABLE agent.run_contents ALTER COLUMN hash SET COMPRESSION lz4, ALTER COLUMN body SET COMPRESSION lz4;
                    END IF;
                END
                $$;
                """);
            migrationBuilder.Sql(SharedValueFunction);
        }

        /// <summary>
        /// The whole stored text of a value in the shared form (docs/storage.md): its parts in
        /// order, each a literal (<c>=</c>), a piece (<c>#</c>) or a block of parts (<c>@</c>) looked up
        /// in the run's <c>run_contents</c>. Any other value (literal, NULL) comes back as it is.
        /// </summary>
        internal const string SharedValueFunction = """
            CREATE OR REPLACE FUNCTION agent.shared_value(p_run uuid, p_value text) RETURNS text
            LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
            SELECT CASE WHEN p_value IS NULL OR left(p_value, 31) <> '{"agentpipe:shared":1,"parts":[' THEN p_value ELSE (
                SELECT string_agg(CASE left(e.v, 1)
                    WHEN '=' THEN substr(e.v, 2)
                    WHEN '#' THEN (SELECT c.body FROM agent.run_contents c WHERE c.run_id = p_run AND c.hash = substr(e.v, 2))
                    ELSE (SELECT string_agg(CASE left(b.v, 1) WHEN '=' THEN substr(b.v, 2)
                                ELSE (SELECT p.body FROM agent.run_contents p WHERE p.run_id = p_run AND p.hash = substr(b.v, 2)) END,
                                '' ORDER BY b.n)
                          FROM agent.run_contents c, json_array_elements_text(c.body::json) WITH ORDINALITY AS b(v, n)
                          WHERE c.run_id = p_run AND c.hash = substr(e.v, 2))
                    END, '' ORDER BY e.n)
                FROM json_array_elements_text(p_value::json -> 'parts') WITH ORDINALITY AS e(v, n)) END
            $fn$;
            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS agent.shared_value(uuid, text);");

            migrationBuilder.DropTable(
                name: "run_contents",
                schema: "agent");
        }
    }
}
