using Dapper;

namespace Discern.Storage.Tests;

/// <summary>The scan's promises, on both databases: one row per file, failures recorded, nothing analysed twice, resume.</summary>
public sealed class ScannerTests
{
    public static TheoryData<string> Kinds => new() { "sqlite", "postgres" };

    private static readonly Detector Detector = Detector.Load();

    private static ScanOptions Fast => ScanOptions.Default with { Workers = 2, IdlePollInterval = TimeSpan.FromMilliseconds(20) };

    private static async Task<ScanCounters> ScanAsync(TestDatabase db, IReadOnlyList<string> inputs, ScanOptions? options = null,
        Detector? detector = null, CancellationToken ct = default)
    {
        await using var catalogue = await Catalogue.OpenAsync(db.Connection, forScanning: true, ct);
        return await new CatalogueScanner(catalogue, detector ?? Detector, options ?? Fast).RunAsync(inputs, ct);
    }

    private static async Task<List<CatalogueEntry>> RowsAsync(TestDatabase db)
    {
        await using var catalogue = await Catalogue.OpenAsync(db.Connection);
        var rows = new List<CatalogueEntry>();
        await foreach (var row in catalogue.ReadAllAsync(includeEvidence: true)) rows.Add(row);
        return rows;
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task Scan_records_one_row_per_media_file_with_verdicts_and_errors(string kind)
    {
        await using var db = await TestDatabase.CreateAsync(kind);
        var good = MusicFiles.Write(db.Folder, 6);
        File.WriteAllBytes(Path.Combine(db.Folder, "broken.mp3"), [0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0, 1, 2, 3]);
        File.WriteAllBytes(Path.Combine(db.Folder, "empty.wav"), []);
        File.WriteAllText(Path.Combine(db.Folder, "notes.txt"), "liner notes, not audio");
        File.WriteAllBytes(Path.Combine(db.Folder, "cover.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 0x4A, 0x46, 0x49, 0x46]);
        var renamed = Path.Combine(db.Folder, "song-without-extension");
        File.Copy(good[0], renamed);

        var counters = await ScanAsync(db, [db.Folder]);

        var rows = await RowsAsync(db);
        Assert.Equal(9, rows.Count); // 6 + renamed + broken.mp3 + empty.wav; notes and cover left out
        Assert.Equal(rows.Count, rows.Select(r => r.Path).Distinct().Count());
        Assert.DoesNotContain(rows, r => r.Status == FileStatus.Pending);
        foreach (var path in good)
        {
            var row = Assert.Single(rows, r => r.Path == path);
            Assert.Equal(FileStatus.Done, row.Status);
            Assert.Contains(row.Verdict, new[] { "ai", "human", "uncertain" });
            Assert.Equal(Detector.Model.ModelId, row.ModelId);
            Assert.Equal(64, row.Sha256!.Length);
            Assert.Equal(new FileInfo(path).Length, row.SizeBytes);
            Assert.Equal(5.0, row.DurationSeconds!.Value, 1);
            Assert.NotNull(row.ProbabilityAi);
            Assert.Equal(1, row.Attempts);
            Assert.Contains("\"segments\"", row.Evidence);
            Assert.Equal(Path.GetDirectoryName(path), row.Folder);
        }
        var broken = Assert.Single(rows, r => r.Path.EndsWith("broken.mp3", StringComparison.Ordinal));
        Assert.Equal(FileStatus.Failed, broken.Status);
        Assert.False(string.IsNullOrWhiteSpace(broken.Error));
        Assert.Equal(FileStatus.Failed, Assert.Single(rows, r => r.Path.EndsWith("empty.wav", StringComparison.Ordinal)).Status);
        // The renamed copy has the same bytes as good[0]: one of the two reused the other's verdict.
        var pair = rows.Where(r => r.Path == renamed || r.Path == good[0]).ToList();
        Assert.Single(pair, r => r.ResultSource == ResultSource.Cache);
        Assert.Equal(pair[0].ProbabilityAi, pair[1].ProbabilityAi);
        Assert.Equal(9, counters.Found);
        Assert.Equal(2, counters.Failed);
        Assert.Equal(1, counters.Cached);
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task Rescan_skips_unchanged_files_and_redoes_only_changed_ones(string kind)
    {
        await using var db = await TestDatabase.CreateAsync(kind);
        var files = MusicFiles.Write(db.Folder, 5);
        await ScanAsync(db, [db.Folder]);
        var first = (await RowsAsync(db)).ToDictionary(r => r.Path);

        var again = await ScanAsync(db, [db.Folder]);
        Assert.Equal(5, again.Found);
        Assert.Equal(0, again.Queued);
        Assert.Equal(0, again.Completed);

        File.SetLastWriteTimeUtc(files[0], DateTime.UtcNow.AddMinutes(5)); // touched, same bytes
        File.WriteAllBytes(files[1], Signals.Wav(Signals.MusicLike(22050, 6.0, 999), 22050, 1)); // new content
        var third = await ScanAsync(db, [db.Folder]);
        Assert.Equal(2, third.Queued);
        Assert.Equal(1, third.Unchanged);
        Assert.Equal(1, third.Analysed);

        var rows = (await RowsAsync(db)).ToDictionary(r => r.Path);
        Assert.Equal(ResultSource.Unchanged, rows[files[0]].ResultSource);
        Assert.Equal(first[files[0]].ProbabilityAi, rows[files[0]].ProbabilityAi);
        Assert.NotEqual(first[files[1]].Sha256, rows[files[1]].Sha256);
        Assert.Equal(6.0, rows[files[1]].DurationSeconds!.Value, 1);
        foreach (var path in files.Skip(2)) Assert.Equal(1, rows[path].Attempts);
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task A_new_model_reanalyses_and_reuses_results_by_content(string kind)
    {
        await using var db = await TestDatabase.CreateAsync(kind);
        var files = MusicFiles.Write(db.Folder, 3);
        File.Copy(files[0], Path.Combine(db.Folder, "copy-of-first.wav"));
        await ScanAsync(db, [db.Folder]);

        var newModel = new Detector(Detector.Model with { ModelId = "discern-test-model-2" });
        var counters = await ScanAsync(db, [db.Folder], detector: newModel);

        Assert.Equal(4, counters.Queued);
        Assert.Equal(3, counters.Analysed);
        Assert.Equal(1, counters.Cached);
        Assert.All(await RowsAsync(db), r => Assert.Equal("discern-test-model-2", r.ModelId));
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task Failed_files_stand_until_retried(string kind)
    {
        await using var db = await TestDatabase.CreateAsync(kind);
        var bad = Path.Combine(db.Folder, "bad.wav");
        Directory.CreateDirectory(db.Folder);
        File.WriteAllBytes(bad, "RIFF\0\0\0\0WAVEjunk"u8.ToArray());
        await ScanAsync(db, [db.Folder]);
        Assert.Equal(0, (await ScanAsync(db, [db.Folder])).Queued);
        var retried = await ScanAsync(db, [db.Folder], Fast with { RetryFailed = true });
        Assert.Equal(1, retried.Queued);
        Assert.Equal(1, retried.Failed);
        Assert.Equal(2, Assert.Single(await RowsAsync(db)).Attempts);
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task A_cancelled_scan_keeps_what_it_finished_and_the_next_run_completes_it(string kind)
    {
        await using var db = await TestDatabase.CreateAsync(kind);
        var files = MusicFiles.Write(db.Folder, 150, seconds: 6);
        using (var cancel = new CancellationTokenSource())
        {
            await using var catalogue = await Catalogue.OpenAsync(db.Connection, forScanning: true);
            var scanner = new CatalogueScanner(catalogue, Detector, Fast);
            var run = scanner.RunAsync([db.Folder], cancel.Token);
            while (scanner.Counters.Completed < 3) await Task.Delay(1);
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            var counts = await catalogue.CountAsync();
            Assert.Equal(scanner.Counters.Completed, counts.Done + counts.Failed);
            Assert.True(counts.Pending > 0, "the scan was meant to be stopped midway");
        }
        await ScanAsync(db, [db.Folder]);
        var rows = await RowsAsync(db);
        Assert.Equal(files.Order(StringComparer.Ordinal), rows.Select(r => r.Path).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal(FileStatus.Done, r.Status));
        Assert.All(rows, r => Assert.Equal(1, r.Attempts));
    }

    [Fact]
    public async Task Two_claims_on_postgres_never_hold_the_same_file_and_an_abandoned_claim_gives_its_files_back()
    {
        await using var db = await TestDatabase.CreateAsync("postgres");
        await using var catalogue = await Catalogue.OpenAsync(db.Connection, forScanning: true);
        var files = Enumerable.Range(0, 10).Select(i => new FileCandidate($"/music/{i:D2}.mp3", 1000 + i, 1)).ToList();
        Assert.Equal(10, await catalogue.RegisterAsync(files, "m", retryFailed: false));
        Assert.Equal(0, await catalogue.RegisterAsync(files, "m", retryFailed: false)); // pending rows are not counted twice

        var a = (await catalogue.ClaimAsync(4))!;
        var b = (await catalogue.ClaimAsync(4))!;
        Assert.Empty(a.Files.Select(f => f.Id).Intersect(b.Files.Select(f => f.Id)));
        var c = (await catalogue.ClaimAsync(4))!;
        Assert.Equal(2, c.Files.Count);
        Assert.Null(await catalogue.ClaimAsync(4));

        await a.DisposeAsync(); // abandoned, as when a scanner dies
        var again = (await catalogue.ClaimAsync(10))!;
        Assert.Equal(a.Files.Select(f => f.Id).Order(), again.Files.Select(f => f.Id).Order());
        await again.DisposeAsync();
        await b.DisposeAsync();
        await c.DisposeAsync();
    }

    [Fact]
    public async Task A_sqlite_catalogue_takes_one_scanner_at_a_time()
    {
        await using var db = await TestDatabase.CreateAsync("sqlite");
        await using var first = await Catalogue.OpenAsync(db.Connection, forScanning: true);
        var ex = await Assert.ThrowsAsync<CatalogueException>(() => Catalogue.OpenAsync(db.Connection, forScanning: true));
        Assert.Contains("PostgreSQL", ex.Message, StringComparison.Ordinal);
        await using var reader = await Catalogue.OpenAsync(db.Connection); // reports may read meanwhile
        Assert.Equal(0, (await reader.CountAsync()).Total);
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task Opening_migrates_once_and_refuses_a_newer_schema(string kind)
    {
        await using var db = await TestDatabase.CreateAsync(kind);
        await (await Catalogue.OpenAsync(db.Connection)).DisposeAsync();
        await (await Catalogue.OpenAsync(db.Connection)).DisposeAsync();
        await using (var connection = Connect(db))
        {
            Assert.Equal(Catalogue.SchemaVersion, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM schema_migrations"));
            await connection.ExecuteAsync("INSERT INTO schema_migrations (version, applied_unix_ms) VALUES (999, 0)");
        }
        var ex = await Assert.ThrowsAsync<CatalogueException>(() => Catalogue.OpenAsync(db.Connection));
        Assert.Contains("newer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_postgres_server_is_a_clear_error()
    {
        var ex = await Assert.ThrowsAsync<CatalogueException>(() =>
            Catalogue.OpenAsync("Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z;Timeout=2"));
        Assert.Contains("127.0.0.1", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Password=y", ex.Message, StringComparison.Ordinal);
    }

    private static System.Data.Common.DbConnection Connect(TestDatabase db)
    {
        System.Data.Common.DbConnection c = db.Kind == "sqlite"
            ? new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db.Connection}")
            : new Npgsql.NpgsqlConnection(db.Connection);
        c.Open();
        return c;
    }
}
