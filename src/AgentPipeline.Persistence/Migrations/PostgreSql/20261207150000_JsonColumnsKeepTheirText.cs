using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentPipeline.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// Every JSON column becomes <c>json</c> instead of <c>jsonb</c>, so that the text a caller
    /// writes is the text read back: <c>jsonb</c> sorts object keys, drops whitespace and rewrites
    /// numbers (<c>-3.128163257315464E-07</c> → <c>-0.0000003128163257315464</c>), and refuses
    /// numbers such as <c>1e200000</c>. Values already stored keep the (normalized) text jsonb gave
    /// them. One <c>ALTER TABLE</c> per table, so each table is rewritten once; a type change resets
    /// a column's compression to the server's default, so each column's setting (lz4 where the
    /// <c>PostgreSqlLz4Compression</c> migration set it) is set again in the same statement, and
    /// the rewritten values are compressed with it. <c>Down</c> converts back to <c>jsonb</c> the
    /// same way (it refuses a stored value jsonb cannot hold, such as <c>1e200000</c>).
    /// </summary>
    public partial class JsonColumnsKeepTheirText : Migration
    {
        private static readonly (string Table, string[] Columns)[] JsonColumns =
        [
            ("sandboxes", ["network_policy", "routes"]),
            ("phase_results", ["output"]),
            ("agent_invocations",
            [
                "input_messages", "output_content", "output_files", "output_reasoning", "output_sources", "provider_metadata",
                "request_body", "response_body", "response_headers", "response_messages", "usage_raw", "warnings",
            ]),
            ("agent_steps",
            [
                "content", "files", "metadata", "provider_metadata", "reasoning", "request_body", "response_body",
                "response_headers", "sources", "usage_raw", "warnings",
            ]),
            ("tool_calls", ["error", "input", "output", "provider_metadata"]),
            ("cta_events", ["request_options"]),
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, columns) in JsonColumns)
            {
                migrationBuilder.Sql(AlterJsonColumns(table, columns, "json"));
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, columns) in JsonColumns)
            {
                migrationBuilder.Sql(AlterJsonColumns(table, columns, "jsonb"));
            }
        }

        /// <summary>
        /// One <c>ALTER TABLE</c> changing <paramref name="columns"/> to <paramref name="type"/>
        /// through their text, each column keeping its compression method (<c>pg_attribute.attcompression</c>,
        /// PostgreSQL 14 and later; before 14 there is no per-column setting to keep). Fixed
        /// identifiers and one of two fixed type names: no caller input reaches this text.
        /// </summary>
        private static string AlterJsonColumns(string table, string[] columns, string type) => $$"""
            DO $$
            DECLARE
                col record;
                parts text[] := '{}';
            BEGIN
                FOR col IN
                    SELECT a.attname, a.attnum
                    FROM pg_attribute a
                    WHERE a.attrelid = 'agent.{{table}}'::regclass AND NOT a.attisdropped
                      AND a.attname = ANY (ARRAY['{{string.Join("', '", columns)}}'])
                    ORDER BY a.attnum
                LOOP
                    parts := parts || format('ALTER COLUMN %I TYPE {{type}} USING %I::text::{{type}}', col.attname, col.attname);
                END LOOP;
                IF current_setting('server_version_num')::int >= 140000 THEN
                    FOR col IN
                        EXECUTE 'SELECT a.attname, a.attcompression::text AS method FROM pg_attribute a
                                 WHERE a.attrelid = $1::regclass AND NOT a.attisdropped AND a.attname = ANY ($2)
                                   AND a.attcompression IN (''l'', ''p'') ORDER BY a.attnum'
                        USING 'agent.{{table}}', ARRAY['{{string.Join("', '", columns)}}']
                    LOOP
                        parts := parts || format('ALTER COLUMN %I SET COMPRESSION %s', col.attname,
                                                 CASE col.method WHEN 'l' THEN 'lz4' ELSE 'pglz' END);
                    END LOOP;
                END IF;
                EXECUTE 'ALTER TABLE agent.{{table}} ' || array_to_string(parts, ', ');
            END
            $$;
            """;
    }
}
