using System.Diagnostics;
using System.Globalization;
using Discern.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Discern.Cli;

/// <summary><c>discern scan</c>: a resumable catalogue scan into SQLite or PostgreSQL.</summary>
internal sealed class ScanCommand : AsyncCommand<ScanCommand.Settings>
{
    public const string DefaultDatabase = "discern-catalogue.db";

    public sealed class Settings : AudioSettings
    {
        [CommandArgument(0, "[INPUTS]")]
        [System.ComponentModel.Description("Folders (searched recursively), files, globs or manifests (CSV with a path column, M3U, text list). None: only work through what is pending (to help another scanner).")]
        public string[] Inputs { get; init; } = [];

        [CommandOption("--db <DATABASE>")]
        [System.ComponentModel.Description("SQLite file (default discern-catalogue.db) or PostgreSQL connection string (\"Host=…;Database=…;Username=…;Password=…\"), created and migrated as needed.")]
        public string Database { get; init; } = DefaultDatabase;

        [CommandOption("--retry-failed")]
        [System.ComponentModel.Description("Analyse again the files that failed in earlier scans.")]
        public bool RetryFailed { get; init; }

        [CommandOption("--files-per-claim <N>")]
        [System.ComponentModel.Description("Files a worker takes and commits together (default 4); a crash redoes at most this many per worker.")]
        public int FilesPerClaim { get; init; } = ScanOptions.Default.FilesPerClaim;

        [CommandOption("--progress <MODE>")]
        [System.ComponentModel.Description("auto (a live line on a terminal, plain lines otherwise), live, lines, or none.")]
        public string Progress { get; init; } = "auto";

        [CommandOption("--progress-every <N>")]
        [System.ComponentModel.Description("In lines mode, a line every N finished files (and at least every 30 s). Default 100.")]
        public int ProgressEvery { get; init; } = 100;

        public override ValidationResult Validate()
        {
            if (FilesPerClaim <= 0) return ValidationResult.Error("--files-per-claim must be positive");
            if (ProgressEvery <= 0) return ValidationResult.Error("--progress-every must be positive");
            if (Progress is not ("auto" or "live" or "lines" or "none")) return ValidationResult.Error("--progress is auto, live, lines or none");
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var detector = settings.LoadDetector();
        await using var catalogue = await Catalogue.OpenAsync(settings.Database, forScanning: true, cancellationToken);
        var scanner = new CatalogueScanner(catalogue, detector, new ScanOptions
        {
            Workers = settings.WorkerCount,
            FilesPerClaim = settings.FilesPerClaim,
            RetryFailed = settings.RetryFailed,
            Analysis = settings.ToOptions(),
        });
        scanner.WalkProblem += problem => Console.Error.WriteLine($"warning: {problem}");
        string mode = settings.Progress == "auto"
            ? (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected ? "live" : "lines") : settings.Progress;
        Console.Out.WriteLine($"Scanning into {catalogue.Describe()} ({catalogue.Kind}) with {settings.WorkerCount} workers, model {detector.Model.ModelId}.");

        var clock = Stopwatch.StartNew();
        var run = scanner.RunAsync(settings.Inputs, cancellationToken);
        var reporter = new ProgressReporter(scanner.Counters, catalogue, clock, settings.ProgressEvery);
        bool interrupted = false;
        try
        {
            if (mode == "live")
            {
                await AnsiConsole.Live(new Markup(reporter.Line(0))).AutoClear(true).StartAsync(async live =>
                {
                    while (!run.IsCompleted)
                    {
                        live.UpdateTarget(new Markup(Markup.Escape(await reporter.RefreshAsync())));
                        await Task.WhenAny(run, Task.Delay(500, CancellationToken.None));
                    }
                });
            }
            else if (mode == "lines")
            {
                while (!run.IsCompleted)
                {
                    await Task.WhenAny(run, Task.Delay(1000, CancellationToken.None));
                    if (reporter.LineDue()) Console.Out.WriteLine(await reporter.RefreshAsync());
                }
            }
            await run;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }

        var c = scanner.Counters;
        var counts = await catalogue.CountAsync(CancellationToken.None);
        double seconds = clock.Elapsed.TotalSeconds;
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(interrupted ? "Stopped" : "Done")} in {seconds:0.0} s: found {c.Found:N0}, queued {c.Queued:N0}; this process analysed {c.Analysed:N0} " +
            $"({c.Analysed / Math.Max(seconds, 1e-9):0.0} files/s, {c.AudioSeconds / Math.Max(seconds, 1e-9):0}× real time), reused {c.Cached:N0} by content, " +
            $"{c.Unchanged:N0} unchanged, {c.Failed:N0} failed; {c.Ai:N0} judged AI."));
        Console.Out.WriteLine($"Catalogue: {counts.Total:N0} files — {counts.Done:N0} done, {counts.Failed:N0} failed, {counts.Pending:N0} pending.");
        if (interrupted)
        {
            Console.Out.WriteLine("Finished files are saved; run the same command to continue where this scan stopped.");
            return ExitCodes.Interrupted;
        }
        // A connection string may hold a password: do not echo it.
        Console.Out.WriteLine(Catalogue.IsPostgres(settings.Database)
            ? "Report: discern report --db \"<the same connection string>\" --html report.html"
            : $"Report: discern report --db {Quote(settings.Database)} --html report.html");
        return ExitCodes.Ok;
    }

    private static string Quote(string s) => s.Contains(' ', StringComparison.Ordinal) ? $"\"{s}\"" : s;

    /// <summary>Formats progress: this process's counts, the catalogue's pending rows (shared with other scanners), rate and ETA.</summary>
    private sealed class ProgressReporter(ScanCounters counters, Catalogue catalogue, Stopwatch clock, int every)
    {
        private long _pending = -1;
        private long _lastLineCompleted;
        private TimeSpan _lastLineAt;
        private TimeSpan _lastCountAt = TimeSpan.FromHours(-1);

        public async Task<string> RefreshAsync()
        {
            if (clock.Elapsed - _lastCountAt > TimeSpan.FromSeconds(2))
            {
                _lastCountAt = clock.Elapsed;
                try { _pending = await catalogue.CountPendingAsync(); }
                catch (System.Data.Common.DbException) { /* progress only; the scan reports real errors */ }
            }
            _lastLineCompleted = counters.Completed;
            _lastLineAt = clock.Elapsed;
            return Line(_pending);
        }

        public bool LineDue() => counters.Completed - _lastLineCompleted >= every || clock.Elapsed - _lastLineAt >= TimeSpan.FromSeconds(30)
            || (counters.Completed > 0 && _lastLineCompleted == 0);

        public string Line(long pending)
        {
            double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            long done = counters.Completed;
            double rate = done / seconds;
            string walk = counters.WalkFinished ? $"found {counters.Found:N0}" : $"walking… {counters.Found:N0} found";
            string remaining = pending >= 0 ? $", {pending:N0} pending" : "";
            string eta = pending > 0 && rate > 0 ? $", ETA {TimeSpan.FromSeconds(pending / rate):hh\\:mm\\:ss}" : "";
            return string.Create(CultureInfo.InvariantCulture,
                $"{walk} · {done:N0} done{remaining} · {rate:0.0} files/s, {counters.AudioSeconds / seconds:0}× real time{eta} · {counters.Failed:N0} failed · {counters.Ai:N0} AI");
        }
    }
}
