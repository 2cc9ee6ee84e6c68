using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.Sqlite
{
    /// <summary><c>run_contents</c>: the pieces of large values stored once per run (docs/storage.md).</summary>
    internal partial class SharedRunContents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "run_contents",
                columns: table => new
                {
                    run_id = table.Column<string>(type: "TEXT", nullable: false),
                    hash = table.Column<string>(type: "TEXT", nullable: false),
                    body = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_contents", x => new { x.run_id, x.hash });
                    table.ForeignKey(
                        name: "FK_run_contents_feature_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "feature_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "run_contents");
        }
    }
}
