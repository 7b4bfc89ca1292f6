using Npgsql;

namespace Discern.Storage.Tests;

/// <summary>
/// A fresh, empty catalogue database per test: a SQLite file in a temporary folder, or a new database on the
/// PostgreSQL server (a real one — scripts/setup.sh installs and starts it; DISCERN_TEST_POSTGRES overrides where).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string DefaultServer = "Host=localhost;Username=discern;Password=discern;Database=postgres;Timeout=5";

    private readonly string? _postgresName;

    private TestDatabase(string kind, string connection, string folder, string? postgresName)
    {
        Kind = kind;
        Connection = connection;
        Folder = folder;
        _postgresName = postgresName;
    }

    /// <summary>"sqlite" or "postgres".</summary>
    public string Kind { get; }

    /// <summary>What <c>--db</c> takes.</summary>
    public string Connection { get; }

    /// <summary>A scratch folder for the test's audio files, deleted afterwards.</summary>
    public string Folder { get; }

    public static string Server => Environment.GetEnvironmentVariable("DISCERN_TEST_POSTGRES") is { Length: > 0 } s ? s : DefaultServer;

    public static async Task<TestDatabase> CreateAsync(string kind)
    {
        var folder = Directory.CreateTempSubdirectory("discern-storage-").FullName;
        if (kind == "sqlite") return new TestDatabase(kind, Path.Combine(folder, "catalogue.db"), Path.Combine(folder, "music"), null);

        string name = $"discern_test_{Guid.NewGuid():N}";
        try
        {
            await using var admin = new NpgsqlConnection(Server);
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL tests need a server at '{Server}' (password hidden) with a role that may create databases: " +
                "run 'bash scripts/setup.sh' (installs and starts postgresql, creates the 'discern' role) or set DISCERN_TEST_POSTGRES. " + ex.Message, ex);
        }
        var builder = new NpgsqlConnectionStringBuilder(Server) { Database = name };
        return new TestDatabase(kind, builder.ConnectionString, Path.Combine(folder, "music"), name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_postgresName is not null)
        {
            await using var admin = new NpgsqlConnection(Server);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresName} WITH (FORCE)", admin);
            // A server background process (autovacuum) may still be in the database; it leaves within moments.
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    await drop.ExecuteNonQueryAsync();
                    break;
                }
                catch (PostgresException ex) when (attempt < 20 && ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse)
                {
                    await Task.Delay(250);
                }
            }
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Path.GetDirectoryName(Folder)!, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Small music-like files the tests scan.</summary>
public static class MusicFiles
{
    /// <summary>Writes <paramref name="count"/> distinct WAV files (a few seconds each) under <paramref name="folder"/>, in two sub-folders.</summary>
    public static List<string> Write(string folder, int count, double seconds = 5.0, int firstSeed = 1)
    {
        var paths = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            var dir = Path.Combine(folder, i % 2 == 0 ? "album-a" : "album-b");
            Directory.CreateDirectory(dir);
            var path = Path.Combine(dir, $"track-{firstSeed + i:D4}.wav");
            File.WriteAllBytes(path, Signals.Wav(Signals.MusicLike(22050, seconds, firstSeed + i), 22050, 1));
            paths.Add(path);
        }
        return paths;
    }
}
