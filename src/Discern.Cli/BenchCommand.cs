using System.Diagnostics;
using Discern.Audio;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Discern.Cli;

internal sealed class BenchCommand : AsyncCommand<BenchCommand.Settings>
{
    public sealed class Settings : AudioSettings
    {
        [CommandArgument(0, "<FILE>")]
        public string File { get; init; } = "";

        [CommandOption("--repeat <N>")]
        [System.ComponentModel.Description("Runs of each measurement; the fastest counts (default 5).")]
        public int Repeat { get; init; } = 5;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!System.IO.File.Exists(settings.File)) throw new FileNotFoundException($"File '{settings.File}' does not exist.");
        var ffmpeg = new FfmpegDecoder();
        var detector = settings.LoadDetector();
        int repeat = Math.Max(1, settings.Repeat);

        // Warm up JIT and the file cache so the figures compare steady states.
        var first = await detector.AnalyzeAsync(settings.File, settings.ToOptions(), cancellationToken);
        double audioSeconds = first.Input.DurationSeconds;

        Timing? ffmpegBest = null;
        if (ffmpeg.IsAvailable)
        {
            // ffmpeg decoding to 32-bit float PCM, single-threaded, written to the null device: the floor for any analysis.
            // Not to a pipe: reading 60 MB of PCM back through one costs this process more CPU than ffmpeg's decoding.
            string[] args = ["-hide_banner", "-nostdin", "-loglevel", "error", "-threads", "1", "-i", settings.File, "-map", "0:a:0", "-f", "f32le", "-y",
                             OperatingSystem.IsWindows() ? "NUL" : "/dev/null"];
            ffmpegBest = await Best(repeat, async () => { await ffmpeg.RunAsync(args, cancellationToken); });
        }
        var managedBest = await Best(repeat, () => detector.AnalyzeAsync(settings.File, settings.ToOptions() with { PreferFfmpeg = false }, cancellationToken));
        // Where a native library decoded, the fully managed path as well: what a machine without it gets.
        var managedFallbacks = new Dictionary<string, string>
        {
            [new Mpg123Decoder().Name] = new Mp3Decoder().Name,
            [new VorbisFileDecoder().Name] = new VorbisDecoder().Name,
        };
        bool native = managedFallbacks.TryGetValue(first.Input.Decoder, out var managedDecoder);
        Timing? managedDecoderBest = native
            ? await Best(repeat, () => detector.AnalyzeAsync(settings.File, settings.ToOptions() with { PreferFfmpeg = false, UseNativeDecoders = false }, cancellationToken))
            : null;
        Timing? viaFfmpegBest = ffmpeg.IsAvailable
            ? await Best(repeat, () => detector.AnalyzeAsync(settings.File, settings.ToOptions() with { PreferFfmpeg = true }, cancellationToken))
            : null;

        // What a user waits for when analysing one file: a new process, with the runtime's start-up and JIT compilation.
        var coldBest = await Best(repeat, () => AnalyseInNewProcessAsync(settings, cancellationToken));

        var table = new Table().AddColumns("measurement", "seconds", "× real time", "ratio to ffmpeg decode", "CPU seconds", "CPU ratio");
        void Row(string name, Timing? t) => table.AddRow(name,
            t is { } a ? $"{a.WallSeconds:0.000}" : "–",
            t is { } b ? $"{audioSeconds / b.WallSeconds:0}" : "–",
            t is { } c && ffmpegBest is { } f ? $"{c.WallSeconds / f.WallSeconds:0.00}" : "–",
            t?.CpuSeconds is { } cpu ? $"{cpu:0.000}" : "–",
            t?.CpuSeconds is { } x && ffmpegBest?.CpuSeconds is { } y && y > 0 ? $"{x / y:0.00}" : "–");
        Row("ffmpeg decode to PCM (1 thread)", ffmpegBest);
        Row($"Discern analysis, {first.Input.Decoder} decoder", managedBest);
        if (native) Row($"Discern analysis, {managedDecoder} decoder (managed)", managedDecoderBest);
        Row("Discern analysis, ffmpeg decoder", viaFfmpegBest);
        Row($"discern analyze, new process ({first.Input.Decoder})", coldBest);
        AnsiConsole.MarkupLine($"{Markup.Escape(settings.File)}: {first.Input.Format}, {first.Input.SampleRateHz} Hz, {first.Input.Channels} ch, {audioSeconds:0.0} s; best of {repeat}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("CPU seconds add up every process and thread (Discern's own, and the ffmpeg it starts): what the work costs on one core, " +
                               "where the wall clock lets ffmpeg decode on one core while Discern analyses on another. The analysis rows run in this " +
                               "process after a warm-up; the last row is one file as a user runs it, from a cold start.");
        return ExitCodes.Ok;
    }

    /// <summary>Runs <c>discern analyze FILE</c> as a child process of the same build, its output discarded.</summary>
    private static async Task AnalyseInNewProcessAsync(Settings settings, CancellationToken cancellationToken)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown.");
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Under "dotnet discern.dll" (or dotnet run) the host is dotnet itself, which needs the entry assembly.
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            info.ArgumentList.Add(typeof(BenchCommand).Assembly.Location);
        info.ArgumentList.Add("analyze");
        // The same settings as the in-process rows, so the row names the decoder it used.
        if (settings.ModelPath is not null) { info.ArgumentList.Add("--model"); info.ArgumentList.Add(settings.ModelPath); }
        if (settings.PreferFfmpeg) info.ArgumentList.Add("--prefer-ffmpeg");
        if (settings.MaxDurationSeconds is { } seconds) { info.ArgumentList.Add("--max-duration"); info.ArgumentList.Add(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
        if (settings.MaxBytes is { } bytes) { info.ArgumentList.Add("--max-bytes"); info.ArgumentList.Add(bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
        info.ArgumentList.Add(settings.File);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("discern could not be started.");
        var stdout = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        await stdout;
        if (process.ExitCode != 0) throw new InvalidOperationException($"discern analyze stopped with exit code {process.ExitCode}: {await stderr}");
    }

    /// <summary>The fastest run's wall-clock time, and the least CPU time of any run (null where the system does not say).</summary>
    private readonly record struct Timing(double WallSeconds, double? CpuSeconds);

    private static async Task<Timing> Best(int repeat, Func<Task> action)
    {
        double best = double.MaxValue;
        double? bestCpu = null;
        for (int i = 0; i < repeat; i++)
        {
            var cpuBefore = CpuClock.SecondsUsed();
            var sw = Stopwatch.StartNew();
            await action();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            if (cpuBefore is { } before && CpuClock.SecondsUsed() is { } after) bestCpu = Math.Min(bestCpu ?? double.MaxValue, after - before);
        }
        return new Timing(best, bestCpu);
    }
}

/// <summary>
/// CPU time used by this process and by the child processes it has waited for (ffmpeg), from <c>getrusage</c>:
/// .NET reports a child's time only while its <see cref="Process"/> object lives, and the decoders dispose theirs.
/// </summary>
internal static class CpuClock
{
    private const int Self = 0, Children = -1;

    /// <summary>User plus system seconds of this process and its finished children; null off Linux and macOS, or on failure.</summary>
    public static double? SecondsUsed() =>
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? Seconds(Self) + Seconds(Children) : null;

    private static double? Seconds(int who)
    {
        // struct rusage opens with two struct timevals (user, system), each two longs on 64-bit Unix; the rest is padding here.
        var usage = new long[18];
        return GetResourceUsage(who, usage) == 0 ? usage[0] + usage[1] / 1e6 + usage[2] + usage[3] / 1e6 : null;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetResourceUsage(int who, long[] usage);
}
