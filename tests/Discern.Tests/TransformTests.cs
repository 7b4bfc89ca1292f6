using Discern.Audio;
using Discern.Evaluation;
using Discern.Features;

namespace Discern.Tests;

/// <summary>Every manipulation of the robustness table runs through ffmpeg and gives audio the detector can measure.</summary>
public sealed class TransformTests : IDisposable
{
    private const int Rate = 44100;
    private readonly string _clip = Path.Combine(Path.GetTempPath(), $"discern-transform-test-{Guid.NewGuid():N}.wav");
    private readonly string _mix = Path.Combine(Path.GetTempPath(), $"discern-transform-mix-{Guid.NewGuid():N}.wav");
    private readonly FfmpegDecoder _ffmpeg = new();

    public TransformTests()
    {
        var music = Signals.MusicLike(Rate, 8, 11);
        var stereo = new float[music.Length * 2];
        for (int i = 0; i < music.Length; i++) { stereo[2 * i] = music[i]; stereo[2 * i + 1] = 0.8f * music[i]; }
        File.WriteAllBytes(_clip, Signals.Wav(stereo, Rate, 2));
        File.WriteAllBytes(_mix, Signals.Wav(Signals.MusicLike(Rate, 3, 12), Rate, 1));
    }

    public static TheoryData<string> Names() => [.. AudioTransforms.Transforms.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Each_transform_gives_measurable_audio_of_the_expected_rate_and_length(string name)
    {
        Assert.True(_ffmpeg.IsAvailable, "ffmpeg is needed (bash scripts/setup.sh installs it)");
        var output = await AudioTransforms.ApplyAsync(_clip, name, _ffmpeg, new TransformOptions { MixWithPath = _mix });
        try
        {
            var m = new AudioMeasurer(FeatureConfig.Default, AudioDecoders.CreateDefault())
                .Measure(File.OpenRead(output), AnalysisOptions.Default);
            // Opus always decodes at 48 kHz, as an uploaded Opus file does.
            int expectedRate = name switch { "resample-48k" => 48000, "resample-32k" => 32000, "resample-16k" => 16000, "opus-96k" or "opus-48k" => 48000, _ => Rate };
            Assert.Equal(expectedRate, m.Input.SampleRateHz);
            double expectedSeconds = name switch { "tempo+5" => 8 / 1.05, "tempo-5" => 8 / 0.95, _ => 8 };
            Assert.InRange(m.Input.DurationSeconds, expectedSeconds - 0.15, expectedSeconds + 0.15);
            // Band-limiting transforms may leave too little band to judge; every other one must yield features.
            if (AudioTransforms.Get(name).Kind != "degradation" && name is not ("mp3-32k" or "resample-22k-44k"))
                Assert.NotNull(m.Features);
            if (name == "lowpass-8k") Assert.InRange(m.Input.EffectiveBandwidthHz, 6000, 9000);
            if (name is "noise-30db" or "mix-human") Assert.Equal(2, m.Input.Channels);
        }
        finally { File.Delete(output); }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Each_transform_gives_the_same_audio_every_time(string name)
    {
        // An evaluation must print the same figures twice; soxr used to dither 16-bit input with a random seed.
        var options = new TransformOptions { MixWithPath = _mix };
        var first = await AudioTransforms.ApplyAsync(_clip, name, _ffmpeg, options);
        var second = await AudioTransforms.ApplyAsync(_clip, name, _ffmpeg, options);
        try
        {
            float[] Decode(string path)
            {
                using var source = AudioDecoders.CreateDefault().Open(File.OpenRead(path)).Source;
                return Signals.DecodeAll(source);
            }
            Assert.Equal(Decode(first), Decode(second));
        }
        finally
        {
            File.Delete(first);
            File.Delete(second);
        }
    }

    [Fact]
    public async Task Mixing_without_a_recording_to_mix_in_is_refused_clearly()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => AudioTransforms.ApplyAsync(_clip, "mix-human", _ffmpeg));
        Assert.Contains("--mix-with", ex.Message);
        Assert.Throws<ArgumentException>(() => AudioTransforms.Get("no-such-transform"));
    }

    [Fact]
    public async Task Noise_is_added_thirty_decibels_below_the_signal()
    {
        var output = await AudioTransforms.ApplyAsync(_clip, "noise-30db", _ffmpeg);
        try
        {
            var (_, log) = await _ffmpeg.RunAsync(["-hide_banner", "-i", output, "-af", "volumedetect", "-f", "null", "-"]);
            var (_, original) = await _ffmpeg.RunAsync(["-hide_banner", "-i", _clip, "-af", "volumedetect", "-f", "null", "-"]);
            double Mean(string text) => double.Parse(System.Text.RegularExpressions.Regex.Match(text, @"mean_volume: (-?[\d.]+) dB").Groups[1].Value,
                System.Globalization.CultureInfo.InvariantCulture);
            // Uncorrelated noise 30 dB down raises the level by 10·log10(1 + 10^-3) ≈ 0.004 dB: the level barely moves.
            Assert.InRange(Mean(log) - Mean(original), -0.2, 0.2);
        }
        finally { File.Delete(output); }
    }

    public void Dispose()
    {
        File.Delete(_clip);
        File.Delete(_mix);
    }
}
