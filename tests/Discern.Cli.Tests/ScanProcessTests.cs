using System.Diagnostics;
using Discern.Storage;
using Xunit.Abstractions;

namespace Discern.Cli.Tests;

/// <summary>
/// The catalogue scan as users run it — the real <c>discern</c> process — killed with SIGKILL at random moments, and
/// two scanner processes sharing one PostgreSQL database.
/// </summary>
public sealed class ScanProcessTests(ITestOutputHelper output)
{
    public static TheoryData<string> Kinds => new() { "sqlite", "postgres" };

    [Theory, MemberData(nameof(Kinds))]
    public async Task A_scan_killed_at_random_moments_and_resumed_ends_with_exactly_one_correct_row_per_file(string kind)
    {
        await using var db = await TestDatabase.CreateAsync(kind);
        // Enough files that three kills land mid-scan however fast analysis gets (with 300, one CI run finished the scan
        // after its third kill, at 276 files done).
        var files = MusicFiles.Write(db.Folder, 600);
        var rng = new Random(20261125);
        int kills = 0;
        long doneBefore = 0;
        var doneAtKill = new List<long>();
        for (int attempt = 0; attempt < 6; attempt++)
        {
            using var scan = DiscernProcess.Start("scan", db.Folder, "--db", db.Connection, "--workers", "2", "--progress", "none");
            if (attempt == 0) await Task.Delay(rng.Next(100, 800)); // during start-up, migration or the walk
            else
            {
                // Once this run has committed something, at a random moment: mid-claim, mid-commit, mid-walk.
                var waited = Stopwatch.StartNew();
                while (!scan.HasExited && await DoneAsync(db.Connection) <= doneBefore && waited.Elapsed < TimeSpan.FromSeconds(60))
                    await Task.Delay(20);
                await Task.Delay(rng.Next(0, 250));
            }
            if (scan.HasExited) break;
            scan.Kill(entireProcessTree: true); // SIGKILL: no cleanup runs
            await scan.WaitForExitAsync();
            kills++;
            doneBefore = await DoneAsync(db.Connection);
            doneAtKill.Add(doneBefore);
        }
        output.WriteLine($"files done after each kill: {string.Join(", ", doneAtKill)}");
        Assert.True(doneAtKill.Count(d => d > 0 && d < files.Count) >= 3, "the kills did not land in the middle of the work");
        var (code, stdout) = await DiscernProcess.RunAsync("scan", db.Folder, "--db", db.Connection, "--workers", "2", "--progress", "none");
        output.WriteLine($"{kills} kills; last run: {stdout}");
        Assert.Equal(0, code);
        Assert.True(kills >= 2, $"only {kills} kills landed before the scan finished; the test did not test resuming");

        var rows = await ReadRowsAsync(db.Connection);
        Assert.Equal(files.Order(StringComparer.Ordinal), rows.Select(r => r.Path)); // exactly one row per file, none extra
        var detector = Detector.Load();
        foreach (var row in rows)
        {
            Assert.Equal(FileStatus.Done, row.Status);
            Assert.Equal(1, row.Attempts); // committed once: a killed claim never wrote a partial or duplicate result
            var expected = await detector.AnalyzeAsync(row.Path);
            Assert.Equal(AnalysisReport.LabelName(expected.Label), row.Verdict);
            Assert.Equal(expected.ProbabilityAi, row.ProbabilityAi);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(row.Path))), row.Sha256);
        }
    }

    [Fact]
    public async Task Two_scanner_processes_on_one_postgres_catalogue_split_the_work_with_no_file_done_twice_or_missed()
    {
        await using var db = await TestDatabase.CreateAsync("postgres");
        var files = MusicFiles.Write(db.Folder, 300);
        var first = DiscernProcess.RunAsync("scan", db.Folder, "--db", db.Connection, "--workers", "1", "--progress", "none");
        var second = DiscernProcess.RunAsync("scan", db.Folder, "--db", db.Connection, "--workers", "1", "--progress", "none");
        var results = await Task.WhenAll(first, second);
        foreach (var (code, stdout) in results)
        {
            output.WriteLine(stdout);
            Assert.Equal(0, code);
        }

        var rows = await ReadRowsAsync(db.Connection);
        Assert.Equal(files.Order(StringComparer.Ordinal), rows.Select(r => r.Path));
        Assert.All(rows, r => Assert.Equal(FileStatus.Done, r.Status));
        Assert.All(rows, r => Assert.Equal(1, r.Attempts));
        var byWorker = rows.GroupBy(r => r.Worker).ToDictionary(g => g.Key!, g => g.Count());
        output.WriteLine(string.Join(", ", byWorker.Select(kv => $"{kv.Key}: {kv.Value}")));
        Assert.Equal(2, byWorker.Count); // both processes took a share
    }

    [Fact]
    public async Task SIGTERM_stops_a_scan_cleanly_keeping_finished_files_and_the_next_run_finishes()
    {
        await using var db = await TestDatabase.CreateAsync("sqlite");
        var files = MusicFiles.Write(db.Folder, 300);
        using var scan = Process.Start(DiscernProcess.Info("scan", db.Folder, "--db", db.Connection, "--workers", "2", "--progress", "none"))!;
        var stdout = scan.StandardOutput.ReadToEndAsync();
        var stderr = scan.StandardError.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        while (!scan.HasExited && await DoneAsync(db.Connection) < 20 && waited.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(20);
        Assert.False(scan.HasExited, "the scan finished before it could be stopped");
        using (var kill = Process.Start("kill", ["-TERM", scan.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await scan.WaitForExitAsync();
        string text = await stdout + await stderr;
        output.WriteLine(text);

        Assert.Equal(130, scan.ExitCode);
        Assert.Contains("Stopped", text, StringComparison.Ordinal);
        await using (var catalogue = await Catalogue.OpenAsync(db.Connection))
        {
            var counts = await catalogue.CountAsync();
            Assert.Equal(files.Count, counts.Total);
            Assert.True(counts.Pending > 0);
        }
        var (code, _) = await DiscernProcess.RunAsync("scan", db.Folder, "--db", db.Connection, "--progress", "none");
        Assert.Equal(0, code);
        var rows = await ReadRowsAsync(db.Connection);
        Assert.All(rows, r => Assert.Equal(FileStatus.Done, r.Status));
        Assert.All(rows, r => Assert.Equal(1, r.Attempts));
    }

    [Fact]
    public async Task A_second_scanner_on_a_sqlite_catalogue_is_refused_with_a_clear_error()
    {
        await using var db = await TestDatabase.CreateAsync("sqlite");
        MusicFiles.Write(db.Folder, 200);
        using var first = DiscernProcess.Start("scan", db.Folder, "--db", db.Connection, "--workers", "1", "--progress", "none");
        // Start the second only once the first is scanning (holding the catalogue): a fixed delay lost that race on a loaded CI machine.
        var waited = Stopwatch.StartNew();
        while (!first.HasExited && await DoneAsync(db.Connection) < 1 && waited.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(20);
        Assert.False(first.HasExited, "the first scan ended before the second could start");
        var (code, stdout) = await DiscernProcess.RunAsync("scan", db.Folder, "--db", db.Connection, "--progress", "none");
        first.Kill(entireProcessTree: true);
        Assert.Equal(1, code);
        Assert.Contains("Another scan is using", stdout, StringComparison.Ordinal);
    }

    private static async Task<long> DoneAsync(string database)
    {
        await using var catalogue = await Catalogue.OpenAsync(database);
        return (await catalogue.CountAsync()).Done;
    }

    private static async Task<List<CatalogueEntry>> ReadRowsAsync(string database)
    {
        await using var catalogue = await Catalogue.OpenAsync(database);
        var rows = new List<CatalogueEntry>();
        await foreach (var row in catalogue.ReadAllAsync()) rows.Add(row);
        return rows;
    }

    /// <summary>How to run the built <c>discern</c> with <paramref name="args"/>, its output captured.</summary>
}
