using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// Large values (a step's request and response bodies, content, tool output) are compressed
    /// with lz4 instead of PostgreSQL's default pglz, where the server has lz4 (PostgreSQL 14 and
    /// later, built with it: the Debian/Ubuntu, RDS, Azure and Cloud SQL builds are). pglz was the
    /// largest single function in the server's profile of the group-committed writes (5 % of its
    /// time); with lz4 the benchmark's 16 writers moved 6–13 % more rows per second. Storage only:
    /// the values, their types and every query stay the same. On a server without lz4 this does
    /// nothing and values stay pglz-compressed. Values already stored keep their compression.
    /// </summary>
    internal partial class PostgreSqlLz4Compression : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(SetCompression("lz4"));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(SetCompression("default"));
        }

        /// <summary>
        /// Every text and jsonb column of the pipeline's tables. The method is one of two fixed
        /// words; the identifiers come from the catalog, quoted by <c>format('%I')</c>.
        /// <c>default_toast_compression</c> lists lz4 among its values only when the server was
        /// built with it (and exists from PostgreSQL 14, which added per-column compression).
        /// </summary>
        private static string SetCompression(string method) => $$"""
            DO $$
            DECLARE
                col record;
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_settings
                               WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
                    RETURN;
                END IF;
                FOR col IN
                    SELECT c.relname, a.attname
                    FROM pg_attribute a
                    JOIN pg_class c ON c.oid = a.attrelid
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'agent' AND c.relkind = 'r' AND c.relname <> '__EFMigrationsHistory'
                      AND a.attnum > 0 AND NOT a.attisdropped
                      AND a.atttypid IN ('text'::regtype, 'jsonb'::regtype)
                    ORDER BY c.relname, a.attnum
                LOOP
                    EXECUTE format('ALTER TABLE agent.%I ALTER COLUMN %I SET COMPRESSION {{method}}', col.relname, col.attname);
                END LOOP;
            END
            $$;
            """;
    }
}
