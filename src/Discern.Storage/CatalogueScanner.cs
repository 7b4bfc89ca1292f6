using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Discern.Storage;

/// <summary>Settings of a catalogue scan.</summary>
public sealed record ScanOptions
{
    /// <summary>The defaults: one worker per core, four files per claim.</summary>
    public static ScanOptions Default { get; } = new();

    /// <summary>Files analysed at once by this process.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Files a worker takes per claim and commits together. Small, because a crash redoes at most this many files per
    /// worker, and large enough that short files do not spend their time in commits.
    /// </summary>
    public int FilesPerClaim { get; init; } = 4;

    /// <summary>Walked files registered per database statement.</summary>
    public int RegisterBatchSize { get; init; } = 500;

    /// <summary>Longest a walked file waits before its batch is registered, so workers start while a slow walk goes on.</summary>
    public TimeSpan RegisterDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Analyse again the files that failed last time (otherwise a failure stands until the file changes or the model does).</summary>
    public bool RetryFailed { get; init; }

    /// <summary>How each file is analysed (limits, decoder preference).</summary>
    public AnalysisOptions Analysis { get; init; } = AnalysisOptions.Default;

    /// <summary>How often an idle worker looks for work another scanner gave back or the walk added.</summary>
    public TimeSpan IdlePollInterval { get; init; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>What one scanner process has done so far; safe to read while the scan runs.</summary>
public sealed class ScanCounters
{
    private long _found, _queued, _analysed, _cached, _unchanged, _failed, _ai, _walkProblems;
    private long _audioMilliseconds;
    private volatile bool _walkFinished;

    /// <summary>Audio or video files the walk found.</summary>
    public long Found => Interlocked.Read(ref _found);
    /// <summary>Found files that needed a verdict (new, changed, new model, retried).</summary>
    public long Queued => Interlocked.Read(ref _queued);
    /// <summary>Files this process decoded and analysed.</summary>
    public long Analysed => Interlocked.Read(ref _analysed);
    /// <summary>Files whose result was reused from another file with the same content.</summary>
    public long Cached => Interlocked.Read(ref _cached);
    /// <summary>Touched files whose content had not changed.</summary>
    public long Unchanged => Interlocked.Read(ref _unchanged);
    /// <summary>Files that could not be analysed (the error is in their row).</summary>
    public long Failed => Interlocked.Read(ref _failed);
    /// <summary>Files judged AI.</summary>
    public long Ai => Interlocked.Read(ref _ai);
    /// <summary>Inputs or folders the walk could not read.</summary>
    public long WalkProblems => Interlocked.Read(ref _walkProblems);
    /// <summary>Decoded audio analysed, in seconds.</summary>
    public double AudioSeconds => Interlocked.Read(ref _audioMilliseconds) / 1000.0;
    /// <summary>Whether the walk has ended.</summary>
    public bool WalkFinished => _walkFinished;
    /// <summary>Files this process finished, whatever the outcome.</summary>
    public long Completed => Analysed + Cached + Unchanged + Failed;

    internal void AddFound(long n) => Interlocked.Add(ref _found, n);
    internal void AddQueued(long n) => Interlocked.Add(ref _queued, n);
    internal void AddWalkProblem() => Interlocked.Increment(ref _walkProblems);
    internal void FinishWalk() => _walkFinished = true;

    internal void Add(FileOutcome outcome)
    {
        if (outcome.Status == FileStatus.Failed) Interlocked.Increment(ref _failed);
        else if (outcome.ResultSource == ResultSource.Cache) Interlocked.Increment(ref _cached);
        else if (outcome.ResultSource == ResultSource.Unchanged) Interlocked.Increment(ref _unchanged);
        else
        {
            Interlocked.Increment(ref _analysed);
            Interlocked.Add(ref _audioMilliseconds, (long)((outcome.DurationSeconds ?? 0) * 1000));
        }
        if (outcome.Verdict == "ai") Interlocked.Increment(ref _ai);
    }
}

/// <summary>
/// Runs a catalogue scan: walks the inputs into the catalogue, then works through every pending row with bounded
/// parallelism until none is left — its own and any that other scanners of the same catalogue gave back.
/// Each file is hashed (SHA-256) first: unchanged content keeps its verdict, and content already judged under another
/// path reuses that result. Results are committed a few files at a time, so a scan stopped by Ctrl-C, <c>kill -9</c> or
/// a power cut loses at most the files in progress, and running it again continues.
/// </summary>
public sealed class CatalogueScanner
{
    private static readonly JsonSerializerOptions EvidenceJson = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly Catalogue _catalogue;
    private readonly Detector _detector;
    private readonly ScanOptions _options;
    private readonly TimeProvider _time;
    private readonly string _worker = $"{Environment.MachineName}:{Environment.ProcessId}";
    // Analyses this process is running or has recently finished, by content hash: a copy met while its twin is being
    // analysed, or before the twin's claim is committed (so the database cannot answer yet), reuses the twin's result.
    private const int RecentResultsKept = 4096;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task<FileOutcome>> _inFlight = new(StringComparer.Ordinal);

    /// <summary>Creates a scanner that writes into <paramref name="catalogue"/> with <paramref name="detector"/>'s model.</summary>
    public CatalogueScanner(Catalogue catalogue, Detector detector, ScanOptions? options = null, TimeProvider? timeProvider = null)
    {
        _catalogue = catalogue ?? throw new ArgumentNullException(nameof(catalogue));
        _detector = detector ?? throw new ArgumentNullException(nameof(detector));
        _options = options ?? ScanOptions.Default;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.Workers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.FilesPerClaim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.RegisterBatchSize);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Progress so far.</summary>
    public ScanCounters Counters { get; } = new();

    /// <summary>Told about each input the walk could not read (the scan goes on).</summary>
    public event Action<string>? WalkProblem;

    /// <summary>
    /// Walks <paramref name="inputs"/> (none: only work through what is pending, e.g. to help another scanner) and
    /// analyses what needs it. Cancelling stops cleanly: finished files are committed, the rest stay pending.
    /// </summary>
    /// <exception cref="OperationCanceledException">The scan was cancelled (after committing what was finished).</exception>
    public async Task<ScanCounters> RunAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var walk = Task.Run(() => WalkAsync(inputs, cancellationToken), cancellationToken);
        var workers = Enumerable.Range(0, _options.Workers).Select(_ => Task.Run(() => WorkAsync(walk, cancellationToken), cancellationToken)).ToList();
        await Task.WhenAll([walk, .. workers]).ConfigureAwait(false);
        return Counters;
    }

    private async Task WalkAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        try
        {
            var batch = new List<FileCandidate>(_options.RegisterBatchSize);
            long batchStarted = 0;
            foreach (var file in CatalogueWalker.Walk(inputs, OnWalkProblem))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (batch.Count == 0) batchStarted = _time.GetTimestamp();
                batch.Add(file);
                if (batch.Count >= _options.RegisterBatchSize || _time.GetElapsedTime(batchStarted) >= _options.RegisterDelay)
                    await FlushAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            await FlushAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Counters.FinishWalk();
        }
    }

    private void OnWalkProblem(string problem)
    {
        Counters.AddWalkProblem();
        WalkProblem?.Invoke(problem);
    }

    private async Task FlushAsync(List<FileCandidate> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return;
        int queued = await _catalogue.RegisterAsync(batch, _detector.Model.ModelId, _options.RetryFailed, cancellationToken).ConfigureAwait(false);
        Counters.AddFound(batch.Count);
        Counters.AddQueued(queued);
        batch.Clear();
    }

    private async Task WorkAsync(Task walk, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var claim = await _catalogue.ClaimAsync(_options.FilesPerClaim, cancellationToken).ConfigureAwait(false);
            if (claim is null)
            {
                if (walk.IsCompleted && await _catalogue.CountPendingAsync(cancellationToken).ConfigureAwait(false) == 0) return;
                // The walk may add more, or another worker or scanner holds the last rows: wait, so that if it dies
                // its rows come back to us and no file is left pending.
                await Task.Delay(_options.IdlePollInterval, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            await using (claim.ConfigureAwait(false))
            {
                var finished = new List<FileOutcome>(claim.Files.Count);
                try
                {
                    foreach (var file in claim.Files)
                    {
                        var outcome = await ProcessAsync(file, cancellationToken).ConfigureAwait(false);
                        claim.Complete(file, outcome);
                        finished.Add(outcome);
                    }
                }
                finally
                {
                    // Even when stopping, keep what is finished; the rest of the claim goes back to pending.
                    await claim.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                    foreach (var outcome in finished) Counters.Add(outcome);
                }
            }
        }
    }

    /// <summary>Hashes, then reuses or computes the file's verdict. Never throws for a bad file: the failure is the outcome.</summary>
    private async Task<FileOutcome> ProcessAsync(ClaimedFile file, CancellationToken cancellationToken)
    {
        string modelId = _detector.Model.ModelId;
        var clock = Stopwatch.StartNew();
        string? sha256 = null;
        double hashMs = 0;
        try
        {
            var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (stream.ConfigureAwait(false))
            {
                if (stream.Length > _options.Analysis.MaxInputBytes)
                    throw new InputLimitExceededException($"The file is {stream.Length:N0} bytes, over the {_options.Analysis.MaxInputBytes:N0}-byte limit.");
                sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
                hashMs = clock.Elapsed.TotalMilliseconds;

                if (file.HasVerdict && file.Sha256 == sha256 && file.ModelId == modelId)
                    return Outcome(FileStatus.Done, ResultSource.Unchanged) with { Sha256 = sha256, HashMs = hashMs };

                var known = await _catalogue.FindResultAsync(sha256, modelId, cancellationToken).ConfigureAwait(false);
                if (known is not null && known.Id != file.Id)
                    return FromEntry(known) with { Sha256 = sha256, HashMs = hashMs };

                var mine = new TaskCompletionSource<FileOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
                var running = _inFlight.GetOrAdd(sha256, mine.Task);
                if (running != mine.Task)
                {
                    var twin = await running.WaitAsync(cancellationToken).ConfigureAwait(false);
                    if (twin.Status == FileStatus.Done)
                        return twin with { ResultSource = ResultSource.Cache, Sha256 = sha256, HashMs = hashMs, AnalysisMs = 0, CompletedUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds() };
                }
                try
                {
                    stream.Position = 0;
                    clock.Restart();
                    var verdict = await _detector.AnalyzeAsync(stream, _options.Analysis, cancellationToken).ConfigureAwait(false);
                    var outcome = FromVerdict(verdict) with { Sha256 = sha256, HashMs = hashMs, AnalysisMs = clock.Elapsed.TotalMilliseconds };
                    mine.TrySetResult(outcome);
                    if (_inFlight.Count > RecentResultsKept) _inFlight.Clear(); // bounded memory; the database remembers
                    return outcome;
                }
                catch (Exception ex)
                {
                    // Failed or cancelled: let the next copy try for itself.
                    _inFlight.TryRemove(new KeyValuePair<string, Task<FileOutcome>>(sha256, mine.Task));
                    mine.TrySetException(ex);
                    throw;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // A batch never stops for one file: whatever went wrong is that file's recorded result.
            var (code, message) = ex switch
            {
                DiscernException d => (d.Code, d.Message),
                FileNotFoundException or DirectoryNotFoundException => ("not-found", "The file no longer exists."),
                UnauthorizedAccessException => ("access-denied", ex.Message),
                IOException => ("io-error", ex.Message),
                _ => ("internal-error", $"{ex.GetType().Name}: {ex.Message}"),
            };
            return Outcome(FileStatus.Failed, ResultSource.Analysed) with { Sha256 = sha256, HashMs = hashMs, Error = message, ErrorCode = code };
        }
    }

    private FileOutcome Outcome(string status, string source) => new()
    {
        Status = status,
        ResultSource = source,
        ModelId = _detector.Model.ModelId,
        FeatureConfigId = _detector.FeatureConfig.Id,
        DiscernVersion = Detector.Version,
        Worker = _worker,
        CompletedUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds(),
    };

    private FileOutcome FromVerdict(Verdict verdict)
    {
        // The evidence minus the plotted spectrum and the weakest peaks: a row stays a few kilobytes at most.
        var evidence = verdict with { Spectrum = null, Peaks = [.. verdict.Peaks.OrderByDescending(p => p.ProminenceDb).Take(8)] };
        return Outcome(FileStatus.Done, ResultSource.Analysed) with
        {
            Verdict = AnalysisReport.LabelName(verdict.Label),
            ProbabilityAi = verdict.ProbabilityAi,
            Generator = verdict.Generator?.Family,
            Format = verdict.Input.Format,
            Codec = verdict.Input.Codec,
            SampleRateHz = verdict.Input.SampleRateHz,
            Channels = verdict.Input.Channels,
            DurationSeconds = verdict.Input.DurationSeconds,
            Evidence = JsonSerializer.Serialize(evidence, EvidenceJson),
        };
    }

    private FileOutcome FromEntry(CatalogueEntry known) => new FileOutcome(known) with
    {
        Status = FileStatus.Done,
        ResultSource = ResultSource.Cache,
        AnalysisMs = 0,
        Worker = _worker,
        CompletedUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds(),
    };
}
