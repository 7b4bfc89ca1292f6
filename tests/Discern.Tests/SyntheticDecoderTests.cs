using Discern.Audio;
using Discern.Dsp;
using Discern.Evaluation;
using Discern.Features;

namespace Discern.Tests;

public class SyntheticDecoderTests
{
    private static readonly int CombHarmonicity = FeatureExtractor.IndexOf("comb_harmonicity");
    private static readonly int CombStrength = FeatureExtractor.IndexOf("comb_strength");

    [Fact]
    public void Its_pattern_is_what_a_stack_of_transposed_convolutions_outputs_for_a_constant_input()
    {
        var random = new Random(5);
        int[] strides = [4, 3];
        var kernels = strides.Select(s => Enumerable.Range(0, 2 * s).Select(_ => random.NextDouble() * 2 - 1).ToArray()).ToList();
        var period = SyntheticDecoder.SteadyState(strides, kernels);
        Assert.Equal(12, period.Length);

        // The same stack run directly on 200 latent frames of 1.
        var latent = Enumerable.Repeat(1f, 200).ToArray();
        var first = Signals.TransposedConvolution(latent, 4, [.. kernels[0].Select(k => (float)k)], bias: 0);
        var output = Signals.TransposedConvolution(first, 3, [.. kernels[1].Select(k => (float)k)], bias: 0);
        // Past the start-up (the kernels' lengths) and before the end, the output repeats the steady-state period.
        for (int n = 120; n < 1200; n++) Assert.Equal(period[n % 12], output[n], 4);
    }

    [Fact]
    public void Its_lines_fall_at_multiples_of_the_rate_over_the_product_of_the_strides()
    {
        const int rate = 44100;
        var music = Darker(Signals.MusicLike(rate, 12, seed: 2));
        var decoder = new SyntheticDecoder([8, 8, 4], levelDb: -30, seed: 1);
        Assert.Equal(256, decoder.PeriodSamples);
        var decoded = (float[])music.Clone();
        var state = default(SyntheticDecoder.State);
        decoder.Apply(decoded, channels: 1, rate, ref state);

        var with = LongTermComb(decoded, rate);
        var without = LongTermComb(music, rate);
        double binHz = rate / (double)FeatureConfig.Default.FftSizeFor(rate);
        Assert.True(Math.Abs(with.SpacingHz - decoder.LineSpacingHz(rate)) <= 1.5 * binHz, $"comb spacing {with.SpacingHz:0.0} Hz (strength {with.Strength:0.00}, harmonicity {with.Harmonicity:0.00}) for lines {decoder.LineSpacingHz(rate):0.0} Hz apart; without: {without.SpacingHz:0.0} Hz, {without.Harmonicity:0.00}");
        Assert.True(with.Harmonicity > 0.3 && without.Harmonicity < FeatureConfig.Default.CombHarmonicityFloor,
            $"comb harmonicity with the decoder {with.Harmonicity:0.00}, without {without.Harmonicity:0.00}");
        // The weighed feature keeps what exceeds the floor: the music's chance comb counts for nothing, the decoder's does.
        Assert.Equal(0, CombAndNote(music, rate).WeighedHarmonicity);
        Assert.True(CombAndNote(decoded, rate).WeighedHarmonicity > 0);
    }

    [Fact]
    public void A_held_note_makes_a_comb_but_not_a_decoders_and_decoder_lines_do()
    {
        const int rate = 44100;
        var music = Darker(Signals.MusicLike(rate, 12, seed: 8));
        // A drone: a sawtooth at 175 Hz (F3) held for the whole clip, its harmonics falling as 1/k.
        var drone = (float[])music.Clone();
        for (int i = 0; i < drone.Length; i++) drone[i] += (float)(0.3 * (2 * ((175.0 * i / rate) % 1) - 1));
        var lined = (float[])music.Clone();
        var state = default(SyntheticDecoder.State);
        new SyntheticDecoder([7, 6, 6], levelDb: -30, seed: 2).Apply(lined, 1, rate, ref state);

        var (droneComb, droneNote, droneFeature) = CombAndNote(drone, rate);
        var (linedComb, linedNote, linedFeature) = CombAndNote(lined, rate);
        Assert.True(droneComb.Harmonicity > 0.3, $"the drone's comb harmonicity {droneComb.Harmonicity:0.00} at {droneComb.SpacingHz:0.0} Hz");
        Assert.True(droneNote > 12 && droneFeature == 0, $"the drone's note prominence {droneNote:0.0} dB, weighed harmonicity {droneFeature:0.00}");
        Assert.True(linedComb.Harmonicity > 0.3 && linedNote < 6
            && Math.Abs(linedFeature - (linedComb.Harmonicity - FeatureConfig.Default.CombHarmonicityFloor)) < 1e-9,
            $"decoder lines: harmonicity {linedComb.Harmonicity:0.00} at {linedComb.SpacingHz:0.0} Hz, note prominence {linedNote:0.0} dB, weighed {linedFeature:0.00}");
    }

    [Fact]
    public void Applying_it_block_by_block_gives_the_same_samples_as_all_at_once()
    {
        var music = Signals.Interleave(Signals.MusicLike(32000, 2, seed: 3), Signals.MusicLike(32000, 2, seed: 4));
        var decoder = SyntheticDecoder.ForClip("human/some/clip.flac", 32000);
        var whole = (float[])music.Clone();
        var state = default(SyntheticDecoder.State);
        decoder.Apply(whole, 2, 32000, ref state);

        var blocks = (float[])music.Clone();
        state = default;
        for (int start = 0; start < blocks.Length; start += 2 * 1000)
            decoder.Apply(blocks.AsSpan(start, Math.Min(2 * 1000, blocks.Length - start)), 2, 32000, ref state);
        Assert.Equal(whole, blocks);
        Assert.NotEqual(music, whole);
    }

    [Theory]
    [InlineData(8000)]
    [InlineData(22050)]
    [InlineData(44100)]
    [InlineData(48000)]
    [InlineData(192000)]
    public void Each_clip_gets_its_own_reproducible_decoder_with_lines_15_to_400_Hz_apart(int rate)
    {
        var decoders = Enumerable.Range(0, 50).Select(i => SyntheticDecoder.ForClip($"human/source/{i}.ogg", rate)).ToList();
        Assert.All(decoders, d => Assert.InRange(d.LineSpacingHz(rate), 15, 400));
        Assert.All(decoders, d => Assert.InRange(d.LevelDb, -50, -30));
        Assert.True(decoders.Select(d => d.PeriodSamples).Distinct().Count() > 3, "the strides should vary from clip to clip");

        var again = SyntheticDecoder.ForClip("human/source/7.ogg", rate);
        Assert.Equal(decoders[7].StridesUsed, again.StridesUsed);
        Assert.Equal(decoders[7].LevelDb, again.LevelDb);
        Assert.True(decoders[7].Period.SequenceEqual(again.Period));
    }

    [Fact]
    public void Measuring_through_the_wrapped_decoders_shows_the_comb_and_the_clip_takes_it_from_the_long_term_spectrum()
    {
        const int rate = 44100;
        var wav = Signals.Wav(Signals.Interleave(Darker(Signals.MusicLike(rate, 15, seed: 6)), Darker(Signals.MusicLike(rate, 15, seed: 7))), rate, channels: 2, bits: 32, isFloat: true);
        // A key whose decoder is loud enough to see in this stand-in for music (the level is drawn per key).
        var key = Enumerable.Range(0, 100).Select(i => $"clip{i}").First(k => SyntheticDecoder.ForClip(k, rate).LevelDb > -35);
        var decoder = SyntheticDecoder.ForClip(key, rate);

        var plain = new AudioMeasurer(FeatureConfig.Default, AudioDecoders.CreateDefault()).Measure(new MemoryStream(wav), AnalysisOptions.Default);
        var lined = new AudioMeasurer(FeatureConfig.Default, SyntheticDecoder.Wrap(AudioDecoders.CreateDefault(), key))
            .Measure(new MemoryStream(wav), AnalysisOptions.Default);

        Assert.NotNull(lined.Features);
        Assert.Equal(lined.Comb.Strength, lined.Features[CombStrength]);
        Assert.Equal(plain.Comb.Strength, plain.Features![CombStrength]);
        Assert.InRange(lined.Features[CombHarmonicity], 0, lined.Comb.Harmonicity);
        Assert.True(SyntheticDecoder.LeftVisibleLines(lined), $"comb harmonicity {lined.Comb.Harmonicity:0.00} at {decoder.LevelDb:0} dB");
        Assert.False(SyntheticDecoder.LeftVisibleLines(plain), $"comb harmonicity without the decoder {plain.Comb.Harmonicity:0.00}");
        double binHz = rate / (double)FeatureConfig.Default.FftSizeFor(rate);
        Assert.InRange(lined.Comb.SpacingHz, decoder.LineSpacingHz(rate) - 1.5 * binHz, decoder.LineSpacingHz(rate) + 1.5 * binHz);
    }

    [Fact]
    public async Task The_augmentation_turns_human_clips_only_into_AI_examples_weighed_as_one_source()
    {
        var dir = Directory.CreateTempSubdirectory("discern-synthetic-");
        try
        {
            const int rate = 44100;
            var entries = new List<ManifestEntry>();
            for (int i = 0; i < 3; i++)
            {
                var path = Path.Combine(dir.FullName, $"{i}.wav");
                await File.WriteAllBytesAsync(path, Signals.Wav(Darker(Signals.MusicLike(rate, 12, seed: 20 + i)), rate, channels: 1));
                entries.Add(new ManifestEntry(path, $"{i}.wav", IsAi: i == 0, Source: i == 0 ? "generator" : "band", Generator: i == 0 ? "generator" : "human"));
            }
            var measured = await Evaluator.MeasureAsync(entries, FeatureConfig.Default, SyntheticDecoder.AugmentationName, workers: 1);

            Assert.NotEmpty(measured);
            Assert.All(measured, m =>
            {
                Assert.Equal("band", m.Entry.Source);
                Assert.True(m.Entry.IsAi);
                Assert.True(SyntheticDecoder.LeftVisibleLines(m.Measurement!));
                var example = m.ToExample();
                Assert.True(example.IsAi);
                Assert.Equal(SyntheticDecoder.SourceName, example.Source);
            });
            Assert.DoesNotContain(measured, m => m.Entry.RelativePath == "0.wav");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// <see cref="Signals.MusicLike"/> through two one-pole low-passes (≈ 700 Hz at 44.1 kHz): recorded music is some 30 dB
    /// quieter at 8 kHz than in its mids, which is where a decoder's lines show; the plain stand-in is nearly white up there.
    /// </summary>
    private static float[] Darker(float[] music)
    {
        var y = new float[music.Length];
        float a = 0, b = 0;
        for (int i = 0; i < music.Length; i++)
        {
            a += 0.1f * (music[i] - a);
            b += 0.1f * (a - b);
            y[i] = 3 * b;
        }
        return y;
    }

    private static (CombEstimate Comb, double NoteProminenceDb, double WeighedHarmonicity) CombAndNote(float[] samples, int rate)
    {
        var config = FeatureConfig.Default;
        int fft = config.FftSizeFor(rate);
        var averager = new SpectrumAverager(fft, fft / 2, 10_000, 10_000, _ => { });
        averager.Push(samples);
        var features = new FeatureExtractor(config).Extract(averager.Total, rate);
        var total = averager.Total;
        var db = new float[total.BinCount];
        for (int k = 0; k < db.Length; k++) db[k] = (float)(total.DbSum[k] / total.Frames);
        double binHz = rate / 2.0 / (db.Length - 1);
        return (features.Comb, Fakeprint.NoteProminenceDb(db, binHz, features.Comb.SpacingHz), features.Values![CombHarmonicity]);
    }

    private static CombEstimate LongTermComb(float[] samples, int rate)
    {
        var config = FeatureConfig.Default;
        int fft = config.FftSizeFor(rate);
        var averager = new SpectrumAverager(fft, fft / 2, 10_000, 10_000, _ => { });
        averager.Push(samples);
        return new FeatureExtractor(config).Extract(averager.Total, rate).Comb;
    }
}
