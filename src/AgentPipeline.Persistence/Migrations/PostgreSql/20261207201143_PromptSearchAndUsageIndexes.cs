using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// The prompt search's index (ListFeatureRunsAsync, FeatureRunQuery.PromptContains;
    /// Internal/FeatureRunListing) and <c>agent_invocations (started_at, id)</c>, the order
    /// ListInvocationUsageAsync reads a time range in.
    /// <para>
    /// The prompt index is a GIN index of pg_trgm's trigrams on <c>lower(prompt COLLATE "C")</c>,
    /// the expression the search compares with LIKE. pg_trgm is a trusted extension (PostgreSQL 13+):
    /// a user with CREATE on the database may install it. Where the server does not offer it
    /// (<c>pg_available_extensions</c>) or the user may not create it, the migration leaves the index
    /// out, says so in a NOTICE, and the search reads the runs newest first as before; applying this
    /// migration again does not retry (create the extension and index by hand, docs/performance.md).
    /// An existing pg_trgm is used in whatever schema it lives; a new one goes into <c>agent</c>.
    /// Building the index reads <c>feature_runs</c> once.
    /// </para>
    /// </summary>
    internal partial class PromptSearchAndUsageIndexes : Migration
    {
        /// <summary>The index, given the schema of pg_trgm's operator classes (%I).</summary>
        internal const string PromptIndex =
            "CREATE INDEX IF NOT EXISTS \"IX_feature_runs_prompt_trgm\" ON agent.feature_runs USING gin (lower(prompt COLLATE \"C\") %I.gin_trgm_ops)";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_agent_invocations_started_at_id",
                schema: "agent",
                table: "agent_invocations",
                columns: new[] { "started_at", "id" });

            migrationBuilder.Sql($$"""
                DO $$
                DECLARE
                    trgm_schema name;
                BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
                        IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
                            RAISE NOTICE 'pg_trgm is not available on this server: the prompt search of agentpipe reads the runs without an index';
                            RETURN;
                        END IF;
                        BEGIN
                            CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA agent;
                        EXCEPTION WHEN insufficient_privilege THEN
                            RAISE NOTICE 'no right to create extension pg_trgm (%): the prompt search of agentpipe reads the runs without an index', SQLERRM;
                            RETURN;
                        END;
                    END IF;
                    SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
                    EXECUTE format('{{PromptIndex}}', trgm_schema);
                END
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // pg_trgm stays: other users of the database may rely on it.
            migrationBuilder.Sql("DROP INDEX IF EXISTS agent.\"IX_feature_runs_prompt_trgm\";");

            migrationBuilder.DropIndex(
                name: "IX_agent_invocations_started_at_id",
                schema: "agent",
                table: "agent_invocations");
        }
    }
}
