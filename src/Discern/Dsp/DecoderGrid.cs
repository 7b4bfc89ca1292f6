namespace Discern.Dsp;

/// <summary>The strongest comb of lines found at an exact sub-multiple of a common sample rate.</summary>
/// <param name="SpacingHz">Distance between the lines: <paramref name="SampleRateHz"/> / <paramref name="Upsampling"/>.</param>
/// <param name="SampleRateHz">The sample rate the spacing divides (the decoder's own rate, or one it shares the spacing with).</param>
/// <param name="Upsampling">How many output samples the decoder makes per latent frame (the product of its strides).</param>
/// <param name="Score">
/// How far the lines at exactly these frequencies stand above those at slightly wrong spacings, in standard deviations
/// of the wrong spacings' contrasts, less the best wrong spacing's own: about 0 without a decoder's grid (a musical
/// comb or a peaky spectrum raises both alike), 4 or more for most of the development corpus's codec autoencoders.
/// </param>
/// <param name="PitchShiftSemitones">
/// By how many semitones the audio's frequencies were moved since the decoder made it (0 as it left the decoder):
/// a pitch shift scales every line by <c>2^(s/12)</c>, so <paramref name="SpacingHz"/> is then the decoder's spacing so scaled.
/// </param>
public readonly record struct GridComb(double SpacingHz, int SampleRateHz, int Upsampling, double Score, int PitchShiftSemitones = 0)
{
    /// <summary>The decoder's own spacing, <see cref="SampleRateHz"/> / <see cref="Upsampling"/>, before any pitch shift (0 when nothing was found).</summary>
    public double DecoderSpacingHz => Upsampling > 0 ? (double)SampleRateHz / Upsampling : 0;
}

/// <summary>
/// Looks for a decoder's lines where the mechanism puts them: a transposed-convolution decoder turns its bias and the
/// slowly varying part of its latents into a pattern that repeats every <c>K</c> output samples, <c>K</c> the product
/// of its strides, so its lines sit at exact multiples of <c>sampleRate / K</c> (Afchar et al., "A Fourier Explanation
/// of AI-music Artifacts", ISMIR 2025). Published decoders use strides of 2, 3, 4, 5 and 8 (EnCodec 8·5·4·2,
/// DAC 2·4·8·8, Stable Audio's Oobleck 2·4·4·8·8, HiFi-GAN 8·8·2·2), so <c>K</c> has no prime factor above 5.
/// </summary>
/// <remarks>
/// <see cref="Fakeprint.DetectComb"/> asks whether peaks are regularly spaced, which survives pitch shifts but also
/// takes a held note's harmonics, or misses lines whose heights vary from one to the next. This asks whether the residual
/// is higher at exactly <c>k·rate/K</c> than half a spacing away, for every candidate <c>K</c>, against the same test
/// at spacings 0.4–3.4 % off every candidate: an exact grid of 40 teeth or more is matched by no spacing a fraction of a
/// percent away, while a spectrum's general peakiness and a musical comb raise right and wrong spacings alike. A pitch
/// shift moves every line by the same known factor, so a shift of whole semitones can be looked for where it put them
/// (<c>pitchShiftSemitones</c>); any other change of speed moves them off every candidate. This names decoders in audio as
/// it left them, re-encoded, resampled or shifted by a semitone or two; the regularity of <see cref="Fakeprint.DetectComb"/>
/// is what the model weighs.
/// On the development corpus a grid scores 4 or more in 15 of Deezer's 20 codec-autoencoder reconstructions (mostly every
/// 275.6 Hz = 44.1 kHz / 160 for EnCodec, 344.5 Hz = 44.1 kHz / 128 for LAC) and 19 of SongCreator's 23 outputs (150 Hz =
/// 48 kHz / 320, or 86.1 Hz = 44.1 kHz / 512), in none of the 68 diffusion and Griffin-Lim clips, and in 9 of the 84 human
/// clips: 6 of SongCreator's 9 prompts, at its outputs' own 150 Hz (the prompts as published went through its decoder),
/// and 3 of the 75 others, one of them a semitone away (docs/results.md).
/// </remarks>
public static class DecoderGrid
{
    /// <summary>Sample rates at which neural decoders run (and to which their output is commonly resampled).</summary>
    public static IReadOnlyList<int> SampleRatesHz { get; } = [48000, 44100, 32000, 24000, 22050, 16000];

    /// <summary>Relative offsets of the reference spacings from the candidates: off any grid yet close enough to see the same music.</summary>
    private const double MinOffset = 0.004, OffsetRange = 0.03;

    /// <summary>
    /// Pitch shifts, in semitones, under which a grid is looked for when none shows as the audio is: the whole semitones
    /// within a tone either way, what people apply. Each look is another chance for music to match by accident, so a
    /// shifted grid must score higher to count (<see cref="Attribution.MinShiftedGridScore"/>).
    /// </summary>
    public static IReadOnlyList<int> PitchShiftsSemitones { get; } = [1, -1, 2, -2];

    /// <summary>Fewest whole teeth (a tooth and the trough after it) in the band for a spacing to be tested.</summary>
    public const int MinTeeth = 8;

    private static readonly (double SpacingHz, int RateHz, int Upsampling, double Offset)[] Candidates = BuildCandidates();

    /// <summary>
    /// The best exact grid in <paramref name="residual"/> (dB above the lower envelope, as <see cref="Fakeprint.Residual"/>
    /// makes it) with a spacing between <paramref name="minSpacingHz"/> and <paramref name="maxSpacingHz"/>; default (score 0)
    /// when the band holds too few teeth of any candidate. Allocates nothing.
    /// </summary>
    /// <param name="residual">Residual of the long-term spectrum over the analysis band.</param>
    /// <param name="firstBinHz">Frequency of <paramref name="residual"/>'s first value.</param>
    /// <param name="binHz">Width of one bin.</param>
    /// <param name="minSpacingHz">Smallest spacing considered.</param>
    /// <param name="maxSpacingHz">Largest spacing considered.</param>
    /// <param name="pitchShiftSemitones">
    /// Look for the grid as a pitch shift of this many semitones after the decoder would have moved it: every candidate
    /// and reference spacing is scaled by <c>2^(s/12)</c>. Uploaders shift by whole semitones to dodge detectors; only the
    /// mechanism's exact positions move, so they can be looked for where the shift put them.
    /// </param>
    public static GridComb Detect(ReadOnlySpan<float> residual, double firstBinHz, double binHz, double minSpacingHz, double maxSpacingHz, int pitchShiftSemitones = 0)
    {
        double frequencyScale = Math.Pow(2, pitchShiftSemitones / 12.0);
        if (residual.Length < 2 || !(binHz > 0)) return default;
        double bandLowHz = firstBinHz, bandHighHz = firstBinHz + (residual.Length - 1) * binHz;
        double bestGrid = double.MinValue, bestOff = double.MinValue, sum = 0, sumSquares = 0;
        int bestIndex = -1, references = 0;
        for (int i = 0; i < Candidates.Length; i++)
        {
            double spacing = Candidates[i].SpacingHz * frequencyScale;
            if (spacing < minSpacingHz || spacing > maxSpacingHz || (bandHighHz - bandLowHz) / spacing < MinTeeth + 1) continue;
            double onGrid = Contrast(residual, firstBinHz, binHz, spacing);
            double offGrid = Contrast(residual, firstBinHz, binHz, spacing * (1 + Candidates[i].Offset));
            if (onGrid > bestGrid) { bestGrid = onGrid; bestIndex = i; }
            bestOff = Math.Max(bestOff, offGrid);
            sum += offGrid;
            sumSquares += offGrid * offGrid;
            references++;
        }
        if (bestIndex < 0 || references < 2) return default;
        double mean = sum / references, spread = Math.Sqrt(Math.Max(sumSquares / references - mean * mean, 0));
        if (spread <= 1e-9) return default;
        var (spacingHz, rateHz, upsampling, _) = Candidates[bestIndex];
        return new GridComb(spacingHz * frequencyScale, rateHz, upsampling, (bestGrid - bestOff) / spread, pitchShiftSemitones);
    }

    /// <summary>Mean residual at the teeth <c>k·spacing</c> minus at the troughs half a spacing later, over the whole teeth in the band.</summary>
    private static double Contrast(ReadOnlySpan<float> residual, double firstBinHz, double binHz, double spacingHz)
    {
        double lastBin = residual.Length - 1, total = 0;
        int teeth = 0;
        for (int k = (int)Math.Ceiling(firstBinHz / spacingHz); ; k++)
        {
            double tooth = (k * spacingHz - firstBinHz) / binHz, trough = tooth + spacingHz / 2 / binHz;
            if (trough > lastBin) break;
            total += Interpolate(residual, tooth) - Interpolate(residual, trough);
            teeth++;
        }
        return teeth >= MinTeeth ? total / teeth : 0;
    }

    private static double Interpolate(ReadOnlySpan<float> values, double position)
    {
        int i = Math.Min((int)position, values.Length - 2);
        double f = position - i;
        return values[i] + f * (values[i + 1] - values[i]);
    }

    private static (double, int, int, double)[] BuildCandidates()
    {
        // Every 5-smooth K that puts a rate's lines 10–1,000 Hz apart; a spacing two rates share (44.1 kHz / 512 and
        // 22.05 kHz / 256) is kept once, with the higher rate. Each keeps the reference offset of its place in the full
        // list, so that leaving the spacings near notes out changes no other candidate's test.
        var bySpacing = new SortedDictionary<double, (double, int, int)>();
        foreach (int rate in SampleRatesHz)
            for (int k = rate / 1000; k <= rate / 10; k++)
            {
                int rest = k;
                foreach (int prime in (ReadOnlySpan<int>)[2, 3, 5])
                    while (rest % prime == 0) rest /= prime;
                double spacing = Math.Round((double)rate / k, 9);
                if (rest == 1 && k > 1) bySpacing.TryAdd(spacing, ((double)rate / k, rate, k));
            }
        var offsets = BuildOffsets(bySpacing.Count);
        return [.. bySpacing.Values.Select((c, i) => (c.Item1, c.Item2, c.Item3, offsets[i])).Where(c => !IsNearNote(c.Item1))];
    }

    /// <summary>
    /// Whether <paramref name="spacingHz"/> lies within <see cref="NoteToleranceCents"/> of an equal-tempered note (A = 440 Hz).
    /// A note held through a clip puts its harmonics at exact multiples of its pitch, which no test of the residual tells
    /// from a decoder's lines; such spacings are not candidates. On the development corpus the grids of human music came
    /// there: 98.0 Hz = 44.1 kHz / 450 (a G2, 0 cents off) and 441 Hz = 44.1 kHz / 100 shifted two semitones down (a G4,
    /// +4 cents). The decoders' own spacings lie 10–37 cents from every note (275.6 Hz: −10, 86.1 Hz: −24, 150 Hz: +37),
    /// and the cents from a note do not change under a pitch shift of whole semitones.
    /// </summary>
    private static bool IsNearNote(double spacingHz)
    {
        double cents = 1200 * Math.Log2(spacingHz / 440);
        return Math.Abs(cents - 100 * Math.Round(cents / 100)) < NoteToleranceCents;
    }

    /// <summary>How close to an equal-tempered note, in cents, a spacing must not be (<see cref="IsNearNote"/>).</summary>
    public const double NoteToleranceCents = 5;

    private static double[] BuildOffsets(int count)
    {
        // A fixed sequence (not Random, whose algorithm may change between runtimes), alternating in sign, so that
        // every run of every version scores a spectrum alike.
        var offsets = new double[count];
        uint state = 2463534242;
        for (int i = 0; i < count; i++)
        {
            state ^= state << 13; state ^= state >> 17; state ^= state << 5;
            double unit = state / (double)uint.MaxValue;
            offsets[i] = (i % 2 == 0 ? 1 : -1) * (MinOffset + OffsetRange * unit);
        }
        return offsets;
    }
}
