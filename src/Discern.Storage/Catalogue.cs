using System.Data.Common;
using Dapper;

namespace Discern.Storage;

/// <summary>
/// The table of every file a catalogue scan has found, with its verdict or its error: one row per path. It is also the
/// scan's work queue, so a scan killed at any moment resumes from it: a row is written whole, in one transaction, or
/// not at all. SQLite (a file; one scanner process at a time) or PostgreSQL (a connection string; any number of scanner
/// processes on any number of machines, which split the pending rows with row locks — see docs/catalogue-scans.md).
/// </summary>
public abstract class Catalogue : IAsyncDisposable
{
    static Catalogue() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    /// <summary>The columns <see cref="CatalogueEntry"/> reads.</summary>
    protected const string EntryColumns =
        "id, path, folder, size_bytes, modified_unix_ms, status, sha256, verdict, probability_ai, generator, model_id, " +
        "feature_config_id, discern_version, format, codec, sample_rate_hz, channels, duration_seconds, evidence, error, error_code, result_source, " +
        "hash_ms, analysis_ms, completed_unix_ms, worker, attempts";

    private const string WriteOutcomeSql =
        "UPDATE files SET status = @Status, result_source = @ResultSource, sha256 = @Sha256, verdict = @Verdict, " +
        "probability_ai = @ProbabilityAi, generator = @Generator, model_id = @ModelId, feature_config_id = @FeatureConfigId, " +
        "discern_version = @DiscernVersion, format = @Format, codec = @Codec, sample_rate_hz = @SampleRateHz, channels = @Channels, " +
        "duration_seconds = @DurationSeconds, evidence = @Evidence, error = @Error, error_code = @ErrorCode, hash_ms = @HashMs, " +
        "analysis_ms = @AnalysisMs, completed_unix_ms = @CompletedUnixMs, worker = @Worker, attempts = attempts + 1 WHERE id = @Id";

    // An unchanged file keeps the verdict it has; only the bookkeeping moves.
    private const string WriteUnchangedSql =
        "UPDATE files SET status = @Status, result_source = @ResultSource, sha256 = @Sha256, hash_ms = @HashMs, " +
        "completed_unix_ms = @CompletedUnixMs, worker = @Worker, attempts = attempts + 1 WHERE id = @Id";

    /// <summary>Opens (creating or migrating as needed) the catalogue named by <paramref name="database"/>.</summary>
    /// <param name="database">A SQLite file path, or a PostgreSQL connection string ("Host=…;Database=…;Username=…").</param>
    /// <param name="forScanning">
    /// True for a process that will write results. A SQLite catalogue then takes an exclusive lock for the process's
    /// lifetime (released by the OS even on a crash), because SQLite cannot split work between processes.
    /// </param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <exception cref="CatalogueException">The database cannot be opened, is locked by another scanner, or is newer than this tool.</exception>
    public static async Task<Catalogue> OpenAsync(string database, bool forScanning = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        Catalogue catalogue = IsPostgres(database) ? new PostgresCatalogue(database) : SqliteCatalogue.Open(database, forScanning);
        try
        {
            await catalogue.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return catalogue;
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or ArgumentException)
        {
            await catalogue.DisposeAsync().ConfigureAwait(false);
            throw new CatalogueException($"Cannot open the catalogue database ({catalogue.Describe()}): {ex.Message}", ex);
        }
        catch
        {
            await catalogue.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Whether <paramref name="database"/> is a PostgreSQL connection string rather than a SQLite file.</summary>
    public static bool IsPostgres(string database) =>
        database.Contains('=') && database.Contains("host", StringComparison.OrdinalIgnoreCase);

    /// <summary>"sqlite" or "postgresql".</summary>
    public abstract string Kind { get; }

    /// <summary>Where the data is, without any password (for messages and logs).</summary>
    public abstract string Describe();

    /// <summary>The schema version this build writes; <see cref="OpenAsync"/> migrates older databases to it.</summary>
    public static int SchemaVersion => CatalogueSchema.Version;

    /// <summary>Opens a connection (pooled by the provider).</summary>
    protected abstract DbConnection CreateConnection();

    /// <summary>Creates or upgrades the schema, safely when several processes start at once.</summary>
    protected abstract Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Adds new files as pending, and sends back to pending the known ones that changed (size or time), were judged by
    /// another model, or failed (when <paramref name="retryFailed"/>). Files already done with <paramref name="modelId"/>
    /// and unchanged are left alone. Returns how many rows became pending.
    /// </summary>
    public abstract Task<int> RegisterAsync(IReadOnlyList<FileCandidate> files, string modelId, bool retryFailed, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes up to <paramref name="maxFiles"/> pending files no other scanner holds, or null when there are none free.
    /// The files stay pending until the claim is committed; a claim that is disposed uncommitted, or whose process dies,
    /// gives them back.
    /// </summary>
    public abstract Task<WorkClaim?> ClaimAsync(int maxFiles, CancellationToken cancellationToken = default);

    /// <summary>The result of a finished file with the same content and model, for the content-hash cache.</summary>
    public async Task<CatalogueEntry?> FindResultAsync(string sha256, string modelId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QueryFirstOrDefaultAsync<CatalogueEntry>(new CommandDefinition(
            $"SELECT {EntryColumns} FROM files WHERE sha256 = @sha256 AND model_id = @modelId AND status = 'done' AND verdict IS NOT NULL LIMIT 1",
            new { sha256, modelId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Row counts by status.</summary>
    public async Task<CatalogueCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Status, long Count)>(new CommandDefinition(
            "SELECT status, COUNT(*) FROM files GROUP BY status", cancellationToken: cancellationToken)).ConfigureAwait(false);
        var byStatus = rows.ToDictionary(r => r.Status, r => r.Count);
        return new CatalogueCounts(byStatus.GetValueOrDefault(FileStatus.Pending), byStatus.GetValueOrDefault(FileStatus.Done),
            byStatus.GetValueOrDefault(FileStatus.Failed));
    }

    /// <summary>How many rows are pending (cheap: a partial index holds only those).</summary>
    public async Task<long> CountPendingAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM files WHERE status = 'pending'", cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Every row, in path order, streamed (memory does not grow with the catalogue).</summary>
    public async IAsyncEnumerable<CatalogueEntry> ReadAllAsync(bool includeEvidence = false,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        string columns = includeEvidence ? EntryColumns : ReportColumns;
        await foreach (var entry in connection.QueryUnbufferedAsync<CatalogueEntry>($"SELECT {columns} FROM files ORDER BY path")
            .WithCancellation(cancellationToken).ConfigureAwait(false))
            yield return entry;
    }

    /// <summary>The columns a report's file lists read (all but the evidence).</summary>
    internal static readonly string ReportColumns = EntryColumns.Replace("evidence, ", "NULL AS evidence, ", StringComparison.Ordinal);

    /// <summary>The probability of every judged file, streamed (for the report's histogram).</summary>
    internal async IAsyncEnumerable<double> ProbabilitiesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var p in connection.QueryUnbufferedAsync<double>("SELECT probability_ai FROM files WHERE probability_ai IS NOT NULL AND status = 'done'")
            .WithCancellation(cancellationToken).ConfigureAwait(false))
            yield return p;
    }

    /// <summary>Runs a read-only query for reports.</summary>
    internal async Task<List<T>> QueryAsync<T>(string sql, object? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.AsList();
    }

    /// <summary>An open connection.</summary>
    protected async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Applies the migrations a database lacks, inside the caller's transaction (which holds the migration lock).</summary>
    protected static async Task ApplyMissingAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<string> migrations,
        string where, CancellationToken cancellationToken)
    {
        int applied = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (applied > migrations.Count)
            throw new CatalogueException($"The catalogue at {where} has schema version {applied}, newer than this Discern ({migrations.Count}); update Discern.");
        for (int version = applied + 1; version <= migrations.Count; version++)
        {
            await connection.ExecuteAsync(new CommandDefinition(migrations[version - 1], transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition("INSERT INTO schema_migrations (version, applied_unix_ms) VALUES (@version, @now)",
                new { version, now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>Writes claimed files' outcomes inside <paramref name="transaction"/>.</summary>
    protected static async Task WriteOutcomesAsync(DbConnection connection, DbTransaction transaction,
        IEnumerable<(long Id, FileOutcome Outcome)> outcomes, CancellationToken cancellationToken)
    {
        foreach (var (id, outcome) in outcomes)
        {
            var parameters = new DynamicParameters(outcome);
            parameters.Add("Id", id);
            string sql = outcome.ResultSource == ResultSource.Unchanged ? WriteUnchangedSql : WriteOutcomeSql;
            await connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>The folder a path is reported under.</summary>
    protected static string FolderOf(string path) => Path.GetDirectoryName(path) ?? "";

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Pending files held by one scanner. Record each file's outcome with <see cref="Complete"/>, then
/// <see cref="CommitAsync"/> writes them all in one transaction. Disposing without committing gives the files back.
/// </summary>
public abstract class WorkClaim : IAsyncDisposable
{
    private readonly List<(long, FileOutcome)> _outcomes = [];

    /// <summary>Creates a claim over <paramref name="files"/>.</summary>
    protected WorkClaim(IReadOnlyList<ClaimedFile> files) => Files = files;

    /// <summary>The files held.</summary>
    public IReadOnlyList<ClaimedFile> Files { get; }

    /// <summary>The outcomes recorded so far.</summary>
    protected IReadOnlyList<(long Id, FileOutcome Outcome)> Outcomes => _outcomes;

    /// <summary>Records one file's outcome (written at commit).</summary>
    public void Complete(ClaimedFile file, FileOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(outcome);
        _outcomes.Add((file.Id, outcome));
    }

    /// <summary>Writes the recorded outcomes; files without one stay pending for the next claim.</summary>
    public abstract Task CommitAsync(CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();
}

/// <summary>The catalogue database cannot be used (unreachable, locked by another scanner, or from a newer Discern).</summary>
public sealed class CatalogueException(string message, Exception? innerException = null) : DiscernException(message, innerException)
{
    /// <inheritdoc />
    public override string Code => "catalogue-unavailable";
}
