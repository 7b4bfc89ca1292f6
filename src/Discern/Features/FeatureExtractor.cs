using System.Numerics.Tensors;
using Discern.Dsp;

namespace Discern.Features;

/// <summary>Features of one averaged spectrum, with what they were measured on.</summary>
/// <param name="Values">One value per <see cref="FeatureExtractor.FeatureNames"/> entry; null when the band was unusable.</param>
/// <param name="BandLowHz">Lower edge of the band actually analysed.</param>
/// <param name="BandHighHz">Upper edge of the band actually analysed (lowered to the effective bandwidth).</param>
/// <param name="EffectiveBandwidthHz">Highest frequency with signal.</param>
/// <param name="Comb">The strongest regular spacing.</param>
public sealed record SpectrumFeatures(double[]? Values, double BandLowHz, double BandHighHz, double EffectiveBandwidthHz, CombEstimate Comb);

/// <summary>
/// Measures a power spectrum's fakeprint: the residual above its lower envelope in the analysis band, and how
/// regular that residual's peaks are. All features are relative (dB above an envelope, densities, correlations),
/// never absolute levels or frequencies, so loudness, bandwidth and pitch move them as little as possible.
/// One instance per thread: it owns scratch buffers so that extracting allocates only the result.
/// </summary>
public sealed class FeatureExtractor
{
    /// <summary>Names of the features, in order; the model file stores them so a mismatch is caught.</summary>
    public static IReadOnlyList<string> FeatureNames { get; } =
    [
        "residual_mean",          // mean clipped residual / clip: how much fine structure stands above the envelope
        "residual_peak_fraction", // share of bins at least PeakThresholdDb above the envelope
        "peak_density_per_khz",   // local maxima at least PeakThresholdDb high, per kHz of band
        "comb_strength",          // best normalised autocorrelation of the residual over spacings
        "comb_harmonicity",       // the same at 2× and 3× that spacing
        "residual_upper_mean",    // residual_mean over the upper half of the band, where music has least tonal energy
        "residual_lower_mean",    // and over the lower half
    ];

    private readonly FeatureConfig _config;
    private float[] _db = [], _envelope = [], _residual = [], _scratch = [];

    /// <summary>Uses <paramref name="config"/> for every band and threshold.</summary>
    public FeatureExtractor(FeatureConfig config) => _config = Guard.NotNull(config);

    /// <summary>Extracts the features of <paramref name="powerSum"/>, a summed or averaged power spectrum from DC to Nyquist.</summary>
    public SpectrumFeatures Extract(ReadOnlySpan<float> powerSum, int sampleRateHz)
    {
        int bins = powerSum.Length;
        EnsureCapacity(bins);
        double binHz = sampleRateHz / 2.0 / (bins - 1);
        var db = _db.AsSpan(0, bins);
        // Relative to the mean power, so levels are comparable whatever the loudness or frame count.
        double mean = Math.Max(TensorPrimitives.Average(powerSum), 1e-30);
        Fakeprint.PowerToDb(powerSum, db, mean, floorDb: -150);
        double bandwidth = Fakeprint.EffectiveBandwidthHz(db, binHz);
        double hiHz = Math.Min(_config.BandHighHz, Math.Min(bandwidth * 0.97, sampleRateHz / 2.0 * 0.97));
        double loHz = _config.BandLowHz;
        if (hiHz - loHz < _config.MinBandWidthHz)
            return new SpectrumFeatures(null, loHz, hiHz, bandwidth, default);

        int lo = (int)Math.Ceiling(loHz / binHz), hi = (int)Math.Floor(hiHz / binHz);
        var band = db[lo..hi];
        var envelope = _envelope.AsSpan(0, band.Length);
        var residual = _residual.AsSpan(0, band.Length);
        int windowBins = Math.Max(3, (int)Math.Round(_config.EnvelopeWindowHz / binHz));
        Fakeprint.LowerEnvelope(band, windowBins, envelope);
        float clip = (float)_config.ResidualClipDb;
        Fakeprint.Residual(band, envelope, residual, clip);

        var comb = Fakeprint.DetectComb(residual, binHz, _config.CombMinSpacingHz, _config.CombMaxSpacingHz, _scratch);
        double bandKhz = (hiHz - loHz) / 1000;
        float threshold = (float)_config.PeakThresholdDb;
        int above = 0;
        foreach (var r in residual) if (r >= threshold) above++;
        int halfway = residual.Length / 2;
        var values = new double[]
        {
            TensorPrimitives.Average(residual) / clip,
            (double)above / residual.Length,
            Fakeprint.CountPeaks(residual, threshold) / bandKhz,
            comb.Strength,
            comb.Harmonicity,
            TensorPrimitives.Average(residual[halfway..]) / clip,
            TensorPrimitives.Average(residual[..halfway]) / clip,
        };
        return new SpectrumFeatures(values, lo * binHz, hi * binHz, bandwidth, comb);
    }

    /// <summary>
    /// The residual (dB above the lower envelope, clipped) of <paramref name="powerSum"/> over <paramref name="loHz"/>–<paramref name="hiHz"/>,
    /// for display and peak listing. Allocates its result.
    /// </summary>
    public float[] ResidualDb(ReadOnlySpan<float> powerSum, int sampleRateHz, double loHz, double hiHz, out double firstBinHz, out double binHz)
    {
        int bins = powerSum.Length;
        EnsureCapacity(bins);
        binHz = sampleRateHz / 2.0 / (bins - 1);
        var db = _db.AsSpan(0, bins);
        Fakeprint.PowerToDb(powerSum, db, Math.Max(TensorPrimitives.Average(powerSum), 1e-30), floorDb: -150);
        int lo = Math.Clamp((int)Math.Ceiling(loHz / binHz), 0, bins - 1), hi = Math.Clamp((int)Math.Floor(hiHz / binHz), lo + 1, bins);
        var band = db[lo..hi];
        var envelope = _envelope.AsSpan(0, band.Length);
        Fakeprint.LowerEnvelope(band, Math.Max(3, (int)Math.Round(_config.EnvelopeWindowHz / binHz)), envelope);
        var result = new float[band.Length];
        Fakeprint.Residual(band, envelope, result, (float)_config.ResidualClipDb);
        firstBinHz = lo * binHz;
        return result;
    }

    private void EnsureCapacity(int bins)
    {
        if (_db.Length >= bins) return;
        _db = new float[bins];
        _envelope = new float[bins];
        _residual = new float[bins];
        _scratch = new float[bins];
    }
}
