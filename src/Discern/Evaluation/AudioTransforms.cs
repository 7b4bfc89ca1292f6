using System.Globalization;
using System.Text.RegularExpressions;
using Discern.Audio;

namespace Discern.Evaluation;

/// <summary>What a transform needs to know about its input.</summary>
/// <param name="SampleRateHz">The input's sample rate.</param>
/// <param name="MeanVolumeDb">Mean level in dBFS (RMS), from ffmpeg's volumedetect.</param>
/// <param name="ChannelLayout">ffmpeg's name of the channel layout (mono, stereo, 5.1…).</param>
public readonly record struct TransformInput(int SampleRateHz, double MeanVolumeDb, string ChannelLayout = "stereo");

/// <summary>A manipulation applied alike to both classes before measuring.</summary>
/// <param name="Name">Name given to <c>--transform</c>.</param>
/// <param name="Kind">What it stands for (codec, resampling, pitch, tempo, noise, dynamics, mix, degradation).</param>
/// <param name="Description">What it does, for tables.</param>
/// <param name="Extension">Container of the output.</param>
/// <param name="Arguments">ffmpeg output arguments for an input.</param>
/// <param name="NeedsMixSource">Whether a second recording is mixed in (<see cref="TransformOptions.MixWithPath"/>).</param>
/// <param name="NeedsInputFacts">Whether <paramref name="Arguments"/> reads the <see cref="TransformInput"/>; when not, the probing pass is skipped.</param>
public sealed record AudioTransform(string Name, string Kind, string Description, string Extension, Func<TransformInput, string[]> Arguments,
    bool NeedsMixSource = false, bool NeedsInputFacts = true);

/// <summary>Inputs some transforms need besides the clip.</summary>
public sealed record TransformOptions
{
    /// <summary>No mix source.</summary>
    public static TransformOptions Default { get; } = new();

    /// <summary>A human recording that "mix-human" mixes under every clip (looped, at half amplitude).</summary>
    public string? MixWithPath { get; init; }
}

/// <summary>
/// Manipulations applied alike to both classes before measuring (re-encoding, resampling, pitch shifting, time
/// stretching, noise, loudness processing, mixing, lo-fi degradation), through ffmpeg: the figures they give say how
/// the detector holds up to what uploaders and platforms do to audio, and whether degraded human recordings get
/// called AI. Every output keeps the input's sample rate unless the transform is about the rate.
/// </summary>
public static partial class AudioTransforms
{
    private static readonly AudioTransform[] All =
    [
        Codec("mp3-320k", "MP3 320 kbps", "mp3", "libmp3lame", "320k"),
        Codec("mp3-192k", "MP3 192 kbps", "mp3", "libmp3lame", "192k"),
        Codec("mp3-128k", "MP3 128 kbps", "mp3", "libmp3lame", "128k"),
        Codec("mp3-64k", "MP3 64 kbps", "mp3", "libmp3lame", "64k"),
        Codec("aac-128k", "AAC 128 kbps", "m4a", "aac", "128k"),
        Codec("opus-96k", "Opus 96 kbps", "opus", "libopus", "96k"),
        Filter("resample-48k-44k", "resampling", "to 48 kHz, then to 44.1 kHz", $"{Resample(48000)},{Resample(44100)}"),
        Filter("resample-22k-44k", "resampling", "down to 22.05 kHz and back up to 44.1 kHz", $"{Resample(22050)},{Resample(44100)}"),
        Filter("resample-48k", "resampling", "to 48 kHz (the rate of most video soundtracks)", Resample(48000)),
        Filter("resample-32k", "resampling", "to 32 kHz", Resample(32000)),
        Filter("resample-16k", "resampling", "to 16 kHz (8 kHz of band left)", Resample(16000)),
        Pitch(+1), Pitch(-1), Pitch(+2), Pitch(-2),
        RubberBandPitch(+2), RubberBandPitch(-2),
        Filter("tempo+5", "tempo", "5 % faster, same pitch (time stretch)", "atempo=1.05"),
        Filter("tempo-5", "tempo", "5 % slower, same pitch (time stretch)", "atempo=0.95"),
        // Noise uniform in ±a has an RMS of a/√3; aeval adds it to every channel and keeps the layout.
        Filter("noise-30db", "noise", "white noise 30 dB below the clip's mean level",
            input => Invariant($"aeval=exprs=val(ch)+{Math.Min(1, Math.Pow(10, (input.MeanVolumeDb - 30) / 20) * Math.Sqrt(3)):0.000000000}*(2*random(0)-1):channel_layout=same")),
        // loudnorm works at 192 kHz internally; -ar brings the output back to the input's rate.
        new("loudnorm-limit", "dynamics", "loudness normalised to −14 LUFS then limited (streaming mastering)", "flac", input =>
            ["-af", "loudnorm=I=-14:TP=-1:LRA=11,alimiter=limit=0.7:level=false", "-ar", Invariant($"{input.SampleRateHz}"), "-c:a", "flac"]),
        new("mix-human", "mix", "mixed with a human recording at half amplitude (an AI stem in a human track, or the reverse)", "flac", input =>
        [
            "-filter_complex", Invariant($"[1:a:0]aresample={input.SampleRateHz},aformat=channel_layouts={input.ChannelLayout},volume=0.5[h];[0:a:0][h]amix=inputs=2:duration=first:normalize=0[out]"),
            "-map", "[out]", "-c:a", "flac",
        ], NeedsMixSource: true),
        Filter("lowpass-8k", "degradation", "band-limited to 8 kHz (old or low-rate recording)",
            input => $"{Resample(16000)},{Resample(input.SampleRateHz)}"),
        Filter("lofi", "degradation", "telephone-like band 150 Hz–7 kHz, 8-bit quantisation (lo-fi production)",
            "highpass=f=150,lowpass=f=7000:poles=2,acrusher=bits=8:mode=lin:aa=1:mix=1"),
        Codec("mp3-32k", "MP3 32 kbps (low-bitrate upload)", "mp3", "libmp3lame", "32k"),
        Codec("opus-48k", "Opus 48 kbps (low-bitrate streaming; its noise filling blurs fine structure)", "opus", "libopus", "48k"),
    ];

    private static readonly Dictionary<string, AudioTransform> ByName = All.ToDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every transform, in table order.</summary>
    public static IReadOnlyList<AudioTransform> Transforms => All;

    /// <summary>Names accepted by <see cref="ApplyAsync"/>.</summary>
    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>Whether <paramref name="name"/> is a known transform ("none" included).</summary>
    public static bool IsKnown(string name) => name.Equals("none", StringComparison.OrdinalIgnoreCase) || ByName.ContainsKey(name);

    /// <summary>The transform called <paramref name="name"/>.</summary>
    public static AudioTransform Get(string name) =>
        ByName.TryGetValue(name, out var t) ? t : throw new ArgumentException($"Unknown transform '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));

    /// <summary>
    /// Writes <paramref name="inputPath"/> through transform <paramref name="name"/> to a new temporary file and returns its path
    /// (the caller deletes it).
    /// </summary>
    public static async Task<string> ApplyAsync(string inputPath, string name, FfmpegDecoder ffmpeg, TransformOptions? options = null, CancellationToken cancellationToken = default)
    {
        var transform = Get(name);
        options ??= TransformOptions.Default;
        if (transform.NeedsMixSource && (options.MixWithPath is null || !File.Exists(options.MixWithPath)))
            throw new ArgumentException($"Transform '{name}' needs a human recording to mix in (--mix-with FILE); '{options.MixWithPath}' was not found.", nameof(options));
        // The probe decodes the whole clip once more: only transforms whose arguments depend on the input pay for it.
        var input = transform.NeedsInputFacts ? await ProbeAsync(inputPath, ffmpeg, cancellationToken).ConfigureAwait(false) : default;
        var output = Path.Combine(Path.GetTempPath(), $"discern-transform-{Guid.NewGuid():N}.{transform.Extension}");
        var arguments = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", inputPath };
        if (transform.NeedsMixSource) arguments.AddRange(["-stream_loop", "-1", "-i", options.MixWithPath!]);
        var specific = transform.Arguments(input);
        if (!specific.Contains("-filter_complex")) arguments.AddRange(["-map", "0:a:0"]);
        arguments.Add("-vn");
        arguments.AddRange(specific);
        arguments.Add(output);
        var (code, error) = await ffmpeg.RunAsync(arguments, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            try { File.Delete(output); } catch (IOException) { }
            throw new CorruptAudioException($"Transform '{name}' failed: {error.Trim()}");
        }
        return output;
    }

    /// <summary>The input's sample rate and mean level, from one ffmpeg pass (volumedetect).</summary>
    private static async Task<TransformInput> ProbeAsync(string path, FfmpegDecoder ffmpeg, CancellationToken cancellationToken)
    {
        var (code, log) = await ffmpeg.RunAsync(["-hide_banner", "-nostdin", "-i", path, "-map", "0:a:0", "-af", "volumedetect", "-f", "null", "-"], cancellationToken)
            .ConfigureAwait(false);
        var rate = RateRegex().Match(log);
        if (code != 0 || !rate.Success) throw new CorruptAudioException($"Could not read '{Path.GetFileName(path)}' with ffmpeg: {log.Trim().Split('\n')[^1]}");
        var volume = VolumeRegex().Match(log);
        return new TransformInput(int.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture),
            volume.Success ? double.Parse(volume.Groups[1].Value, CultureInfo.InvariantCulture) : -20, rate.Groups[2].Value.Trim());
    }

    private static AudioTransform Codec(string name, string description, string extension, string encoder, string bitrate) =>
        new(name, "codec", description, extension, _ => ["-c:a", encoder, "-b:a", bitrate], NeedsInputFacts: false);

    private static AudioTransform Filter(string name, string kind, string description, Func<TransformInput, string> filter) =>
        new(name, kind, description, "flac", input => ["-af", filter(input), "-c:a", "flac"]);

    /// <summary>A filter chain that is the same for every input, so no probing pass is needed.</summary>
    private static AudioTransform Filter(string name, string kind, string description, string filter) =>
        new(name, kind, description, "flac", _ => ["-af", filter, "-c:a", "flac"], NeedsInputFacts: false);

    /// <summary>Pitch shift by resampling, as most uploaders do it: every frequency scales by 2^(semitones/12), the tempo is restored.</summary>
    private static AudioTransform Pitch(int semitones)
    {
        double factor = Math.Pow(2, semitones / 12.0);
        // asetrate relabels the rate (pitch and speed change), aresample returns to the source rate, atempo restores speed.
        return Filter(semitones > 0 ? $"pitch+{semitones}" : $"pitch{semitones}", "pitch", $"pitch {semitones:+0;-0} semitone{(Math.Abs(semitones) > 1 ? "s" : "")}, tempo kept",
            input => Invariant($"asetrate={input.SampleRateHz * factor:0},{Resample(input.SampleRateHz)},atempo={1 / factor:0.000000}"));
    }

    /// <summary>
    /// Pitch shift with the Rubber Band library (ffmpeg's <c>rubberband</c> filter: a phase vocoder that keeps
    /// transients), the other common way to shift pitch (Audacity, many DAWs and Python pipelines), next to
    /// <see cref="Pitch"/>'s resample-and-WSOLA. Which one a re-upload went through is unknown, so both are measured.
    /// </summary>
    private static AudioTransform RubberBandPitch(int semitones) =>
        Filter(Invariant($"pitch{semitones:+0;-0}-rubberband"), "pitch", Invariant($"pitch {semitones:+0;-0} semitones with Rubber Band (phase vocoder), tempo kept"),
            Invariant($"rubberband=pitch={Math.Pow(2, semitones / 12.0):0.000000}"));

    /// <summary>
    /// A high-quality (SoX) resampler working in float: given 16-bit input, soxr works in integers and dithers its output
    /// with a fresh random seed on every run, so the same clip came out different each time and an evaluation's figures
    /// moved from one run to the next (a clip's probability by up to 0.06).
    /// </summary>
    private static string Resample(int rateHz) => Invariant($"aresample={rateHz}:resampler=soxr:internal_sample_fmt=fltp");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Audio: [^\n]*?, (\d+) Hz, ([^,\n]+)")]
    private static partial Regex RateRegex();

    [GeneratedRegex(@"mean_volume: (-?[\d.]+) dB")]
    private static partial Regex VolumeRegex();
}
