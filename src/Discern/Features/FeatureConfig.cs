using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Discern.Features;

/// <summary>
/// Every constant of the feature pipeline. A model is trained for exactly one configuration, and its
/// <see cref="Id"/> is stored in the model file so that a mismatch is refused instead of silently misread.
/// </summary>
public sealed record FeatureConfig
{
    /// <summary>The configuration the shipped model was trained with.</summary>
    public static FeatureConfig Default { get; } = new();

    /// <summary>
    /// Frame length in seconds: 0.372 s is 16,384 samples at 44.1 kHz, the n_fft of the published recipe (≈ 2.7 Hz per
    /// bin). The transform is the power of two nearest to it (<see cref="FftSizeFor"/>); where that is longer, the frame
    /// keeps this duration and the transform is zero-padded (<see cref="FrameLengthFor"/>), because the persistence
    /// features measure change from one frame to the next and must see the same span of time at every sample rate.
    /// </summary>
    public double FrameDurationSeconds { get; init; } = 0.372;

    /// <summary>Frames per segment estimate (24 frames ≈ 4.5 s at 44.1 kHz with half-overlap); fixed in frames so every estimate has the same noise.</summary>
    public int SegmentFrames { get; init; } = 24;

    /// <summary>Frames between segment starts (half a segment: segments overlap by 50 %).</summary>
    public int SegmentHopFrames { get; init; } = 12;

    /// <summary>Lower edge of the analysis band. Below ~4 kHz, the harmonics of sustained notes make peaks of their own (the recipe starts at 5 kHz).</summary>
    public double BandLowHz { get; init; } = 4000;

    /// <summary>Upper edge of the analysis band (the recipe's 16 kHz), lowered to the input's effective bandwidth.</summary>
    public double BandHighHz { get; init; } = 16000;

    /// <summary>Narrowest usable band; less than this and the verdict is "uncertain: too band-limited".</summary>
    public double MinBandWidthHz { get; init; } = 2500;

    /// <summary>Window of the lower envelope (the recipe's 10 bins at 2.7 Hz).</summary>
    public double EnvelopeWindowHz { get; init; } = 27;

    /// <summary>Width of the moving average that the "detail" spectrum is measured against: wide enough to hold several teeth of a 20–170 Hz comb.</summary>
    public double DetailWindowHz { get; init; } = 200;

    /// <summary>Residual clip (the recipe's 0–5 dB).</summary>
    public double ResidualClipDb { get; init; } = 5;

    /// <summary>Smallest comb spacing searched; must exceed a Hann main lobe (4 bins).</summary>
    public double CombMinSpacingHz { get; init; } = 15;

    /// <summary>Largest comb spacing searched: covers HiFi-GAN hops of 256 at 48 kHz (187.5 Hz) pitch-shifted up, with margin.</summary>
    public double CombMaxSpacingHz { get; init; } = 400;

    /// <summary>
    /// Comb harmonicity that music's own partials and the estimate's noise reach, subtracted from the "comb_harmonicity"
    /// feature (below it the feature is 0). On the development corpus 95 % of human recordings and 98 % of AI clips stay
    /// under it, whereas nearly half of the synthetic decoders' combs reach 0.4 and more. Without the floor the
    /// model read these weak, chance combs: a time stretch or pitch shift thins the corpus's AI clips' and leaves the human
    /// recordings', and held out by source the comb cost AUC 0.84 → 0.79 at two semitones down (scratch harness, docs/results.md).
    /// </summary>
    public double CombHarmonicityFloor { get; init; } = 0.25;

    /// <summary>Residual height that counts as a peak.</summary>
    public double PeakThresholdDb { get; init; } = 2;

    /// <summary>
    /// Width of the local average a frame's fine structure is measured against: ±8 bins at 2.7 Hz, narrow enough that the
    /// fine structure holds single partials and decoder teeth, wide enough to average several of them.
    /// </summary>
    public double FineStructureWindowHz { get; init; } = 46;

    /// <summary>Lower edge of the lowest fine-structure band (below it, a 0.37 s frame resolves too few partials).</summary>
    public double FineStructureLowHz { get; init; } = 300;

    /// <summary>Boundary between the low and middle fine-structure bands (where sustained notes' harmonics thin out).</summary>
    public double FineStructureSplitHz { get; init; } = 3000;

    /// <summary>
    /// Width of the neighbourhood a partial must stand out of for the partial-prominence features: wide enough (≈ 4×
    /// <see cref="FineStructureWindowHz"/>) that a partial does not raise its own reference. Held out by source on the
    /// development corpus, adding the feature gave AUC 0.85 with this width and none at 46 Hz, where noisy and tonal
    /// frames look alike.
    /// </summary>
    public double PartialProminenceWindowHz { get; init; } = 172;

    /// <summary>
    /// What the "partial_prominence_log_excess_low" feature subtracts from the partial prominence before taking its
    /// logarithm: the prominence of white noise, −10·log10 e^−γ ≈ 2.5 dB (<see cref="Dsp.SpectrumStatistics.PartialProminence"/>).
    /// On that ratio scale a fine structure that drifts among partials barely out of noise counts for little and, unlike
    /// on the dB scale, very tonal music does not count as more AI the more tonal it is.
    /// </summary>
    public double NoiseProminenceDb { get; init; } = 2.5;

    /// <summary>Smallest excess over <see cref="NoiseProminenceDb"/> the logarithm is taken of: frames at or below noise's prominence all read as this.</summary>
    public double MinProminenceExcessDb { get; init; } = 0.1;

    /// <summary>Frames quieter than this are left out of every average.</summary>
    public double SilenceFloorDbfs { get; init; } = -70;

    /// <summary>FFT size for <paramref name="sampleRateHz"/>: the power of two nearest to <see cref="FrameDurationSeconds"/>.</summary>
    public int FftSizeFor(int sampleRateHz)
    {
        double ideal = Math.Log2(sampleRateHz * FrameDurationSeconds);
        return 1 << Math.Clamp((int)Math.Round(ideal), 8, 17);
    }

    /// <summary>
    /// Samples per frame at <paramref name="sampleRateHz"/>: <see cref="FrameDurationSeconds"/> (an even count), but no
    /// more than <see cref="FftSizeFor"/>. At 44.1 and 48 kHz and their multiples the frame is the whole transform (0.34–0.37 s);
    /// at 32, 16 and 8 kHz, where the nearest power of two would last 0.51 s, it is 0.372 s zero-padded. With 0.51 s
    /// frames a clip resampled to 32 kHz moved on every persistence feature, and a 6 s clip held no whole segment.
    /// </summary>
    public int FrameLengthFor(int sampleRateHz)
    {
        int fftSize = FftSizeFor(sampleRateHz);
        int wanted = 2 * (int)Math.Round(sampleRateHz * FrameDurationSeconds / 2);
        return Math.Clamp(wanted, 2, fftSize);
    }

    /// <summary>Width in bins of <see cref="FineStructureWindowHz"/> for a frame of <paramref name="fftSize"/> at <paramref name="sampleRateHz"/>, odd so it is centred.</summary>
    public int FineStructureWindowBins(int sampleRateHz, int fftSize) => OddBins(FineStructureWindowHz, sampleRateHz, fftSize);

    /// <summary>Width in bins of <see cref="PartialProminenceWindowHz"/> for a frame of <paramref name="fftSize"/> at <paramref name="sampleRateHz"/>, odd so it is centred.</summary>
    public int PartialProminenceWindowBins(int sampleRateHz, int fftSize) => OddBins(PartialProminenceWindowHz, sampleRateHz, fftSize);

    /// <summary>
    /// Bins, from DC, of a frame of <paramref name="fftSize"/> at <paramref name="sampleRateHz"/> whose fine structure the
    /// features read: up to <see cref="BandHighHz"/>, the top of every band they measure. The rest of the spectrum only
    /// needs its level (bandwidth, display), so at 96 or 192 kHz most of each frame's work is skipped.
    /// </summary>
    public int FineStructureBins(int sampleRateHz, int fftSize) =>
        Math.Min(fftSize / 2 + 1, (int)Math.Ceiling(BandHighHz / ((double)sampleRateHz / fftSize)) + 1);

    /// <summary><paramref name="widthHz"/> in bins of a frame of <paramref name="fftSize"/> at <paramref name="sampleRateHz"/>, rounded to an odd count of at least 3.</summary>
    private static int OddBins(double widthHz, int sampleRateHz, int fftSize) =>
        2 * Math.Max(1, (int)Math.Round(widthHz / ((double)sampleRateHz / fftSize) / 2)) + 1;

    /// <summary>A short, stable identifier of these values ("fp13-" and a hash; the prefix changes when a feature's algorithm does).</summary>
    public string Id
    {
        get
        {
            var text = string.Create(CultureInfo.InvariantCulture,
                $"{FrameDurationSeconds};{SegmentFrames};{SegmentHopFrames};{BandLowHz};{BandHighHz};{MinBandWidthHz};{EnvelopeWindowHz};{DetailWindowHz};{ResidualClipDb};{CombMinSpacingHz};{CombMaxSpacingHz};{CombHarmonicityFloor};{PeakThresholdDb};{SilenceFloorDbfs};{FineStructureWindowHz};{FineStructureLowHz};{FineStructureSplitHz};{PartialProminenceWindowHz};{NoiseProminenceDb};{MinProminenceExcessDb};{Dsp.SpectrumStatistics.PartialPeakDb};{Dsp.SpectrumStatistics.PartialKeptDb};{string.Join(',', FeatureExtractor.FeatureNames)}");
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
            return "fp13-" + Convert.ToHexStringLower(hash)[..10];
        }
    }
}
