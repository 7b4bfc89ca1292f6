namespace Discern.Storage;

/// <summary>
/// The catalogue's schema, as numbered migrations per database. A database records the migrations applied to it in
/// <c>schema_migrations</c>; opening it applies the missing ones in order, and refuses a database from a newer build.
/// Times are integers (ms since 1970 UTC) so both databases store and compare them alike.
/// </summary>
internal static class CatalogueSchema
{
    public static int Version => Sqlite.Count;

    public static readonly IReadOnlyList<string> Sqlite =
    [
        """
        CREATE TABLE files (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            folder TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            modified_unix_ms INTEGER NOT NULL,
            registered_unix_ms INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
            sha256 TEXT,
            verdict TEXT,
            probability_ai REAL,
            generator TEXT,
            model_id TEXT,
            feature_config_id TEXT,
            discern_version TEXT,
            format TEXT,
            codec TEXT,
            sample_rate_hz INTEGER,
            channels INTEGER,
            duration_seconds REAL,
            evidence TEXT,
            error TEXT,
            error_code TEXT,
            result_source TEXT,
            hash_ms REAL,
            analysis_ms REAL,
            completed_unix_ms INTEGER,
            worker TEXT,
            attempts INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX files_pending ON files (id) WHERE status = 'pending';
        CREATE INDEX files_content ON files (sha256, model_id) WHERE status = 'done';
        CREATE INDEX files_folder ON files (folder);
        """,
    ];

    public static readonly IReadOnlyList<string> Postgres =
    [
        """
        CREATE TABLE files (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            path text NOT NULL UNIQUE,
            folder text NOT NULL,
            size_bytes bigint NOT NULL,
            modified_unix_ms bigint NOT NULL,
            registered_unix_ms bigint NOT NULL,
            status text NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
            sha256 text,
            verdict text,
            probability_ai double precision,
            generator text,
            model_id text,
            feature_config_id text,
            discern_version text,
            format text,
            codec text,
            sample_rate_hz bigint,
            channels bigint,
            duration_seconds double precision,
            evidence text,
            error text,
            error_code text,
            result_source text,
            hash_ms double precision,
            analysis_ms double precision,
            completed_unix_ms bigint,
            worker text,
            attempts bigint NOT NULL DEFAULT 0
        );
        CREATE INDEX files_pending ON files (id) WHERE status = 'pending';
        CREATE INDEX files_content ON files (sha256, model_id) WHERE status = 'done';
        CREATE INDEX files_folder ON files (folder);
        """,
    ];

    public const string CreateMigrationsTable =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_unix_ms BIGINT NOT NULL)";
}
