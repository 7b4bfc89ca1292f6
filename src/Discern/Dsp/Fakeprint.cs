using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Discern.Dsp;

/// <summary>A peak of the fakeprint residual.</summary>
/// <param name="FrequencyHz">Centre frequency.</param>
/// <param name="ProminenceDb">Height above the spectrum's lower envelope.</param>
public readonly record struct SpectralPeak(double FrequencyHz, double ProminenceDb);

/// <summary>The strongest regular spacing found in a residual spectrum.</summary>
/// <param name="SpacingHz">Distance between teeth of the comb.</param>
/// <param name="Strength">Normalised autocorrelation of the residual at that spacing (0 = none, 1 = perfect comb).</param>
/// <param name="Harmonicity">Mean autocorrelation at twice and three times the spacing: a true comb repeats, a lone coincidence does not.</param>
public readonly record struct CombEstimate(double SpacingHz, double Strength, double Harmonicity);

/// <summary>
/// Functions that measure the "fakeprint": the regularly spaced peaks that transposed-convolution upsamplers
/// leave in the long-term average spectrum (Afchar et al., "A Fourier Explanation of AI-music Artifacts",
/// ISMIR 2025). Each works on spans and allocates nothing, like librosa's feature functions on arrays.
/// </summary>
public static class Fakeprint
{
    /// <summary>
    /// Power to decibels, <c>10·log10(power / reference)</c>, clamped below at <paramref name="floorDb"/> so that
    /// digital silence does not become −∞ (librosa's <c>power_to_db</c> with <c>top_db</c>-like flooring).
    /// </summary>
    public static void PowerToDb(ReadOnlySpan<float> power, Span<float> db, double reference = 1.0, double floorDb = -200)
    {
        float scale = (float)(1.0 / reference);
        float floorPower = (float)Math.Pow(10, floorDb / 10);
        for (int i = 0; i < power.Length; i++)
            db[i] = 10f * MathF.Log10(MathF.Max(power[i] * scale, floorPower));
    }

    /// <summary>
    /// Lower envelope of a dB spectrum: the minimum of each window of <paramref name="windowBins"/> bins, joined by
    /// straight lines. Peaks narrower than a window stand above it; the smooth spectral shape (timbre, mastering
    /// EQ) does not. The published recipe uses 10-bin windows at 2.7 Hz per bin (Deezer, ISMIR 2025).
    /// </summary>
    public static void LowerEnvelope(ReadOnlySpan<float> db, int windowBins, Span<float> envelope)
    {
        Guard.Positive(windowBins);
        int n = db.Length;
        if (n == 0) return;
        int prevPos = -1;
        float prevVal = 0;
        for (int start = 0; start < n; start += windowBins)
        {
            int end = Math.Min(n, start + windowBins);
            int pos = start + TensorPrimitives.IndexOfMin(db[start..end]);
            float val = db[pos];
            if (prevPos < 0)
            {
                envelope[..(pos + 1)].Fill(val);
            }
            else
            {
                float slope = (val - prevVal) / (pos - prevPos);
                for (int k = prevPos + 1; k <= pos; k++) envelope[k] = prevVal + slope * (k - prevPos);
            }
            prevPos = pos;
            prevVal = val;
        }
        envelope[(prevPos + 1)..n].Fill(prevVal);
    }

    /// <summary>
    /// <paramref name="values"/> minus their centred moving average over <paramref name="windowBins"/> bins (shrunk at the edges):
    /// the fine structure of a spectrum without its shape. Borrows its work space; per-frame callers pass their own to
    /// <see cref="SubtractMovingAverage(ReadOnlySpan{float}, int, Span{float}, Span{double})"/>.
    /// </summary>
    public static void SubtractMovingAverage(ReadOnlySpan<float> values, int windowBins, Span<float> detail)
    {
        var prefix = ArrayPool<double>.Shared.Rent(values.Length + 1);
        try { SubtractMovingAverage(values, windowBins, detail, prefix); }
        finally { ArrayPool<double>.Shared.Return(prefix); }
    }

    /// <summary>
    /// <paramref name="values"/> minus their centred moving average over <paramref name="windowBins"/> bins (shrunk at the edges),
    /// with <paramref name="prefix"/> (one more element than <paramref name="values"/>) as work space.
    /// </summary>
    public static void SubtractMovingAverage(ReadOnlySpan<float> values, int windowBins, Span<float> detail, Span<double> prefix)
    {
        MovingAverage(values, windowBins, prefix, detail);
        TensorPrimitives.Subtract(values, detail, detail);
    }

    /// <summary>
    /// The centred moving average of <paramref name="values"/> over <paramref name="windowBins"/> bins (fewer at the edges),
    /// into <paramref name="mean"/>, from running sums in double in <paramref name="prefix"/> (one more element than the
    /// values): a spectrum's power spans 150 dB, which float sums of thousands of bins would not resolve. Away from the
    /// edges every window is whole, so the means go a vector at a time.
    /// </summary>
    internal static void MovingAverage(ReadOnlySpan<float> values, int windowBins, Span<double> prefix, Span<float> mean)
    {
        int n = values.Length, half = Math.Max(1, windowBins / 2);
        if (prefix.Length < n + 1) throw new ArgumentException($"work space must hold {n + 1} elements", nameof(prefix));
        prefix[0] = 0;
        for (int k = 0; k < n; k++) prefix[k + 1] = prefix[k] + values[k];
        int k0 = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count, halfWidth = Vector<double>.Count, end = n - half - width;
            var inverseWhole = new Vector<double>(1.0 / (2 * half + 1));
            for (k0 = half; k0 <= end; k0 += width)
            {
                var low = (new Vector<double>(prefix[(k0 + half + 1)..]) - new Vector<double>(prefix[(k0 - half)..])) * inverseWhole;
                var high = (new Vector<double>(prefix[(k0 + halfWidth + half + 1)..]) - new Vector<double>(prefix[(k0 + halfWidth - half)..])) * inverseWhole;
                Vector.Narrow(low, high).CopyTo(mean[k0..]);
            }
            for (int k = 0; k < half && k < n; k++) mean[k] = Mean(prefix, k, half, n);
        }
        for (int k = k0; k < n; k++) mean[k] = Mean(prefix, k, half, n);

        // A whole window is scaled exactly as the vector loop scales it, so a bin's mean does not depend on where that
        // loop stopped: a caller may average only the first bins of a spectrum and get the same values for them.
        static float Mean(ReadOnlySpan<double> prefix, int k, int half, int n)
        {
            int lo = Math.Max(0, k - half), hi = Math.Min(n, k + half + 1), whole = 2 * half + 1;
            double sum = prefix[hi] - prefix[lo];
            return (float)(hi - lo == whole ? sum * (1.0 / whole) : sum / (hi - lo));
        }
    }

    /// <summary>Residual above the envelope, clipped to [0, <paramref name="clipDb"/>] dB (the recipe's 0–5 dB).</summary>
    public static void Residual(ReadOnlySpan<float> db, ReadOnlySpan<float> envelope, Span<float> residual, float clipDb = 5f)
    {
        TensorPrimitives.Subtract(db, envelope, residual);
        TensorPrimitives.Clamp(residual, 0f, clipDb, residual);
    }

    /// <summary>
    /// Local maxima of <paramref name="residual"/> at least <paramref name="minProminenceDb"/> high, strongest first,
    /// at most <paramref name="maxPeaks"/>. <paramref name="firstBinHz"/> is the frequency of index 0.
    /// </summary>
    public static List<SpectralPeak> FindPeaks(ReadOnlySpan<float> residual, double binHz, double firstBinHz, double minProminenceDb = 1.5, int maxPeaks = 64)
    {
        var peaks = new List<SpectralPeak>();
        for (int k = 1; k < residual.Length - 1; k++)
        {
            float v = residual[k];
            if (v >= minProminenceDb && v > residual[k - 1] && v >= residual[k + 1])
                peaks.Add(new SpectralPeak(firstBinHz + k * binHz, v));
        }
        peaks.Sort((a, b) => b.ProminenceDb.CompareTo(a.ProminenceDb));
        if (peaks.Count > maxPeaks) peaks.RemoveRange(maxPeaks, peaks.Count - maxPeaks);
        return peaks;
    }

    /// <summary>Number of local maxima of at least <paramref name="minHeightDb"/> in <paramref name="residual"/>.</summary>
    public static int CountPeaks(ReadOnlySpan<float> residual, double minHeightDb)
    {
        int count = 0;
        for (int k = 1; k < residual.Length - 1; k++)
            if (residual[k] >= minHeightDb && residual[k] > residual[k - 1] && residual[k] >= residual[k + 1]) count++;
        return count;
    }

    /// <summary>
    /// Looks for a comb in <paramref name="residual"/>: the normalised autocorrelation at every lag between
    /// <paramref name="minSpacingHz"/> and <paramref name="maxSpacingHz"/>, and the highest of its local maxima
    /// (none: no comb, strength 0).
    /// Autocorrelation rather than a fixed list of decoder spacings, because pitch shifting and resampling
    /// scale every spacing: the regularity survives where the exact frequencies do not.
    /// </summary>
    /// <param name="residual">Residual spectrum of the analysis band.</param>
    /// <param name="binHz">Width of one bin.</param>
    /// <param name="minSpacingHz">Smallest spacing considered; must exceed a peak's width.</param>
    /// <param name="maxSpacingHz">Largest spacing considered.</param>
    /// <param name="scratch">Work space at least <paramref name="residual"/>'s length.</param>
    public static CombEstimate DetectComb(ReadOnlySpan<float> residual, double binHz, double minSpacingHz, double maxSpacingHz, Span<float> scratch)
    {
        int n = residual.Length;
        int minLag = Math.Max(2, (int)Math.Round(minSpacingHz / binHz));
        int maxLag = Math.Min(n / 4, (int)Math.Round(maxSpacingHz / binHz));
        if (maxLag <= minLag) return default;
        var centred = scratch[..n];
        float mean = TensorPrimitives.Average(residual);
        TensorPrimitives.Subtract(residual, mean, centred);
        double energy = TensorPrimitives.Dot(centred, centred);
        if (energy <= 1e-9) return default;

        // Only a local maximum of the autocorrelation is a spacing. A spectrum that is merely smooth (or a codec's
        // ripple) correlates most at the shortest lag and decays from there: taking the range's edge as a "comb"
        // named a 15 Hz comb in most human recordings.
        double best = double.MinValue;
        int bestLag = -1;
        double before = Autocorrelation(centred, minLag - 1, energy), here = Autocorrelation(centred, minLag, energy);
        for (int lag = minLag; lag <= maxLag; lag++)
        {
            double after = Autocorrelation(centred, lag + 1, energy);
            if (here > before && here >= after && here > best) { best = here; bestLag = lag; }
            (before, here) = (here, after);
        }
        if (bestLag < 0) return default;
        // Refine each multiple within ±1 bin: a spacing that is not a whole number of bins drifts.
        double harmonic = 0;
        int counted = 0;
        for (int m = 2; m <= 3; m++)
        {
            int centre = bestLag * m;
            if (centre + 1 >= n) break;
            double local = double.MinValue;
            for (int d = -1; d <= 1; d++) local = Math.Max(local, Autocorrelation(centred, centre + d, energy));
            harmonic += local;
            counted++;
        }
        return new CombEstimate(bestLag * binHz, best, counted == 0 ? 0 : harmonic / counted);
    }

    private static double Autocorrelation(ReadOnlySpan<float> centred, int lag, double energy)
        => TensorPrimitives.Dot(centred[..^lag], centred[lag..]) / energy * centred.Length / (centred.Length - lag);

    /// <summary>
    /// How far, in dB, the first three multiples of <paramref name="spacingHz"/> stand out of the bass of the long-term
    /// spectrum <paramref name="db"/> (each: the highest bin within ±2 of the multiple against the median of the bins
    /// within half a spacing around it, the central ±3 left out; the mean of the three). A held note's harmonic series
    /// starts loud at its fundamental, so a comb that is a note's stands 12–22 dB out here; a decoder's lines sit 30 dB
    /// or more under the music, and the bass is where the music is loudest, so they stand out little (median 2 dB for
    /// synthetic decoders whose comb shows, <see cref="Evaluation.SyntheticDecoder"/>). 0 when there is no spacing.
    /// </summary>
    public static double NoteProminenceDb(ReadOnlySpan<float> db, double binHz, double spacingHz)
    {
        if (!(spacingHz > 0) || !(binHz > 0)) return 0;
        int half = Math.Clamp((int)(spacingHz / 2 / binHz), 6, 128);
        Span<float> neighbourhood = stackalloc float[2 * half + 1];
        double sum = 0;
        for (int m = 1; m <= 3; m++)
        {
            int centre = (int)Math.Round(m * spacingHz / binHz);
            if (centre + half >= db.Length) return 0;
            float peak = float.MinValue;
            for (int k = Math.Max(1, centre - 2); k <= centre + 2; k++) peak = Math.Max(peak, db[k]);
            int count = 0;
            for (int k = centre - half; k <= centre + half; k++)
                if (k > 0 && Math.Abs(k - centre) > 3) neighbourhood[count++] = db[k];
            var around = neighbourhood[..count];
            around.Sort();
            sum += peak - around[count / 2];
        }
        return sum / 3;
    }

    /// <summary>
    /// The share of a comb's harmonicity that counts as a decoder's: 1 while its spacing's first multiples stand out of
    /// the bass by at most <paramref name="decoderMaxDb"/>, 0 from <paramref name="noteMinDb"/>, linear between
    /// (<see cref="NoteProminenceDb"/>). The defaults sit between the synthetic decoders (median 2 dB, nine in ten below
    /// 9 dB) and the held notes of human recordings whose combs are strong (12–22 dB: an ambient drone, orchestral pedal
    /// notes, a sung prompt).
    /// </summary>
    public static double DecoderShare(double noteProminenceDb, double decoderMaxDb = 6, double noteMinDb = 12) =>
        Math.Clamp((noteMinDb - noteProminenceDb) / (noteMinDb - decoderMaxDb), 0, 1);

    /// <summary>
    /// Highest frequency that carries signal: scanning down from Nyquist, the first point where the spectrum,
    /// smoothed over <paramref name="smoothingHz"/>, comes within <paramref name="dropDb"/> of the level of the
    /// 200 Hz–4 kHz region. Codecs' low-pass filters (MP3 128 kbps ≈ 16 kHz) show as a cliff well below that level.
    /// </summary>
    public static double EffectiveBandwidthHz(ReadOnlySpan<float> db, double binHz, double dropDb = 60, double smoothingHz = 200)
    {
        int n = db.Length;
        int lo = Math.Clamp((int)(200 / binHz), 0, n - 1), hi = Math.Clamp((int)(4000 / binHz), lo + 1, n);
        double reference = TensorPrimitives.Average(db[lo..hi]);
        int half = Math.Max(1, (int)(smoothingHz / binHz / 2));
        double window = 0;
        int count = 0;
        // Running mean over [k - half, k + half], moving downward.
        for (int k = n - 1; k >= Math.Max(0, n - 1 - half); k--) { window += db[k]; count++; }
        for (int k = n - 1; k >= 0; k--)
        {
            if (window / count > reference - dropDb) return (k + 0.5) * binHz;
            int add = k - half - 1, remove = k + half;
            if (add >= 0) { window += db[add]; count++; }
            if (remove < n) { window -= db[remove]; count--; }
        }
        return 0;
    }
}
