using System.Text.Json;
using Discern.Tests;

namespace Discern.Cli.Tests;

/// <summary><c>discern splice</c> end to end on a manifest of clips the test makes.</summary>
public sealed class SpliceCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("discern-splice-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Two sources per class, two 20 s clips each: a held-out model trains on the four clips of the other two sources.
    // The "AI" clips go through a transposed-convolution upsampler, as a neural decoder's output does.
    private string Manifest() => TestManifest.Write(_dir, Enumerable.Range(0, 8).Select(i =>
    {
        bool ai = i < 4;
        var music = Signals.MusicLike(TestManifest.SampleRateHz, 20, seed: 30 + i);
        var samples = ai ? Signals.TransposedConvolution(music[..(music.Length / 4)], 4, [0.2f, 0.5f, 1f, 0.5f, 0.2f, 0.1f, 0.05f, 0.02f], 0.01f) : music;
        return new TestClip($"{(ai ? "ai" : "human")}{i}.wav", ai, $"{(ai ? "a" : "h")}{i / 2}", samples);
    }));

    [Fact]
    public async Task Held_out_splice_evaluation_reports_both_directions_as_json()
    {
        var (code, output) = await DiscernProcess.RunAsync("splice", Manifest(), "--held-out", "--no-augment", "--cases", "2", "--json");
        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output);
        var summaries = json.RootElement.GetProperty("summaries");
        Assert.Equal(["ai-in-human", "human-in-ai"], summaries.EnumerateArray().Select(s => s.GetProperty("direction").GetString()));
        Assert.All(summaries.EnumerateArray(), s =>
        {
            Assert.Equal(2, s.GetProperty("cases").GetInt32());
            Assert.True(s.GetProperty("meanBoundaryErrorSeconds").GetDouble() >= 0);
        });
        Assert.Equal(4, json.RootElement.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task Bad_options_are_usage_errors()
    {
        var manifest = Manifest();
        Assert.Equal(2, (await DiscernProcess.RunAsync("splice", manifest, "--cases", "0")).Code);
        Assert.Equal(2, (await DiscernProcess.RunAsync("splice", manifest, "--transform", "mix-human")).Code);
        Assert.Equal(2, (await DiscernProcess.RunAsync("splice", manifest, "--held-out", "--model", "x.json")).Code);
    }
}
