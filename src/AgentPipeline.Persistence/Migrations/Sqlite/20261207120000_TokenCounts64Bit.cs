using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.Sqlite
{
    /// <summary>
    /// The eight token columns of <c>agent_invocations</c> and <c>agent_steps</c> hold 64-bit
    /// counts (<c>long?</c>). A SQLite <c>INTEGER</c> column already stores any 64-bit integer, so
    /// the tables are unchanged; only the model (this migration's target model and the snapshot)
    /// records the new CLR type. Written by hand as a no-op because EF Core's generated
    /// <c>AlterColumn</c> would rebuild both tables on SQLite for no change in the stored form.
    /// </summary>
    internal partial class TokenCounts64Bit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
