using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// <c>agent_steps.service_tier</c>: the service tier the provider ran a step on (nullable text),
    /// lz4-compressed where the server has lz4, like the other text columns.
    /// </summary>
    internal partial class AgentStepServiceTier : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "service_tier", schema: "agent", table: "agent_steps", type: "text", nullable: true);
            migrationBuilder.Sql(
                "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN " +
                "ALTER TABLE agent.agent_steps ALTER COLUMN service_tier SET COMPRESSION lz4; END IF; END $$;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "service_tier", schema: "agent", table: "agent_steps");
        }
    }
}
