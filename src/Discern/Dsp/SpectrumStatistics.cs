using System.Numerics;
using System.Numerics.Tensors;

namespace Discern.Dsp;

/// <summary>
/// Per-bin sums over the audible frames of a stretch of audio: the dB spectrum (for the long-term average where
/// fakeprints show) and its fine structure — the dB spectrum minus its local average over a few tens of hertz —
/// with how much that fine structure changes from one frame to the next. Sums rather than means, so a stretch can
/// be extended frame by frame in constant memory, and a band can be chosen after the fact (once the effective
/// bandwidth is known).
/// </summary>
public sealed class SpectrumStatistics
{
    private readonly double[] _dbSum, _detailSum, _detailSquares, _changeSquares, _localRatioSum, _localLogRatioSum, _partialSum, _keptSum;
    private readonly int _prominenceWindowBins;
    // Work space of Add, made on its first call: the averager computes these terms itself, once for several statistics.
    private float[]? _detailSquaresScratch, _changeSquaresScratch, _ratioScratch, _logRatioScratch, _partialScratch, _keptScratch;
    private double[]? _prefixScratch;

    /// <summary>
    /// How far above its local average (in dB of fine structure) a local maximum must stand to count as a partial for
    /// <see cref="PartialLoss"/>: 10 dB is 7.5 dB above the local mean power, which a bin of noise reaches about once in
    /// 270 (its power is exponentially distributed), so nearly every such peak in music is a partial.
    /// </summary>
    public const float PartialPeakDb = 10;

    /// <summary>
    /// How far above its local average a partial must still stand in the next frame, in its bin or either neighbour
    /// (≈ ±2.7 Hz: vibrato and slow glides stay), to count as kept for <see cref="PartialLoss"/>.
    /// </summary>
    public const float PartialKeptDb = 5;

    /// <summary>Neighbourhood of <see cref="PartialProminence"/> in bins: ≈ 172 Hz at 44.1 kHz and 16,384 points (<c>FeatureConfig.PartialProminenceWindowHz</c>).</summary>
    public const int DefaultProminenceWindowBins = 65;

    /// <summary>
    /// Empty statistics for spectra of <paramref name="binCount"/> bins; <paramref name="prominenceWindowBins"/> is the
    /// neighbourhood that <see cref="Add"/> measures each bin's power against (see <see cref="PartialProminence"/>).
    /// The dB spectrum is summed over every bin; the fine structure, its change and the local power ratios only over the
    /// first <paramref name="fineStructureBinCount"/> (all when null): the features read them below 16 kHz, and at high
    /// sample rates most bins lie above.
    /// </summary>
    public SpectrumStatistics(int binCount, int prominenceWindowBins = DefaultProminenceWindowBins, int? fineStructureBinCount = null)
    {
        Guard.Positive(binCount);
        Guard.Positive(prominenceWindowBins);
        int fine = fineStructureBinCount ?? binCount;
        if (fine < 1 || fine > binCount) throw new ArgumentOutOfRangeException(nameof(fineStructureBinCount), fine, $"must be 1–{binCount}");
        _prominenceWindowBins = prominenceWindowBins;
        _dbSum = new double[binCount];
        _localRatioSum = new double[fine];
        _localLogRatioSum = new double[fine];
        _detailSum = new double[fine];
        _detailSquares = new double[fine];
        _changeSquares = new double[fine];
        _partialSum = new double[fine];
        _keptSum = new double[fine];
    }

    /// <summary>Bins per spectrum (DC to Nyquist).</summary>
    public int BinCount => _dbSum.Length;

    /// <summary>Bins, from DC, over which the fine structure, its change and the local power ratios are summed.</summary>
    public int FineStructureBinCount => _detailSum.Length;

    /// <summary>Frames summed.</summary>
    public long Frames { get; private set; }

    /// <summary>Pairs of consecutive audible frames whose fine-structure change was summed.</summary>
    public long ChangePairs { get; private set; }

    /// <summary>Sum of the frames' dB spectra.</summary>
    public ReadOnlySpan<double> DbSum => _dbSum;

    /// <summary>Sum of the frames' fine structure (dB above or below the local average).</summary>
    public ReadOnlySpan<double> DetailSum => _detailSum;

    /// <summary>Sum of the squared fine structure.</summary>
    public ReadOnlySpan<double> DetailSquares => _detailSquares;

    /// <summary>Sum of each bin's power over the mean power of its neighbourhood (<see cref="LocalPowerRatios"/>).</summary>
    public ReadOnlySpan<double> LocalRatioSum => _localRatioSum;

    /// <summary>Sum of the natural logarithm of those ratios.</summary>
    public ReadOnlySpan<double> LocalLogRatioSum => _localLogRatioSum;

    /// <summary>Sum of the squared frame-to-frame change of the fine structure, over <see cref="ChangePairs"/> pairs.</summary>
    public ReadOnlySpan<double> ChangeSquares => _changeSquares;

    /// <summary>Per bin, how many of the <see cref="ChangePairs"/> pairs' first frames held a partial there (<see cref="PartialsKept"/>).</summary>
    public ReadOnlySpan<double> PartialSum => _partialSum;

    /// <summary>Per bin, how many of those partials the next frame kept.</summary>
    public ReadOnlySpan<double> KeptSum => _keptSum;

    /// <summary>
    /// Adds one frame's <paramref name="db"/> spectrum and its <paramref name="detail"/>; <paramref name="previousDetail"/>
    /// is the detail of the frame just before, or empty when that frame is not part of these statistics.
    /// </summary>
    public void Add(ReadOnlySpan<float> db, ReadOnlySpan<float> detail, ReadOnlySpan<float> previousDetail)
    {
        if (detail.Length != BinCount) throw new ArgumentException($"spectra must hold {BinCount} bins", nameof(detail));
        if (!previousDetail.IsEmpty && previousDetail.Length != BinCount) throw new ArgumentException($"spectra must hold {BinCount} bins", nameof(previousDetail));
        _detailSquaresScratch ??= new float[BinCount];
        _changeSquaresScratch ??= new float[BinCount];
        _ratioScratch ??= new float[BinCount];
        _logRatioScratch ??= new float[BinCount];
        _partialScratch ??= new float[BinCount];
        _keptScratch ??= new float[BinCount];
        _prefixScratch ??= new double[BinCount + 1];
        TensorPrimitives.Multiply(detail, detail, _detailSquaresScratch);
        // Power from dB, through the ratio buffer that LocalPowerRatios then overwrites.
        TensorPrimitives.Multiply(db, (float)(Math.Log(10) / 10), _logRatioScratch);
        TensorPrimitives.Exp(_logRatioScratch, _logRatioScratch);
        LocalPowerRatios(_logRatioScratch, _prominenceWindowBins, _prefixScratch, _ratioScratch, _logRatioScratch);
        if (!previousDetail.IsEmpty)
        {
            TensorPrimitives.Subtract(detail, previousDetail, _changeSquaresScratch);
            TensorPrimitives.Multiply(_changeSquaresScratch, _changeSquaresScratch, _changeSquaresScratch);
            PartialsKept(previousDetail, detail, _partialScratch, _keptScratch);
        }
        int fine = FineStructureBinCount;
        bool pair = !previousDetail.IsEmpty;
        AddTerms(db, detail[..fine], _detailSquaresScratch.AsSpan(0, fine), _ratioScratch.AsSpan(0, fine), _logRatioScratch.AsSpan(0, fine),
            pair ? _changeSquaresScratch.AsSpan(0, fine) : default, pair ? _partialScratch.AsSpan(0, fine) : default, pair ? _keptScratch.AsSpan(0, fine) : default);
    }

    /// <summary>
    /// Adds one frame from terms computed once for every statistics it feeds (the total and each overlapping segment):
    /// its dB spectrum (<see cref="BinCount"/> bins), and over the first <see cref="FineStructureBinCount"/> bins its fine
    /// structure, squared fine structure, local power ratios and their logarithms (<see cref="LocalPowerRatios"/>), and
    /// squared change from the previous frame, with the previous frame's partials and which of them this frame kept
    /// (<see cref="PartialsKept"/>; all three empty when that frame is not part of these statistics). The sums are kept
    /// in double precision so that hours of frames do not lose the small differences the features are made of.
    /// </summary>
    internal void AddTerms(ReadOnlySpan<float> db, ReadOnlySpan<float> detail, ReadOnlySpan<float> detailSquares, ReadOnlySpan<float> localRatio,
        ReadOnlySpan<float> localLogRatio, ReadOnlySpan<float> changeSquares, ReadOnlySpan<float> partials, ReadOnlySpan<float> kept)
    {
        int fine = FineStructureBinCount;
        if (db.Length != BinCount) throw new ArgumentException($"spectra must hold {BinCount} bins", nameof(db));
        if (detail.Length != fine || detailSquares.Length != fine || localRatio.Length != fine || localLogRatio.Length != fine)
            throw new ArgumentException($"fine-structure terms must hold {fine} bins");
        Accumulate(_dbSum, db);
        Accumulate(_detailSum, detail);
        Accumulate(_detailSquares, detailSquares);
        Accumulate(_localRatioSum, localRatio);
        Accumulate(_localLogRatioSum, localLogRatio);
        Frames++;
        if (changeSquares.IsEmpty) return;
        if (changeSquares.Length != fine || partials.Length != fine || kept.Length != fine)
            throw new ArgumentException($"fine-structure terms must hold {fine} bins", nameof(changeSquares));
        Accumulate(_changeSquares, changeSquares);
        Accumulate(_partialSum, partials);
        Accumulate(_keptSum, kept);
        ChangePairs++;
    }

    /// <summary>
    /// Marks, bin by bin, the partials of a frame's fine structure <paramref name="previousDetail"/> — local maxima at least
    /// <see cref="PartialPeakDb"/> above the local average — in <paramref name="partials"/> (1 or 0), and in
    /// <paramref name="kept"/> those that the next frame's <paramref name="detail"/> still holds at least
    /// <see cref="PartialKeptDb"/> high in the same bin or a neighbour. Over the first <paramref name="partials"/>.Length bins;
    /// the spectra may run further (a bin's neighbours are then read beyond them).
    /// </summary>
    internal static void PartialsKept(ReadOnlySpan<float> previousDetail, ReadOnlySpan<float> detail, Span<float> partials, Span<float> kept)
    {
        int n = partials.Length, last = Math.Min(n, Math.Min(previousDetail.Length, detail.Length) - 1);
        partials.Clear();
        kept.Clear();
        for (int k = 1; k < last; k++)
        {
            float level = previousDetail[k];
            if (level < PartialPeakDb || level < previousDetail[k - 1] || level < previousDetail[k + 1]) continue;
            partials[k] = 1;
            if (Math.Max(detail[k], Math.Max(detail[k - 1], detail[k + 1])) >= PartialKeptDb) kept[k] = 1;
        }
    }

    /// <summary>
    /// Each bin's <paramref name="power"/> over the mean power of the <paramref name="windowBins"/> bins around it
    /// (fewer at the edges), into <paramref name="ratio"/>, with its natural logarithm in <paramref name="logRatio"/>.
    /// <paramref name="prefix"/> is work space of one more element than the spectrum.
    /// </summary>
    internal static void LocalPowerRatios(ReadOnlySpan<float> power, int windowBins, Span<double> prefix, Span<float> ratio, Span<float> logRatio)
    {
        Fakeprint.MovingAverage(power, windowBins, prefix, ratio);
        int k = 0;
        if (Vector.IsHardwareAccelerated)
            for (int width = Vector<float>.Count; k <= power.Length - width; k += width)
            {
                var mean = new Vector<float>(ratio[k..]);
                Vector.ConditionalSelect(Vector.GreaterThan(mean, Vector<float>.Zero), new Vector<float>(power[k..]) / mean, Vector<float>.One).CopyTo(ratio[k..]);
            }
        for (; k < power.Length; k++) ratio[k] = ratio[k] > 0 ? power[k] / ratio[k] : 1f;
        TensorPrimitives.Log(ratio, logRatio);
    }

    /// <summary><paramref name="sums"/> += <paramref name="values"/>, widening floats to doubles a vector at a time.</summary>
    private static void Accumulate(Span<double> sums, ReadOnlySpan<float> values)
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count, half = Vector<double>.Count;
            for (; k <= values.Length - width; k += width)
            {
                Vector.Widen(new Vector<float>(values[k..]), out Vector<double> low, out Vector<double> high);
                (new Vector<double>(sums[k..]) + low).CopyTo(sums[k..]);
                (new Vector<double>(sums[(k + half)..]) + high).CopyTo(sums[(k + half)..]);
            }
        }
        for (; k < values.Length; k++) sums[k] += values[k];
    }

    /// <summary>Empties the sums.</summary>
    public void Clear()
    {
        Array.Clear(_dbSum);
        Array.Clear(_detailSum);
        Array.Clear(_detailSquares);
        Array.Clear(_localRatioSum);
        Array.Clear(_localLogRatioSum);
        Array.Clear(_changeSquares);
        Array.Clear(_partialSum);
        Array.Clear(_keptSum);
        Frames = 0;
        ChangePairs = 0;
    }

    /// <summary>
    /// <paramref name="hiBin"/> clamped to the spectrum, refused beyond the bins whose fine structure was summed: a band
    /// cut short there would silently measure less than it was asked to.
    /// </summary>
    private int FineStructureEnd(int hiBin)
    {
        hiBin = Math.Min(BinCount, hiBin);
        if (hiBin > FineStructureBinCount)
            throw new ArgumentOutOfRangeException(nameof(hiBin), hiBin, $"the fine structure was summed over the first {FineStructureBinCount} bins only");
        return hiBin;
    }

    /// <summary>
    /// How much of the fine structure between <paramref name="loBin"/> (inclusive) and <paramref name="hiBin"/> (exclusive)
    /// does not hold over the whole stretch: one minus the share of its energy that its per-bin time average keeps,
    /// 1 − Σₖ mean(dₖ)² / Σₖ mean(dₖ²). Where <see cref="FineStructureChange"/> compares neighbouring frames, this
    /// compares every frame with the stretch's steady pattern, seconds long: near 1 when the partials move or blur
    /// (and for noise), lower when the same partials, tuning and resonances recur. Its floor depends on the number of
    /// frames (a time average of F independent frames keeps about 1/F of the noise), so compare only stretches of equal
    /// length, as the fixed-size segments are. Null without frames or with an empty band.
    /// </summary>
    public double? FineStructureDrift(int loBin, int hiBin)
    {
        loBin = Math.Max(0, loBin);
        hiBin = FineStructureEnd(hiBin);
        if (hiBin - loBin < 1 || Frames == 0) return null;
        double steady = 0, total = 0, scale = 1.0 / Frames;
        for (int k = loBin; k < hiBin; k++)
        {
            double mean = _detailSum[k] * scale;
            steady += mean * mean;
            total += _detailSquares[k] * scale;
        }
        if (total <= 1e-12) return null;
        return 1 - steady / total;
    }

    /// <summary>
    /// How much the fine structure between <paramref name="loBin"/> (inclusive) and <paramref name="hiBin"/> (exclusive)
    /// changes from frame to frame, relative to how large it is: the RMS frame-to-frame change divided by the standard
    /// deviation of the fine structure. About √2 when consecutive frames share nothing (noise-like fine structure), lower
    /// the more of it persists (stable partials, resonances); null with fewer than two frames or an empty band.
    /// </summary>
    public double? FineStructureChange(int loBin, int hiBin)
    {
        loBin = Math.Max(0, loBin);
        hiBin = FineStructureEnd(hiBin);
        if (hiBin - loBin < 2 || ChangePairs == 0) return null;
        double sum = 0, squares = 0, change = 0;
        for (int k = loBin; k < hiBin; k++)
        {
            sum += _detailSum[k];
            squares += _detailSquares[k];
            change += _changeSquares[k];
        }
        double n = (double)Frames * (hiBin - loBin);
        double mean = sum / n, variance = squares / n - mean * mean;
        if (variance <= 1e-9) return null;
        return Math.Sqrt(change / ((double)ChangePairs * (hiBin - loBin)) / variance);
    }

    /// <summary>
    /// The share of partials between <paramref name="loBin"/> (inclusive) and <paramref name="hiBin"/> (exclusive) that are
    /// gone one frame later (<see cref="PartialsKept"/>), over every pair of consecutive frames: (lost + 1) / (partials + 2),
    /// so a stretch with few partials reads near ½ rather than 0 or 1. A held note keeps its partials from one 0.37 s frame
    /// to the next, and a note that ends loses them; a decoder that re-synthesises the spectrum frame by frame makes and
    /// loses partials that no instrument played. Where <see cref="FineStructureChange"/> weighs every bin alike — in
    /// dense or noisy music mostly the noise between partials — this reads only the partials. Null without a pair of
    /// frames or with an empty band.
    /// </summary>
    public double? PartialLoss(int loBin, int hiBin)
    {
        loBin = Math.Max(0, loBin);
        hiBin = FineStructureEnd(hiBin);
        if (hiBin - loBin < 1 || ChangePairs == 0) return null;
        double partials = 0, kept = 0;
        for (int k = loBin; k < hiBin; k++)
        {
            partials += _partialSum[k];
            kept += _keptSum[k];
        }
        return (partials - kept + 1) / (partials + 2);
    }

    /// <summary>
    /// How far the partials between <paramref name="loBin"/> (inclusive) and <paramref name="hiBin"/> (exclusive) stand
    /// out of their neighbourhood, frame by frame: 10·log10 of the arithmetic over the geometric mean of each bin's power
    /// relative to its neighbourhood's mean (<see cref="LocalPowerRatios"/>), pooled over the bins and frames of the
    /// stretch — the inverse of spectral flatness, in dB. About 2.5 dB (−10·log10 e^−γ) for noise, whose power in a bin
    /// is exponentially distributed about the local level; more the more energy stands in partials.
    /// <see cref="FineStructureDrift"/> is near its ceiling both when partials wander (a decoder's blur) and when there
    /// are hardly any to hold (dense, noisy or heavily coded recordings); this tells the two apart.
    /// Null without frames or with an empty band.
    /// </summary>
    public double? PartialProminence(int loBin, int hiBin)
    {
        loBin = Math.Max(0, loBin);
        hiBin = FineStructureEnd(hiBin);
        if (hiBin - loBin < 1 || Frames == 0) return null;
        double ratioSum = 0, logSum = 0;
        for (int k = loBin; k < hiBin; k++)
        {
            ratioSum += _localRatioSum[k];
            logSum += _localLogRatioSum[k];
        }
        double n = (double)Frames * (hiBin - loBin);
        if (ratioSum <= 0) return null;
        return 10 / Math.Log(10) * (Math.Log(ratioSum / n) - logSum / n);
    }
}
