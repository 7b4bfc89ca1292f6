namespace Discern;

/// <summary>
/// Limits and choices for one analysis. Hard limits are explicit so a host can match them to what it accepts:
/// an input over a limit fails with <see cref="InputLimitExceededException"/> instead of exhausting the machine.
/// </summary>
public sealed record AnalysisOptions
{
    /// <summary>Sensible defaults for a desktop or batch run.</summary>
    public static AnalysisOptions Default { get; } = new();

    /// <summary>Largest input accepted, in bytes (default 2 GiB).</summary>
    public long MaxInputBytes { get; init; } = 2L << 30;

    /// <summary>Longest decoded duration accepted (default 2 hours).</summary>
    public double MaxDurationSeconds { get; init; } = 2 * 3600;

    /// <summary>Most channels accepted (default 16; 5.1 and 7.1 are downmixed).</summary>
    public int MaxChannels { get; init; } = 16;

    /// <summary>Lowest sample rate accepted (default 8 kHz).</summary>
    public int MinSampleRateHz { get; init; } = 8000;

    /// <summary>Highest sample rate accepted (default 192 kHz).</summary>
    public int MaxSampleRateHz { get; init; } = 192_000;

    /// <summary>How many residual peaks the verdict lists (default 24).</summary>
    public int MaxPeaks { get; init; } = 24;

    /// <summary>Include the residual spectrum (for plotting) in the verdict (default false: it is a few thousand numbers).</summary>
    public bool IncludeSpectrum { get; init; }

    /// <summary>Use ffmpeg for every format it reads, even those with a managed decoder (faster on long MP3s; default false).</summary>
    public bool PreferFfmpeg { get; init; }

    /// <summary>
    /// Decode MP3 with libmpg123 and Ogg Vorbis with libvorbisfile where they are installed (default true). False keeps to
    /// NLayer and NVorbis, the fully managed decoders: the same samples to float rounding, 1.4 (Vorbis) and six to seven
    /// (MP3) times the decoding time.
    /// </summary>
    public bool UseNativeDecoders { get; init; } = true;

    /// <summary>Path of the ffmpeg executable; null to look on PATH.</summary>
    public string? FfmpegPath { get; init; }
}
