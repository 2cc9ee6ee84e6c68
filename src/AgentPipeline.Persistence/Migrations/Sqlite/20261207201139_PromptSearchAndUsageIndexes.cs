using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.Sqlite
{
    /// <summary>
    /// The prompt search's index (ListFeatureRunsAsync, FeatureRunQuery.PromptContains;
    /// Internal/FeatureRunListing) and <c>agent_invocations (started_at, id)</c>, the order
    /// ListInvocationUsageAsync reads a time range in.
    /// <para>
    /// The prompt index is an FTS5 table with the trigram tokenizer, contentless (the prompts stay in
    /// <c>feature_runs</c> alone), whose rowid is that of a row of <c>feature_run_search_rows</c>
    /// naming the run. <c>feature_runs</c> has no integer key of its own, and its implicit rowid may
    /// change in a VACUUM, so the index does not point at it. Triggers keep both in step with every
    /// insert, delete (including a cascade from elsewhere) and change of a prompt; this migration
    /// fills them for the runs already there, reading <c>feature_runs</c> once.
    /// </para>
    /// </summary>
    internal partial class PromptSearchAndUsageIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_agent_invocations_started_at_id",
                table: "agent_invocations",
                columns: new[] { "started_at", "id" });

            migrationBuilder.Sql("CREATE TABLE feature_run_search_rows (id INTEGER PRIMARY KEY, run_id TEXT NOT NULL UNIQUE);");
            migrationBuilder.Sql("CREATE VIRTUAL TABLE feature_run_search USING fts5(prompt, content='', tokenize='trigram');");
            migrationBuilder.Sql("""
                CREATE TRIGGER feature_run_search_insert AFTER INSERT ON feature_runs BEGIN
                    INSERT INTO feature_run_search_rows (run_id) VALUES (new.id);
                    INSERT INTO feature_run_search (rowid, prompt) SELECT id, new.prompt FROM feature_run_search_rows WHERE run_id = new.id;
                END;
                """);
            // A contentless FTS5 table forgets a row through its 'delete' command, given the text it indexed.
            migrationBuilder.Sql("""
                CREATE TRIGGER feature_run_search_delete AFTER DELETE ON feature_runs BEGIN
                    INSERT INTO feature_run_search (feature_run_search, rowid, prompt) SELECT 'delete', id, old.prompt FROM feature_run_search_rows WHERE run_id = old.id;
                    DELETE FROM feature_run_search_rows WHERE run_id = old.id;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER feature_run_search_update AFTER UPDATE OF prompt ON feature_runs BEGIN
                    INSERT INTO feature_run_search (feature_run_search, rowid, prompt) SELECT 'delete', id, old.prompt FROM feature_run_search_rows WHERE run_id = old.id;
                    INSERT INTO feature_run_search (rowid, prompt) SELECT id, new.prompt FROM feature_run_search_rows WHERE run_id = new.id;
                END;
                """);
            migrationBuilder.Sql("INSERT INTO feature_run_search_rows (run_id) SELECT id FROM feature_runs;");
            migrationBuilder.Sql("INSERT INTO feature_run_search (rowid, prompt) SELECT k.id, r.prompt FROM feature_run_search_rows k JOIN feature_runs r ON r.id = k.run_id;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS feature_run_search_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS feature_run_search_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS feature_run_search_insert;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS feature_run_search;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS feature_run_search_rows;");

            migrationBuilder.DropIndex(
                name: "IX_agent_invocations_started_at_id",
                table: "agent_invocations");
        }
    }
}
