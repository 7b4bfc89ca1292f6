namespace Discern.Storage;

/// <summary>A file found by a walk, before it is analysed.</summary>
/// <param name="Path">Absolute path, the row's key: every scanner of a shared catalogue must see the files under the same paths.</param>
/// <param name="SizeBytes">Size when found.</param>
/// <param name="ModifiedUnixMs">Last write time when found, in milliseconds since 1970 UTC.</param>
public sealed record FileCandidate(string Path, long SizeBytes, long ModifiedUnixMs)
{
    /// <summary>The candidate for an existing file, from what the file system says about it.</summary>
    public static FileCandidate From(FileInfo file) =>
        new(file.FullName, file.Length, new DateTimeOffset(file.LastWriteTimeUtc).ToUnixTimeMilliseconds());
}

/// <summary>The states of a catalogue row.</summary>
public static class FileStatus
{
    /// <summary>Found and waiting for (or being given) a verdict.</summary>
    public const string Pending = "pending";
    /// <summary>Analysed: the row holds a verdict.</summary>
    public const string Done = "done";
    /// <summary>Could not be analysed: the row holds the error.</summary>
    public const string Failed = "failed";
}

/// <summary>How a row got its result.</summary>
public static class ResultSource
{
    /// <summary>The file was decoded and analysed.</summary>
    public const string Analysed = "analysed";
    /// <summary>Another file with the same content hash had been analysed with the same model: its result was reused.</summary>
    public const string Cache = "cache";
    /// <summary>The file was touched but its content hash is the one already analysed with this model.</summary>
    public const string Unchanged = "unchanged";
}

/// <summary>A pending file one scanner holds until it writes the result.</summary>
/// <param name="Id">Row id.</param>
/// <param name="Path">Absolute path.</param>
/// <param name="Sha256">Content hash of the last analysis, if any.</param>
/// <param name="ModelId">Model of the last analysis, if any.</param>
/// <param name="HasVerdict">Whether the row still holds the verdict of its last analysis.</param>
public sealed record ClaimedFile(long Id, string Path, string? Sha256, string? ModelId, bool HasVerdict);

/// <summary>
/// The result columns of a catalogue row (names in snake case in the database): what a scanner writes for a file and
/// what reports read back.
/// </summary>
public abstract record FileResult
{
    /// <summary><see cref="FileStatus"/>.</summary>
    public string Status { get; init; } = "";
    /// <summary>How the result was obtained (<see cref="Storage.ResultSource"/>).</summary>
    public string? ResultSource { get; init; }
    /// <summary>SHA-256 of the file's bytes, lower-case hex; null when the file could not be read.</summary>
    public string? Sha256 { get; init; }
    /// <summary>"ai", "human" or "uncertain"; null on failure.</summary>
    public string? Verdict { get; init; }
    /// <summary>Calibrated probability of AI generation.</summary>
    public double? ProbabilityAi { get; init; }
    /// <summary>Likely generator family.</summary>
    public string? Generator { get; init; }
    /// <summary>Model that judged the file.</summary>
    public string? ModelId { get; init; }
    /// <summary>Feature configuration of that model.</summary>
    public string? FeatureConfigId { get; init; }
    /// <summary>Discern version that judged the file.</summary>
    public string? DiscernVersion { get; init; }
    /// <summary>Container or stream format.</summary>
    public string? Format { get; init; }
    /// <summary>Codec as decoded.</summary>
    public string? Codec { get; init; }
    /// <summary>Sample rate.</summary>
    public long? SampleRateHz { get; init; }
    /// <summary>Channel count.</summary>
    public long? Channels { get; init; }
    /// <summary>Decoded duration.</summary>
    public double? DurationSeconds { get; init; }
    /// <summary>The verdict's evidence as compact JSON (reasons, peaks, comb, segments, features), without the plotted spectrum.</summary>
    public string? Evidence { get; init; }
    /// <summary>Why the file could not be analysed.</summary>
    public string? Error { get; init; }
    /// <summary>Stable error code (e.g. "corrupt-audio").</summary>
    public string? ErrorCode { get; init; }
    /// <summary>Time spent hashing.</summary>
    public double? HashMs { get; init; }
    /// <summary>Time spent decoding and analysing (0 when the result was reused).</summary>
    public double? AnalysisMs { get; init; }
    /// <summary>When the result was written (ms since 1970 UTC).</summary>
    public long? CompletedUnixMs { get; init; }
    /// <summary>The scanner that wrote it ("host:pid").</summary>
    public string? Worker { get; init; }
}

/// <summary>The result written back for one claimed file.</summary>
public sealed record FileOutcome : FileResult
{
    /// <summary>An empty outcome.</summary>
    public FileOutcome() { }

    /// <summary>An outcome that starts as a copy of another file's result (the content-hash cache).</summary>
    public FileOutcome(FileResult result) : base(result) { }
}

/// <summary>One catalogue row as reports and exports read it.</summary>
public sealed record CatalogueEntry : FileResult
{
    /// <summary>Row id.</summary>
    public long Id { get; init; }
    /// <summary>Absolute path.</summary>
    public string Path { get; init; } = "";
    /// <summary>Directory of the file.</summary>
    public string Folder { get; init; } = "";
    /// <summary>Size when last found.</summary>
    public long SizeBytes { get; init; }
    /// <summary>Last write time when last found (ms since 1970 UTC).</summary>
    public long ModifiedUnixMs { get; init; }
    /// <summary>How many times a scanner wrote a result for this row (more than one only after a change, a new model or a retry).</summary>
    public long Attempts { get; init; }
}

/// <summary>Row counts by status.</summary>
/// <param name="Pending">Waiting or in progress.</param>
/// <param name="Done">Analysed.</param>
/// <param name="Failed">Could not be analysed.</param>
public sealed record CatalogueCounts(long Pending, long Done, long Failed)
{
    /// <summary>All rows.</summary>
    public long Total => Pending + Done + Failed;
}
