using System.Data.Common;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Discern.Storage;

/// <summary>
/// A catalogue in PostgreSQL. Any number of scanner processes, on any number of machines, share it: each takes pending
/// rows with <c>SELECT … FOR UPDATE SKIP LOCKED</c> inside a transaction it holds until it writes their results, so two
/// scanners never hold the same row, and a scanner that dies (its connection drops) gives its rows back at once —
/// PostgreSQL's own locking is the whole protocol. See docs/catalogue-scans.md for why this rather than a job server.
/// </summary>
internal sealed class PostgresCatalogue : Catalogue
{
    // Any constant: serialises concurrent schema migrations from scanners that start together.
    private const long MigrationLockKey = 0x44697363_65726E31;
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _description;

    public PostgresCatalogue(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        _description = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public override string Kind => "postgresql";

    public override string Describe() => _description;

    protected override DbConnection CreateConnection() => _dataSource.CreateConnection();

    protected override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = MigrationLockKey }, transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(CatalogueSchema.CreateMigrationsTable, transaction: transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await ApplyMissingAsync(connection, transaction, CatalogueSchema.Postgres, _description, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task<int> RegisterAsync(IReadOnlyList<FileCandidate> files, string modelId, bool retryFailed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0) return 0;
        // One statement per batch (arrays, not one round trip per file); sorted and distinct so that scanners walking
        // the same tree lock rows in the same order and never deadlock, and no row is hit twice in one statement.
        var batch = files.DistinctBy(f => f.Path).OrderBy(f => f.Path, StringComparer.Ordinal).ToArray();
        await using var connection = (NpgsqlConnection)await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("""
            INSERT INTO files (path, folder, size_bytes, modified_unix_ms, registered_unix_ms, status)
            SELECT p, f, s, m, @now, 'pending' FROM unnest(@paths, @folders, @sizes, @mtimes) AS t(p, f, s, m)
            ON CONFLICT (path) DO UPDATE SET size_bytes = excluded.size_bytes, modified_unix_ms = excluded.modified_unix_ms, status = 'pending'
            WHERE files.status <> 'pending' AND (files.size_bytes <> excluded.size_bytes OR files.modified_unix_ms <> excluded.modified_unix_ms
               OR files.model_id IS DISTINCT FROM @model OR (@retry AND files.status = 'failed'))
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<long>("now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("paths", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = batch.Select(f => f.Path).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]>("folders", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = batch.Select(f => FolderOf(f.Path)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]>("sizes", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = batch.Select(f => f.SizeBytes).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]>("mtimes", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = batch.Select(f => f.ModifiedUnixMs).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string>("model", modelId));
        command.Parameters.Add(new NpgsqlParameter<bool>("retry", retryFailed));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task<WorkClaim?> ClaimAsync(int maxFiles, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFiles);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        DbTransaction? transaction = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var rows = (await connection.QueryAsync<ClaimRow>(new CommandDefinition(
                "SELECT id, path, sha256, model_id, verdict IS NOT NULL AS has_verdict FROM files WHERE status = 'pending' " +
                "ORDER BY id LIMIT @maxFiles FOR UPDATE SKIP LOCKED", new { maxFiles }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
            if (rows.Count > 0) return new Claim(connection, transaction, [.. rows.Select(r => r.ToClaimedFile())]);
        }
        catch
        {
            if (transaction is not null) await transaction.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        await transaction.DisposeAsync().ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Holds the row locks (an open transaction) until commit or dispose.</summary>
    private sealed class Claim(DbConnection connection, DbTransaction transaction, IReadOnlyList<ClaimedFile> files) : WorkClaim(files)
    {
        public override async Task CommitAsync(CancellationToken cancellationToken = default)
        {
            await WriteOutcomesAsync(connection, transaction, Outcomes, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        public override async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync().ConfigureAwait(false); // rolls back when not committed
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
