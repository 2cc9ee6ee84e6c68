using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// <c>run_contents.body</c> is stored <c>MAIN</c>: a piece is compressed and kept in its row as long as
    /// the row fits in a page, rather than moved to the TOAST table once it passes 2 KB. Reading a long
    /// conversation's request fetches a thousand pieces, and each piece kept out of line costs a lookup in
    /// the TOAST table's index and the fetch of its chunks (docs/storage.md). A catalog change only: rows
    /// stored before keep their storage and read as they did.
    /// </summary>
    internal partial class PieceBodiesKeptInTheRow : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE agent.run_contents ALTER COLUMN body SET STORAGE MAIN;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE agent.run_contents ALTER COLUMN body SET STORAGE EXTENDED;");
        }
    }
}
