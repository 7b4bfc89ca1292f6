using System.Globalization;
using Discern.Audio;

namespace Discern.Evaluation;

/// <summary>
/// Manipulations applied alike to both classes before measuring (re-encoding, resampling, pitch shifting), through
/// ffmpeg: the figures they give say how the detector holds up to what uploaders and platforms do to audio.
/// </summary>
public static class AudioTransforms
{
    private static readonly Dictionary<string, (string Extension, string[] Arguments)> Table = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mp3-320k"] = ("mp3", ["-c:a", "libmp3lame", "-b:a", "320k"]),
        ["mp3-192k"] = ("mp3", ["-c:a", "libmp3lame", "-b:a", "192k"]),
        ["mp3-128k"] = ("mp3", ["-c:a", "libmp3lame", "-b:a", "128k"]),
        ["mp3-64k"] = ("mp3", ["-c:a", "libmp3lame", "-b:a", "64k"]),
        ["aac-128k"] = ("m4a", ["-c:a", "aac", "-b:a", "128k"]),
        ["opus-96k"] = ("opus", ["-c:a", "libopus", "-b:a", "96k"]),
        ["resample-32k"] = ("flac", ["-af", "aresample=32000:resampler=soxr", "-c:a", "flac"]),
        ["resample-22k-44k"] = ("flac", ["-af", "aresample=22050:resampler=soxr,aresample=44100:resampler=soxr", "-c:a", "flac"]),
        ["pitch+1"] = ("flac", PitchShift(1)),
        ["pitch-1"] = ("flac", PitchShift(-1)),
        ["pitch+2"] = ("flac", PitchShift(2)),
        ["pitch-2"] = ("flac", PitchShift(-2)),
    };

    /// <summary>Names accepted by <see cref="ApplyAsync"/>.</summary>
    public static IReadOnlyCollection<string> Names => Table.Keys;

    /// <summary>Whether <paramref name="name"/> is a known transform ("none" included).</summary>
    public static bool IsKnown(string name) => name.Equals("none", StringComparison.OrdinalIgnoreCase) || Table.ContainsKey(name);

    /// <summary>
    /// Writes <paramref name="inputPath"/> through transform <paramref name="name"/> to a new temporary file and returns its path
    /// (the caller deletes it). Every output is 44.1 kHz-independent: ffmpeg keeps the source's rate unless the transform changes it.
    /// </summary>
    public static async Task<string> ApplyAsync(string inputPath, string name, FfmpegDecoder ffmpeg, CancellationToken cancellationToken = default)
    {
        if (!Table.TryGetValue(name, out var spec)) throw new ArgumentException($"Unknown transform '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));
        var output = Path.Combine(Path.GetTempPath(), $"discern-transform-{Guid.NewGuid():N}.{spec.Extension}");
        var arguments = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", inputPath, "-map", "0:a:0", "-vn" };
        arguments.AddRange(spec.Arguments);
        arguments.Add(output);
        var (code, error) = await ffmpeg.RunAsync(arguments, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            try { File.Delete(output); } catch (IOException) { }
            throw new CorruptAudioException($"Transform '{name}' failed: {error.Trim()}");
        }
        return output;
    }

    /// <summary>Pitch shift by resampling, as most uploaders do it: every frequency scales by 2^(semitones/12), the tempo is restored.</summary>
    private static string[] PitchShift(int semitones)
    {
        double factor = Math.Pow(2, semitones / 12.0);
        // asetrate relabels the rate (pitch and speed change), aresample returns to the source rate, atempo restores speed.
        return ["-af", string.Create(CultureInfo.InvariantCulture,
            $"aresample=44100,asetrate={44100 * factor:0},aresample=44100:resampler=soxr,atempo={1 / factor:0.000000}"), "-c:a", "flac"];
    }
}
