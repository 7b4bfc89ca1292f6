using System.Diagnostics;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Discern.Audio;

/// <summary>
/// Everything without a managed decoder (AAC/M4A, Opus, WMA, AIFF, and the audio track of MP4/WebM/MKV videos)
/// goes through the system's <c>ffmpeg</c>, streamed as 32-bit float WAV on a pipe so memory stays bounded.
/// </summary>
public sealed partial class FfmpegDecoder : IAudioDecoder
{
    private readonly string? _executable;

    /// <summary>Uses <paramref name="executablePath"/>, or finds <c>ffmpeg</c> on PATH when null.</summary>
    public FfmpegDecoder(string? executablePath = null) => _executable = executablePath ?? FindOnPath("ffmpeg");

    /// <inheritdoc />
    public string Name => "ffmpeg";

    /// <summary>Whether an ffmpeg executable was found.</summary>
    public bool IsAvailable => _executable is not null;

    /// <summary>The executable in use, or null.</summary>
    public string? ExecutablePath => _executable;

    /// <inheritdoc />
    public bool CanDecode(AudioFormat format) => IsAvailable;

    /// <inheritdoc />
    public IAudioSource Open(Stream stream, AudioFormat format)
    {
        if (_executable is null)
        {
            stream.Dispose();
            throw new DecoderUnavailableException(
                $"Decoding {Describe(format)} needs ffmpeg, which was not found on PATH. Install it (Debian: apt-get install ffmpeg).");
        }
        string? tempPath = null;
        string inputPath;
        if (stream is FileStream fs && File.Exists(fs.Name))
        {
            inputPath = fs.Name;
            fs.Dispose();
        }
        else
        {
            // Containers such as MP4 may keep their index at the end, so ffmpeg needs a seekable file, not a pipe.
            tempPath = Path.Combine(Path.GetTempPath(), $"discern-{Guid.NewGuid():N}.bin");
            using (stream)
            using (var spool = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                stream.CopyTo(spool);
            inputPath = tempPath;
        }
        return new Source(_executable, inputPath, tempPath);
    }

    /// <summary>Runs ffmpeg with <paramref name="arguments"/> and returns its exit code and standard error (used by transforms and the bench).</summary>
    public async Task<(int ExitCode, string StandardError)> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        if (_executable is null) throw new DecoderUnavailableException("ffmpeg was not found on PATH. Install it (Debian: apt-get install ffmpeg).");
        var info = new ProcessStartInfo(_executable)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new DecoderUnavailableException("ffmpeg could not be started.");
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, cancellationToken);
        try { await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false); }
        catch (OperationCanceledException) { try { process.Kill(true); } catch (InvalidOperationException) { } throw; }
        await stdout.ConfigureAwait(false);
        return (process.ExitCode, await stderr.ConfigureAwait(false));
    }

    internal static string Describe(AudioFormat format) => format switch
    {
        AudioFormat.OggOpus => "Opus", AudioFormat.AacAdts => "AAC", AudioFormat.Mp4 => "MP4/M4A",
        AudioFormat.Matroska => "Matroska/WebM", AudioFormat.Asf => "WMA/ASF", AudioFormat.Aiff => "AIFF",
        _ => format.ToString(),
    };

    /// <summary>The first executable named <paramref name="name"/> on PATH, or null.</summary>
    public static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    [GeneratedRegex(@"Stream #\d+:\d+.*?: Audio: (\w+)")]
    private static partial Regex AudioStreamLine();

    /// <summary>How far ffmpeg may decode ahead of the analysis: ≈ 2.7 s of 48 kHz stereo float audio (Linux's unprivileged pipe maximum).</summary>
    internal const int ReadAheadBytes = 1 << 20;

    /// <summary>
    /// Lets the process writing into <paramref name="output"/> run up to <see cref="ReadAheadBytes"/> ahead of its reader,
    /// and returns the pipe's capacity (0 where it cannot be known). A Linux pipe holds 64 KiB, so ffmpeg stopped each
    /// time the analysis fell behind and the two ran in turn rather than side by side on two cores: a 3-minute AAC file
    /// took 1.73–2.04× ffmpeg's own decoding, and 1.35–1.67× with the wider pipe, with less CPU time as well (fewer
    /// switches; docs/results.md). The kernel holds the buffer, so there is no thread or copy of ours. Elsewhere, or where
    /// the kernel refuses, the default stays.
    /// </summary>
    internal static int WidenPipe(Stream output)
    {
        if (!OperatingSystem.IsLinux() || output is not PipeStream pipe) return 0;
        try
        {
            int fd = (int)pipe.SafePipeHandle.DangerousGetHandle();
            _ = LinuxFcntl(fd, LinuxSetPipeSize, ReadAheadBytes);
            return Math.Max(0, LinuxFcntl(fd, LinuxGetPipeSize, 0));
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return 0;
        }
    }

    private const int LinuxSetPipeSize = 1031, LinuxGetPipeSize = 1032; // F_SETPIPE_SZ, F_GETPIPE_SZ

    [DllImport("libc", EntryPoint = "fcntl")]
    private static extern int LinuxFcntl(int fd, int command, int argument);

    private sealed class Source : IAudioSource
    {
        private readonly Process _process;
        private readonly string? _tempPath;
        private readonly StringBuilder _stderr = new();
        private readonly IAudioSource _wav;
        private bool _finished;

        public Source(string executable, string inputPath, string? tempPath)
        {
            _tempPath = tempPath;
            var info = new ProcessStartInfo(executable)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            };
            foreach (var a in new[] { "-hide_banner", "-nostdin", "-i", inputPath, "-map", "0:a:0", "-vn", "-sn", "-dn",
                                      "-c:a", "pcm_f32le", "-f", "wav", "-" })
                info.ArgumentList.Add(a);
            _process = Process.Start(info) ?? throw new DecoderUnavailableException("ffmpeg could not be started.");
            _process.StandardInput.Close();
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
            _process.BeginErrorReadLine();
            _ = WidenPipe(_process.StandardOutput.BaseStream);
            try
            {
                _wav = WavDecoder.OpenPiped(_process.StandardOutput.BaseStream, "pcm_f32le");
            }
            catch (CorruptAudioException)
            {
                WaitForExit(5000);
                var error = ErrorText();
                Dispose();
                throw error.Contains("Invalid data found", StringComparison.Ordinal) || error.Contains("could not find codec", StringComparison.OrdinalIgnoreCase)
                    ? new UnsupportedFormatException("ffmpeg does not recognise this data as audio or video.")
                    : error.Contains("matches no streams", StringComparison.Ordinal) || error.Contains("does not contain any stream", StringComparison.Ordinal)
                        ? new NoAudioTrackException()
                        : new CorruptAudioException($"ffmpeg could not decode the file: {LastLine(error)}");
            }
        }

        public int SampleRateHz => _wav.SampleRateHz;
        public int Channels => _wav.Channels;
        public TimeSpan? DeclaredDuration => null;

        public string Codec
        {
            get
            {
                var m = AudioStreamLine().Match(ErrorText());
                return m.Success ? m.Groups[1].Value : "unknown";
            }
        }

        public int Read(Span<float> interleaved)
        {
            int n = _wav.Read(interleaved);
            if (n == 0 && !_finished)
            {
                _finished = true;
                WaitForExit(10_000);
                if (_process.HasExited && _process.ExitCode != 0)
                    throw new CorruptAudioException($"ffmpeg stopped with an error: {LastLine(ErrorText())}");
            }
            return n;
        }

        private string ErrorText() { lock (_stderr) return _stderr.ToString(); }

        /// <summary>
        /// Waits for ffmpeg to exit and, once it has, for its last stderr lines: the timed overload returns at the exit
        /// without waiting for the asynchronous reader, which then often had not yet seen the line that says why (a video
        /// without an audio track was reported as "no message").
        /// </summary>
        private void WaitForExit(int milliseconds)
        {
            if (_process.WaitForExit(milliseconds)) _process.WaitForExit();
        }

        private static string LastLine(string text)
        {
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return lines.Length == 0 ? "no message" : lines[^1];
        }

        public void Dispose()
        {
            try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            _process.Dispose();
            if (_tempPath is not null) try { File.Delete(_tempPath); } catch (IOException) { }
        }
    }
}
