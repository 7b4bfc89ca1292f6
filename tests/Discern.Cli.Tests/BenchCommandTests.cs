namespace Discern.Cli.Tests;

/// <summary><c>discern bench</c> times every path it names, the cold one included, and says what it timed.</summary>
public sealed class BenchCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("discern-bench-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Bench_times_ffmpeg_the_analysis_in_process_and_a_new_discern_process()
    {
        var wav = Path.Combine(_dir, "music.wav");
        await File.WriteAllBytesAsync(wav, Signals.Wav(Signals.MusicLike(22050, 12, seed: 5), 22050, 1));

        var (code, output) = await DiscernProcess.RunAsync("bench", wav, "--repeat", "1");

        Assert.True(code == 0, output);
        // The table wraps its first column over several lines at the width of a redirected console: join that column back.
        var firstColumn = string.Join(' ', output.Split('\n')
            .Where(line => line.StartsWith('│'))
            .Select(line => line.Split('│', StringSplitOptions.TrimEntries)[1])
            .Where(cell => cell.Length > 0));
        Assert.Contains("ffmpeg decode to PCM (1 thread)", firstColumn);
        Assert.Contains("Discern analysis, wav decoder", firstColumn);
        Assert.Contains("discern analyze, new process (wav)", firstColumn);
        Assert.Contains("12.0 s; best of 1", output);
    }
}
