using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Discern.Storage;

/// <summary>
/// A catalogue in one SQLite file: no server, good to millions of rows on one machine. One scanner process at a
/// time (SQLite has no row locks to split work with); its workers share claims in memory.
/// </summary>
internal sealed class SqliteCatalogue : Catalogue
{
    private readonly string _connectionString;
    private readonly string _path;
    private readonly FileStream? _scannerLock;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly HashSet<long> _claimed = [];

    private SqliteCatalogue(string path, FileStream? scannerLock)
    {
        _path = path;
        _scannerLock = scannerLock;
        // Pooling keeps the per-claim connections cheap; the busy timeout covers a report reading while we write.
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 60 }.ToString();
    }

    public static SqliteCatalogue Open(string path, bool forScanning)
    {
        path = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        FileStream? scannerLock = null;
        if (forScanning)
        {
            try
            {
                // FileShare.None is an OS lock (flock on Unix): it vanishes with the process, even after kill -9.
                scannerLock = new FileStream(path + ".scan-lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException ex)
            {
                throw new CatalogueException($"Another scan is using '{path}'. A SQLite catalogue takes one scanner at a time; " +
                    "to run several, use a PostgreSQL catalogue (--db \"Host=…;Database=…\").", ex);
            }
        }
        return new SqliteCatalogue(path, scannerLock);
    }

    public override string Kind => "sqlite";

    public override string Describe() => _path;

    protected override DbConnection CreateConnection() => new SqliteConnection(_connectionString);

    protected override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // WAL lets reports read while a scan writes; it is a property of the file, set once.
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL").ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false); // BEGIN IMMEDIATE
        await connection.ExecuteAsync(CatalogueSchema.CreateMigrationsTable, transaction: transaction).ConfigureAwait(false);
        await ApplyMissingAsync(connection, transaction, CatalogueSchema.Sqlite, _path, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task<int> RegisterAsync(IReadOnlyList<FileCandidate> files, string modelId, bool retryFailed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0) return 0;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var rows = files.Select(f => new
        {
            f.Path, Folder = FolderOf(f.Path), f.SizeBytes, f.ModifiedUnixMs, Now = now, ModelId = modelId, RetryFailed = retryFailed,
        });
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            int changed = await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO files (path, folder, size_bytes, modified_unix_ms, registered_unix_ms, status)
                VALUES (@Path, @Folder, @SizeBytes, @ModifiedUnixMs, @Now, 'pending')
                ON CONFLICT (path) DO UPDATE SET size_bytes = excluded.size_bytes, modified_unix_ms = excluded.modified_unix_ms, status = 'pending'
                WHERE files.status <> 'pending' AND (files.size_bytes <> excluded.size_bytes OR files.modified_unix_ms <> excluded.modified_unix_ms
                   OR files.model_id IS NOT @ModelId OR (@RetryFailed AND files.status = 'failed'))
                """, rows, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return changed;
        }
        finally
        {
            _writer.Release();
        }
    }

    public override async Task<WorkClaim?> ClaimAsync(int maxFiles, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFiles);
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            int held;
            lock (_claimed) held = _claimed.Count;
            // Skip what this process's other workers hold; ask for enough rows to find maxFiles free ones.
            var rows = await connection.QueryAsync<ClaimRow>(new CommandDefinition(
                "SELECT id, path, sha256, model_id, verdict IS NOT NULL AS has_verdict FROM files WHERE status = 'pending' ORDER BY id LIMIT @limit",
                new { limit = maxFiles + held }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var files = new List<ClaimedFile>(maxFiles);
            lock (_claimed)
            {
                foreach (var row in rows)
                {
                    if (files.Count == maxFiles) break;
                    if (_claimed.Add(row.Id)) files.Add(row.ToClaimedFile());
                }
            }
            return files.Count == 0 ? null : new Claim(this, files);
        }
        finally
        {
            _writer.Release();
        }
    }

    private void Release(IEnumerable<ClaimedFile> files)
    {
        lock (_claimed) foreach (var f in files) _claimed.Remove(f.Id);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_scannerLock is not null) await _scannerLock.DisposeAsync().ConfigureAwait(false);
        _writer.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class Claim(SqliteCatalogue owner, IReadOnlyList<ClaimedFile> files) : WorkClaim(files)
    {
        private bool _released;

        public override async Task CommitAsync(CancellationToken cancellationToken = default)
        {
            await owner._writer.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (Outcomes.Count > 0)
                {
                    await using var connection = await owner.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                    await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                    await WriteOutcomesAsync(connection, transaction, Outcomes, cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
                Release();
            }
            finally
            {
                owner._writer.Release();
            }
        }

        private void Release()
        {
            if (_released) return;
            _released = true;
            owner.Release(Files);
        }

        public override ValueTask DisposeAsync()
        {
            Release();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>The claim query's row.</summary>
internal sealed record ClaimRow
{
    public long Id { get; init; }
    public string Path { get; init; } = "";
    public string? Sha256 { get; init; }
    public string? ModelId { get; init; }
    public bool HasVerdict { get; init; }

    public ClaimedFile ToClaimedFile() => new(Id, Path, Sha256, ModelId, HasVerdict);
}
