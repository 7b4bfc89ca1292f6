using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Discern.Web;

/// <summary>Where an analysis is in its life.</summary>
public enum AnalysisStatus
{
    /// <summary>Accepted, waiting for a worker.</summary>
    Queued,
    /// <summary>Being decoded and analysed.</summary>
    Running,
    /// <summary>Finished with a verdict.</summary>
    Done,
    /// <summary>Finished without a verdict (the error says why).</summary>
    Failed,
}

/// <summary>One uploaded file's analysis. Mutable state is only written by the worker that owns it.</summary>
public sealed class AnalysisJob
{
    internal AnalysisJob(string id, string fileName, string spoolPath, long bytes, DateTimeOffset createdAt)
    {
        Id = id;
        FileName = fileName;
        SpoolPath = spoolPath;
        Bytes = bytes;
        CreatedAt = createdAt;
    }

    /// <summary>Unguessable id (128 random bits): knowing it is what grants access to the result.</summary>
    public string Id { get; }

    /// <summary>File name the client gave (display only; never used as a path).</summary>
    public string FileName { get; }

    /// <summary>Uploaded size.</summary>
    public long Bytes { get; }

    /// <summary>When the upload was accepted.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>Current status.</summary>
    public AnalysisStatus Status { get; internal set; } = AnalysisStatus.Queued;

    /// <summary>When the analysis finished, if it has.</summary>
    public DateTimeOffset? CompletedAt { get; internal set; }

    /// <summary>The result, once finished.</summary>
    public AnalysisReport? Report { get; internal set; }

    /// <summary>Machine-readable error code when failed (see <see cref="ErrorCodes"/>).</summary>
    public string? ErrorCode { get; internal set; }

    internal string SpoolPath { get; }

    internal CancellationTokenSource Cancellation { get; } = new();

    internal TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}

/// <summary>
/// Accepted analyses: a bounded queue in front of a fixed number of workers, and the results kept for a while.
/// Bounded on both sides so a burst of uploads cannot exhaust memory, disk or cores: when the queue is full the
/// caller is told at once (503) instead of waiting behind work it cannot see.
/// </summary>
public sealed class AnalysisService : BackgroundService
{
    private readonly Channel<AnalysisJob> _queue;
    private readonly ConcurrentDictionary<string, AnalysisJob> _jobs = new(StringComparer.Ordinal);
    private readonly DiscernWebOptions _options;
    private readonly Detector _detector;
    private readonly TimeProvider _time;
    private readonly ILogger<AnalysisService> _logger;
    private int _running;

    /// <summary>Creates the service with its limits.</summary>
    public AnalysisService(IOptions<DiscernWebOptions> options, Detector detector, TimeProvider time, ILogger<AnalysisService> logger)
    {
        _options = options.Value;
        _detector = detector;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<AnalysisJob>(new BoundedChannelOptions(Math.Max(1, _options.MaxQueuedAnalyses))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
        });
    }

    /// <summary>Awaited by a worker before each analysis; tests use it to hold workers busy and fill the queue deterministically.</summary>
    internal Func<CancellationToken, Task>? BeforeEachAnalysis { get; set; }

    /// <summary>Analyses waiting for a worker.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>Analyses being run now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>
    /// Queues a spooled upload. Returns null when the queue is full; the caller then still owns (and deletes) the file.
    /// </summary>
    public AnalysisJob? TryEnqueue(string fileName, string spoolPath, long bytes)
    {
        var job = new AnalysisJob(AnalysisJob.NewId(), fileName, spoolPath, bytes, _time.GetUtcNow());
        _jobs[job.Id] = job;
        if (_queue.Writer.TryWrite(job)) return job;
        _jobs.TryRemove(job.Id, out _);
        return null;
    }

    /// <summary>The job with this id, if it is known and not expired.</summary>
    public AnalysisJob? Find(string id) => _jobs.TryGetValue(id, out var job) && !IsExpired(job) ? job : null;

    /// <summary>Forgets a job (and cancels it if it has not finished). Returns false when the id is unknown.</summary>
    public bool Remove(string id)
    {
        if (!_jobs.TryRemove(id, out var job)) return false;
        job.Cancellation.Cancel();
        return true;
    }

    /// <summary>Waits until <paramref name="job"/> finishes or <paramref name="timeout"/> passes.</summary>
    public async Task<bool> WaitAsync(AnalysisJob job, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await job.Completion.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var workers = Enumerable.Range(0, Math.Max(1, _options.MaxConcurrentAnalyses)).Select(_ => Task.Run(() => WorkAsync(stoppingToken), stoppingToken)).ToList();
        workers.Add(SweepAsync(stoppingToken));
        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Nothing a client sent may outlive the host: delete whatever is still spooled.
            while (_queue.Reader.TryRead(out var left)) DeleteSpool(left);
        }
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        await foreach (var job in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _running);
            try
            {
                await RunAsync(job, stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
                DeleteSpool(job);
                job.Completion.TrySetResult();
            }
        }
    }

    private async Task RunAsync(AnalysisJob job, CancellationToken stoppingToken)
    {
        if (job.Cancellation.IsCancellationRequested) return;
        job.Status = AnalysisStatus.Running;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, job.Cancellation.Token);
        if (BeforeEachAnalysis is { } hook) await hook(linked.Token).ConfigureAwait(false);
        var options = AnalysisOptions.Default with
        {
            IncludeSpectrum = true,
            MaxInputBytes = _options.MaxUploadBytes,
            MaxDurationSeconds = _options.MaxDurationSeconds,
        };
        try
        {
            var verdict = await _detector.AnalyzeAsync(job.SpoolPath, options, linked.Token).ConfigureAwait(false);
            job.Report = AnalysisReport.From(job.FileName, verdict);
            job.Status = AnalysisStatus.Done;
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            job.ErrorCode = ErrorCodes.Cancelled;
            job.Report = AnalysisReport.Failed(job.FileName, "The analysis was cancelled.");
            job.Status = AnalysisStatus.Failed;
        }
        catch (Exception ex) when (ex is DiscernException or IOException or UnauthorizedAccessException)
        {
            job.ErrorCode = ErrorCodes.For(ex);
            job.Report = AnalysisReport.Failed(job.FileName, ex.Message);
            job.Status = AnalysisStatus.Failed;
        }
        catch (Exception ex)
        {
            // A bug must cost one result, not the worker: log it whole, tell the client only that it failed.
            _logger.LogError(ex, "Analysis {Id} failed unexpectedly", job.Id);
            job.ErrorCode = ErrorCodes.Internal;
            job.Report = AnalysisReport.Failed(job.FileName, "The analysis failed unexpectedly.");
            job.Status = AnalysisStatus.Failed;
        }
        job.CompletedAt = _time.GetUtcNow();
    }

    private bool IsExpired(AnalysisJob job) =>
        job.CompletedAt is { } done && _time.GetUtcNow() - done > _options.ResultRetention;

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            foreach (var job in _jobs.Values.Where(IsExpired).ToList())
                _jobs.TryRemove(job.Id, out _);
    }

    private void DeleteSpool(AnalysisJob job)
    {
        try
        {
            File.Delete(job.SpoolPath);
        }
        catch (IOException ex)
        {
            _logger.LogWarning(ex, "Could not delete spooled upload {Path}", job.SpoolPath);
        }
    }
}
