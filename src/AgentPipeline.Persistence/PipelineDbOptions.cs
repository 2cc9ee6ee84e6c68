namespace AgentPipeline.Persistence;

/// <summary>How to open a <see cref="PipelineDb"/>.</summary>
public sealed partial class PipelineDbOptions
{
    /// <summary>The provider; set by <see cref="UseSqlite"/> or <see cref="UsePostgreSql"/>.</summary>
    public PipelineProvider Provider { get; set; } = PipelineProvider.Sqlite;

    /// <summary>A SQLite connection string (<c>Data Source=…</c>) or an Npgsql connection string.</summary>
    public string ConnectionString { get; set; } = "Data Source=pipeline.db";

    /// <summary>The clock every stored <c>*_at</c> column is stamped from (UTC). Tests inject a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>How long a SQLite writer waits for another process's write lock before failing as transient. Default 30 s.</summary>
    public TimeSpan SqliteBusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The default of <see cref="MaxValueBytes"/>: 128 MiB.</summary>
    public const long DefaultMaxValueBytes = 128L * 1024 * 1024;

    /// <summary>
    /// The largest single text or JSON value (a tool output, a response body…) a call may store, in
    /// UTF-8 bytes. A larger one is refused with an <see cref="ArgumentException"/> naming the column,
    /// and nothing is written. Default 128 MiB; PostgreSQL's own limit is 1 GB for text and json.
    /// </summary>
    public long MaxValueBytes { get; set; } = DefaultMaxValueBytes;

    /// <summary>
    /// How many times in all a call is tried when PostgreSQL fails transiently (lost connection,
    /// restart, terminated backend, serialization failure). Default 8, which with the default
    /// delay rides out about 6 s of outage. 1 turns retrying off. Safe because every call is idempotent.
    /// </summary>
    public int TransientRetryAttempts { get; set; } = 8;

    /// <summary>The first retry's delay; each next one doubles (with jitter, at most 5 s). Default 50 ms.</summary>
    public TimeSpan TransientRetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Where the store logs (transient failures it retries, at Warning). Null: no logging. Logs never
    /// hold payload contents or connection-string passwords unless <see cref="LogPayloads"/> is set.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Opt-in: let log messages include the provider's error text, which can quote stored values. Default false.</summary>
    public bool LogPayloads { get; set; }

    /// <summary>
    /// Group commit (default on): when calls creating steps, tool calls, memory records or
    /// invocations overlap, their rows share one transaction and one commit. A lone call is not
    /// delayed; each call still returns only after its own row is committed, and a row that fails
    /// fails only its own call.
    /// </summary>
    public bool GroupCommit { get; set; } = true;

    /// <summary>Rows one group commit takes at most. Default 256.</summary>
    public int GroupCommitMaxBatch { get; set; } = 256;

    /// <summary>
    /// How many create calls must be in flight at once (the arriving one included) before they
    /// start to share commits; once they do, they go back to committing on their own only when a
    /// call finds half that many or fewer, so a burst of writers is batched or not as a whole.
    /// Default 2: any overlap shares commits, which suits SQLite (its writers take turns anyway)
    /// and many writers on PostgreSQL. With only a few writers on PostgreSQL, connections
    /// committing on their own can be faster, since the server already shares the flush of
    /// concurrent commits (docs/performance.md has the measurements). Set 5–10 if your
    /// orchestrators seldom run more than a handful of sub-agents at once on PostgreSQL. At least 2.
    /// </summary>
    public int GroupCommitMinWriters { get; set; } = 2;


    /// <summary>
    /// How credentials are removed from <c>response_headers</c>, <c>request_body</c>,
    /// <c>response_body</c> and <c>provider_metadata</c> before they are stored: on by default; a
    /// removed value becomes <c>[REDACTED:kind]</c>. Add names with <see cref="SecretRedactionOptions.ExtraNames"/>
    /// or replace the rules with <see cref="SecretRedactionOptions.CustomRedactor"/>.
    /// </summary>
    public SecretRedactionOptions SecretRedaction { get; set; } = new();

    /// <summary>Connections the SQLite pool keeps open at most. Default 8.</summary>
    public int SqliteMaxConnections { get; set; } = 8;

    /// <summary>
    /// Whether SQLite statements may call SQLite's C functions directly (<c>SqliteNative</c>) when
    /// that is available; false keeps the handle on SQLitePCLRaw's wrappers, as on a host where the
    /// direct calls are not available. Read once, when the handle opens. Not public: the choice is
    /// the library's; tests use it to run the wrapper path on a machine that has both.
    /// </summary>
    internal bool SqliteDirectCalls { get; set; } = true;

    /// <summary>Use an embedded SQLite file: a path (<c>pipeline.db</c>) or a full connection string.</summary>
    public PipelineDbOptions UseSqlite(string pathOrConnectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrConnectionString);
        Provider = PipelineProvider.Sqlite;
        // Only a string that names its file by keyword is a connection string: "a=b.db" is a path.
        ConnectionString = SqliteKeyword().IsMatch(pathOrConnectionString)
            ? pathOrConnectionString
            : new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = pathOrConnectionString }.ToString();
        return this;
    }

    /// <summary>Use a PostgreSQL server, e.g. <c>Host=db;Database=pipeline;Username=app;Password=…</c>.</summary>
    public PipelineDbOptions UsePostgreSql(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        Provider = PipelineProvider.PostgreSql;
        ConnectionString = connectionString;
        return this;
    }

    /// <summary>
    /// Picks the provider from a target as a user types it: an Npgsql connection string
    /// (<c>Host=…;…</c>, at least two keywords) or a <c>postgres://</c> / <c>postgresql://</c> URI means PostgreSQL; anything
    /// else is a SQLite path or connection string.
    /// </summary>
    public PipelineDbOptions UseTarget(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        var t = target.Trim();
        if (t.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || t.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return UsePostgreSql(Internal.PostgreSql.PostgresUri.ToConnectionString(t));
        }
        return t.Contains(';', StringComparison.Ordinal) && PostgresKeyword().IsMatch(t) ? UsePostgreSql(t) : UseSqlite(t);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(^|;)\s*(Data\s?Source|Filename)\s*=", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex SqliteKeyword();

    [System.Text.RegularExpressions.GeneratedRegex(@"(^|;)\s*(Host|Server)\s*=", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex PostgresKeyword();
}
