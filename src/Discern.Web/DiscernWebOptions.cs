namespace Discern.Web;

/// <summary>Limits and retention of the web host, bound from the "Discern" configuration section (e.g. <c>--Discern:MaxUploadBytes=…</c>).</summary>
public sealed class DiscernWebOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Discern";

    /// <summary>Largest accepted upload (200 MB: a long lossless song or a short video).</summary>
    public long MaxUploadBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>Longest audio analysed (20 minutes); longer inputs get a clear error.</summary>
    public double MaxDurationSeconds { get; set; } = 20 * 60;

    /// <summary>Analyses run at once; default one per core, since each analysis keeps a core busy.</summary>
    public int MaxConcurrentAnalyses { get; set; } = Environment.ProcessorCount;

    /// <summary>Accepted analyses waiting for a free worker; beyond this, uploads get 503 with Retry-After.</summary>
    public int MaxQueuedAnalyses { get; set; } = 32;

    /// <summary>How long finished results stay retrievable by id.</summary>
    public TimeSpan ResultRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Uploads one client (by remote address) may start per minute; 0 disables the limit.</summary>
    public int UploadsPerMinutePerClient { get; set; } = 30;

    /// <summary>Longest wait of a synchronous request (<c>?wait=true</c>) before it answers 202 with the id.</summary>
    public TimeSpan SynchronousWait { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Where uploads are spooled; the system temporary folder when null.</summary>
    public string? TempDirectory { get; set; }

    /// <summary>Model file to load instead of the shipped one.</summary>
    public string? ModelPath { get; set; }
}
