using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// <c>agent.shared_value(run_id, value)</c> follows blocks nested in blocks: the store now groups a
    /// form's blocks (a group is a block whose parts are <c>@</c> references to blocks; docs/storage.md),
    /// so a raw-SQL reader still gets the whole stored text. Values written before read as they did.
    /// </summary>
    internal partial class SharedValueNestedBlocks : Migration
    {
        /// <summary>
        /// A list of parts (a form's <c>parts</c>, or a block's body) put together: a literal (<c>=</c>), a
        /// piece (<c>#</c>) or a block (<c>@</c>, put together the same way) of the run's <c>run_contents</c>.
        /// PL/pgSQL, so that it may call itself.
        /// </summary>
        internal const string SharedPartsFunction = """
            CREATE OR REPLACE FUNCTION agent.shared_parts(p_run uuid, p_parts json) RETURNS text
            LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
            BEGIN
                RETURN (SELECT string_agg(CASE left(e.v, 1)
                        WHEN '=' THEN substr(e.v, 2)
                        WHEN '#' THEN (SELECT c.body FROM agent.run_contents c WHERE c.run_id = p_run AND c.hash = substr(e.v, 2))
                        ELSE (SELECT agent.shared_parts(p_run, c.body::json) FROM agent.run_contents c WHERE c.run_id = p_run AND c.hash = substr(e.v, 2))
                    END, '' ORDER BY e.n)
                    FROM json_array_elements_text(p_parts) WITH ORDINALITY AS e(v, n));
            END
            $fn$;
            """;

        /// <summary>The whole stored text of a value in the shared form; any other value (literal, NULL) as it is.</summary>
        internal const string SharedValueFunction = """
            CREATE OR REPLACE FUNCTION agent.shared_value(p_run uuid, p_value text) RETURNS text
            LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
            SELECT CASE WHEN p_value IS NULL OR left(p_value, 31) <> '{"agentpipe:shared":1,"parts":[' THEN p_value
                ELSE agent.shared_parts(p_run, p_value::json -> 'parts') END
            $fn$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(SharedPartsFunction);
            migrationBuilder.Sql(SharedValueFunction);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(SharedRunContents.SharedValueFunction);
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS agent.shared_parts(uuid, json);");
        }
    }
}
