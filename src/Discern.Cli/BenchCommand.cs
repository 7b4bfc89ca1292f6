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

        double? ffmpegBest = null;
        if (ffmpeg.IsAvailable)
        {
            // ffmpeg decoding to 32-bit float PCM, single-threaded, written nowhere: the floor for any analysis.
            string[] args = ["-hide_banner", "-nostdin", "-loglevel", "error", "-threads", "1", "-i", settings.File, "-map", "0:a:0", "-f", "f32le", "-"];
            ffmpegBest = await Best(repeat, async () => { await ffmpeg.RunAsync(args, cancellationToken); });
        }
        double managedBest = await Best(repeat, () => detector.AnalyzeAsync(settings.File, settings.ToOptions() with { PreferFfmpeg = false }, cancellationToken));
        double? viaFfmpegBest = ffmpeg.IsAvailable
            ? await Best(repeat, () => detector.AnalyzeAsync(settings.File, settings.ToOptions() with { PreferFfmpeg = true }, cancellationToken))
            : null;

        var table = new Table().AddColumns("measurement", "seconds", "× real time", "ratio to ffmpeg decode");
        void Row(string name, double? s) => table.AddRow(name, s is { } v ? $"{v:0.000}" : "–", s is { } w ? $"{audioSeconds / w:0}" : "–",
            s is { } x && ffmpegBest is { } f ? $"{x / f:0.00}" : "–");
        Row("ffmpeg decode to PCM (1 thread)", ffmpegBest);
        Row($"Discern analysis, {first.Input.Decoder} decoder", managedBest);
        Row("Discern analysis, ffmpeg decoder", viaFfmpegBest);
        AnsiConsole.MarkupLine($"{Markup.Escape(settings.File)}: {first.Input.Format}, {first.Input.SampleRateHz} Hz, {first.Input.Channels} ch, {audioSeconds:0.0} s; best of {repeat}");
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }

    private static async Task<double> Best(int repeat, Func<Task> action)
    {
        double best = double.MaxValue;
        for (int i = 0; i < repeat; i++)
        {
            var sw = Stopwatch.StartNew();
            await action();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }
}
