using Discern.Dsp;

namespace Discern.Tests;

public class DecoderGridTests
{
    private const double BinHz = 44100.0 / 16384;
    private const double FirstBinHz = 4000;
    private const int Bins = (int)((16000 - FirstBinHz) / BinHz);

    /// <summary>A residual like the published recipe's (0–5 dB above the envelope) with teeth at every multiple of <paramref name="spacingHz"/>.</summary>
    private static float[] ResidualWithTeeth(double spacingHz, int seed, double toothDb = 2.5)
    {
        var rng = new Random(seed);
        var residual = Signals.Noise(Bins, seed, amplitude: 1).Select(v => Math.Abs(v)).ToArray();
        for (int k = (int)Math.Ceiling(FirstBinHz / spacingHz); k * spacingHz < FirstBinHz + (Bins - 2) * BinHz; k++)
        {
            // Split each tooth between the two bins around its exact frequency; heights vary from tooth to tooth, as a
            // decoder's do (its kernels weigh each image differently).
            double position = (k * spacingHz - FirstBinHz) / BinHz, height = toothDb * (0.5 + rng.NextDouble());
            int bin = (int)position;
            double fraction = position - bin;
            residual[bin] += (float)(height * (1 - fraction));
            residual[bin + 1] += (float)(height * fraction);
        }
        return residual;
    }

    [Fact]
    public void Lines_at_a_sub_multiple_of_the_rate_are_found_with_their_rate_and_upsampling()
    {
        // EnCodec-like strides 8·5·4·2 = 320 at 44.1 kHz: lines every 137.8125 Hz.
        var grid = DecoderGrid.Detect(ResidualWithTeeth(44100.0 / 320, seed: 1), FirstBinHz, BinHz, 15, 400);
        Assert.Equal(44100, grid.SampleRateHz);
        Assert.Equal(320, grid.Upsampling);
        Assert.Equal(137.8125, grid.SpacingHz, 6);
        Assert.True(grid.Score >= Attribution.MinGridScore, $"score {grid.Score:0.0}");
    }

    [Theory]
    [InlineData(151.3)]   // a held note's harmonics: as regular as a decoder's lines, but at no rate's sub-multiple
    [InlineData(86.5)]    // 0.4 % from 44.1 kHz / 512: close is not exact
    public void A_regular_comb_off_every_grid_scores_low(double spacingHz)
    {
        var grid = DecoderGrid.Detect(ResidualWithTeeth(spacingHz, seed: 2), FirstBinHz, BinHz, 15, 400);
        Assert.True(grid.Score < 2, $"a {spacingHz} Hz comb scored {grid.Score:0.0} as {grid.SampleRateHz} Hz / {grid.Upsampling}");
    }

    [Fact]
    public void A_note_held_on_a_rate_sub_multiple_is_not_taken_for_a_decoder()
    {
        // 44.1 kHz / 450 = 98.0 Hz is a G2 to the cent, and 44.1 kHz / 100 = 441 Hz two semitones down a G4 within 4 cents:
        // a note held through a clip puts its harmonics there exactly, so neither spacing is a candidate. (A comb as even
        // as this one to 16 kHz still matches some candidates in a simple ratio to it, 245 Hz = 5/2 · 98 Hz among them; a
        // real note's harmonics fade, and on the corpus the G2 of warzone2100's menu theme no longer shows a grid.)
        var g2 = DecoderGrid.Detect(ResidualWithTeeth(44100.0 / 450, seed: 6), FirstBinHz, BinHz, 15, 400);
        Assert.NotEqual(450, g2.Upsampling);
        var g4 = DecoderGrid.Detect(ResidualWithTeeth(441 * Math.Pow(2, -2 / 12.0), seed: 7), FirstBinHz, BinHz, 15, 400, pitchShiftSemitones: -2);
        Assert.NotEqual(100, g4.Upsampling);
        // The decoders' own spacings lie 10 cents or more from every note: 44.1 kHz / 160 = 275.6 Hz is found.
        Assert.True(Attribution.IsDecoderGrid(DecoderGrid.Detect(ResidualWithTeeth(44100.0 / 160, seed: 6), FirstBinHz, BinHz, 15, 400)));
    }

    [Fact]
    public void Noise_has_no_decoder_grid()
    {
        // The score compares the best of some 190 exact spacings with the best of as many wrong ones: noise puts either
        // ahead by chance, but not by the margin that names a decoder.
        var scores = Enumerable.Range(3, 40)
            .Select(seed => DecoderGrid.Detect(Signals.Noise(Bins, seed, amplitude: 1).Select(v => Math.Abs(v)).ToArray(), FirstBinHz, BinHz, 15, 400).Score)
            .ToList();
        Assert.True(scores.Max() < Attribution.MinGridScore - 1, $"noise scored up to {scores.Max():0.0}");
        Assert.InRange(scores.Average(), -1, 1);
    }

    [Fact]
    public void Too_narrow_a_band_gives_no_grid()
    {
        var residual = ResidualWithTeeth(44100.0 / 320, seed: 1)[..20];
        Assert.Equal(default, DecoderGrid.Detect(residual, FirstBinHz, BinHz, 15, 400));
    }

    [Fact]
    public void Detecting_allocates_nothing()
    {
        var residual = ResidualWithTeeth(44100.0 / 512, seed: 4);
        DecoderGrid.Detect(residual, FirstBinHz, BinHz, 15, 400);
        long before = GC.GetAllocatedBytesForCurrentThread();
        DecoderGrid.Detect(residual, FirstBinHz, BinHz, 15, 400);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_transposed_convolution_under_music_shows_as_its_grid_and_the_music_alone_does_not()
    {
        const int rate = 44100;
        var music = Signals.MusicLike(rate, 12, seed: 1);
        // One transposed convolution of stride 512 (a DAC-like latent rate of 86.1 Hz) 20 dB under the music: its lines
        // must be found at exactly 44.1 kHz / 512.
        var decoded = Signals.WithDecoderLines(music, stride: 512);

        var withDecoder = MeasureGrid(decoded, rate);
        var musicAlone = MeasureGrid(music, rate);
        Assert.True(withDecoder.Upsampling == 512, $"found {withDecoder}");
        Assert.Equal((rate, 0), (withDecoder.SampleRateHz, withDecoder.PitchShiftSemitones));
        Assert.True(withDecoder.Score >= Attribution.MinGridScore, $"score with the decoder {withDecoder.Score:0.0}");
        Assert.False(Attribution.IsDecoderGrid(musicAlone), $"the music alone: {musicAlone}");

        // Played a semitone lower (the same samples declared at 44.1 kHz · 2^(−1/12) = 41,625 Hz: every frequency, the
        // lines' included, times 2^(−1/12)), the grid is found again, a semitone down; the music alone still shows none.
        const int lowered = 41625;
        var shifted = MeasureGrid(decoded, lowered);
        Assert.Equal((rate, 512, -1), (shifted.SampleRateHz, shifted.Upsampling, shifted.PitchShiftSemitones));
        Assert.True(Attribution.IsDecoderGrid(shifted), $"shifted: {shifted}");
        Assert.False(Attribution.IsDecoderGrid(MeasureGrid(music, lowered)));
    }

    private static GridComb MeasureGrid(float[] samples, int sampleRateHz)
    {
        using var wav = new MemoryStream(Signals.Wav(samples, sampleRateHz, 1));
        return Detector.Load().AnalyzeAsync(wav).GetAwaiter().GetResult().Grid;
    }

    [Fact]
    public void A_grid_moved_by_a_pitch_shift_is_found_where_the_shift_put_it()
    {
        // EnCodec-like 44.1 kHz / 320 lines after a pitch shift of one semitone up: every line times 2^(1/12).
        var residual = ResidualWithTeeth(44100.0 / 320 * Math.Pow(2, 1 / 12.0), seed: 5);
        var asItIs = DecoderGrid.Detect(residual, FirstBinHz, BinHz, 15, 400);
        Assert.False(Attribution.IsDecoderGrid(asItIs), $"unshifted: {asItIs}");

        var shifted = DecoderGrid.Detect(residual, FirstBinHz, BinHz, 15, 400, pitchShiftSemitones: 1);
        Assert.Equal((44100, 320, 1), (shifted.SampleRateHz, shifted.Upsampling, shifted.PitchShiftSemitones));
        Assert.Equal(137.8125, shifted.DecoderSpacingHz, 6);
        Assert.Equal(137.8125 * Math.Pow(2, 1 / 12.0), shifted.SpacingHz, 6);
        Assert.True(shifted.Score >= Attribution.MinShiftedGridScore, $"score {shifted.Score:0.0}");
        // Looked for a semitone the wrong way, it is not there.
        Assert.False(Attribution.IsDecoderGrid(DecoderGrid.Detect(residual, FirstBinHz, BinHz, 15, 400, pitchShiftSemitones: -1)));
    }

    [Fact]
    public void A_pitch_shifted_decoder_is_named_with_its_shift_and_needs_a_higher_score()
    {
        double spacing = 44100.0 / 512 * Math.Pow(2, -1 / 12.0);
        var dac = Attribution.Guess(new GridComb(spacing, 44100, 512, Attribution.MinShiftedGridScore + 1, -1));
        Assert.NotNull(dac);
        Assert.StartsWith("DAC-like", dac.Family);
        Assert.EndsWith(", pitch-shifted -1 semitone", dac.Family);
        Assert.Contains("moved by -1 semitone", dac.Explanation);
        // A score that names an unshifted grid does not name a shifted one: each shifted look is another chance for music.
        Assert.NotNull(Attribution.Guess(new GridComb(44100.0 / 512, 44100, 512, Attribution.MinGridScore)));
        Assert.Null(Attribution.Guess(new GridComb(spacing, 44100, 512, Attribution.MinGridScore, -1)));
    }

    [Fact]
    public void An_exact_grid_names_a_known_family_or_its_upsampling()
    {
        var dac = Attribution.Guess(new GridComb(44100.0 / 512, 44100, 512, 6));
        Assert.NotNull(dac);
        Assert.StartsWith("DAC-like", dac.Family);
        Assert.Contains("44100 Hz / 512", dac.Explanation);

        var unknown = Attribution.Guess(new GridComb(44100.0 / 320, 44100, 320, 6));
        Assert.Equal("neural decoder, 320× upsampling at 44.1 kHz", unknown?.Family);

        Assert.Null(Attribution.Guess(new GridComb(44100.0 / 512, 44100, 512, Attribution.MinGridScore - 0.5)));
    }
}
