using System.Numerics.Tensors;

namespace Discern.Dsp;

/// <summary>
/// Turns a stream of mono samples into time-averaged log-power spectra (mean of per-frame dB, as in the published
/// fakeprint recipe): one over the whole input (where fakeprints show) and one per fixed-size segment of frames.
/// Averaging dB rather than power keeps loud frames from dominating and gives non-stationary music a far steadier
/// estimate, so stationary decoder peaks stand out. Segments hold a fixed
/// number of frames, not seconds, so every estimate has the same statistical noise whatever the clip's length
/// or sample rate — otherwise "short clip" would look like "peaky spectrum" and a model would learn length.
/// Alongside, it sums each frame's fine structure, its frame-to-frame change, and each bin's power relative to its
/// neighbourhood (<see cref="SpectrumStatistics"/>).
/// Memory is two segment accumulators and one frame, whatever the length of the input.
/// </summary>
public sealed class SpectrumAverager
{
    private readonly RealFft _fft;
    private readonly float[] _window, _frame, _windowed, _power, _logPower;
    private float[] _detail, _previousDetail;
    private readonly float[] _detailSquares, _localRatio, _localLogRatio, _changeSquares, _partials, _kept;
    private readonly double[] _prefix;
    private readonly SpectrumStatistics _total;
    private readonly SegmentAccumulator[] _segments;
    private readonly int _hop, _segmentFrames, _detailWindowBins, _prominenceWindowBins, _fineBins;
    private bool _previousAudible;
    private readonly Action<SegmentSpectrum> _onSegment;
    private readonly double _silenceFloor;
    private readonly float _logFloor;
    private int _filled;
    private long _framesSeen;

    /// <summary>
    /// Starts averaging frames of <paramref name="frameLength"/> samples (zero-padded to <paramref name="fftSize"/>) every <paramref name="hop"/> samples,
    /// emitting a <see cref="SegmentSpectrum"/> every <paramref name="segmentHopFrames"/> frames once
    /// <paramref name="segmentFrames"/> frames are in it.
    /// </summary>
    /// <param name="fftSize">Transform length (power of two).</param>
    /// <param name="hop">Frame advance in samples.</param>
    /// <param name="segmentFrames">Frames per segment estimate.</param>
    /// <param name="segmentHopFrames">Frames between segment starts; must divide <paramref name="segmentFrames"/>.</param>
    /// <param name="onSegment">Called with each finished segment; the spectrum it gets is reused afterwards.</param>
    /// <param name="silenceFloorDbfs">Frames whose mean power is below this level count as silent and are left out of the segments.</param>
    /// <param name="detailWindowBins">Width of the local average that a frame's fine structure is measured against (17 bins ≈ 46 Hz at 44.1 kHz and 16,384 points).</param>
    /// <param name="prominenceWindowBins">Width of the neighbourhood that a bin's power is compared with for <see cref="SpectrumStatistics.PartialProminence"/>.</param>
    /// <param name="fineStructureBins">Bins, from DC, whose fine structure and local power ratios are computed and summed (all when null); the dB spectrum always covers every bin.</param>
    /// <param name="frameLength">Samples per frame (at most <paramref name="fftSize"/>, which it is zero-padded to; all of it when null), so that frames last as long at every sample rate.</param>
    public SpectrumAverager(int fftSize, int hop, int segmentFrames, int segmentHopFrames, Action<SegmentSpectrum> onSegment, double silenceFloorDbfs = -70,
        int detailWindowBins = 17, int prominenceWindowBins = SpectrumStatistics.DefaultProminenceWindowBins, int? fineStructureBins = null, int? frameLength = null)
    {
        int length = frameLength ?? fftSize;
        if (length < 2 || length > fftSize) throw new ArgumentOutOfRangeException(nameof(frameLength), length, $"must be 2–{fftSize} samples");
        Guard.Positive(hop);
        Guard.Positive(segmentFrames);
        Guard.Positive(segmentHopFrames);
        if (segmentFrames % segmentHopFrames != 0) throw new ArgumentException("segmentHopFrames must divide segmentFrames");
        _fft = new RealFft(fftSize);
        _hop = hop;
        _segmentFrames = segmentFrames;
        _onSegment = onSegment;
        _window = Windows.Hann(length);
        _frame = new float[length];
        _windowed = new float[fftSize];
        _detailWindowBins = Math.Max(3, detailWindowBins);
        _prominenceWindowBins = Math.Max(3, prominenceWindowBins);
        _fineBins = Math.Clamp(fineStructureBins ?? _fft.BinCount, 1, _fft.BinCount);
        // The moving averages of the bins kept need their whole windows, so they run half a window further.
        int detailBins = Math.Min(_fft.BinCount, _fineBins + _detailWindowBins / 2);
        int ratioBins = Math.Min(_fft.BinCount, _fineBins + _prominenceWindowBins / 2);
        _power = new float[_fft.BinCount];
        _logPower = new float[_fft.BinCount];
        _detail = new float[detailBins];
        _previousDetail = new float[detailBins];
        _localRatio = new float[ratioBins];
        _localLogRatio = new float[ratioBins];
        _detailSquares = new float[_fineBins];
        _changeSquares = new float[_fineBins];
        _partials = new float[_fineBins];
        _kept = new float[_fineBins];
        _prefix = new double[_fft.BinCount + 1];
        _total = new SpectrumStatistics(_fft.BinCount, _prominenceWindowBins, _fineBins);
        // Power of a full-scale sine through this window, per bin sum: used to express frame energy in dBFS.
        _silenceFloor = Math.Pow(10, silenceFloorDbfs / 10) * Windows.Energy(_window) * fftSize * 0.5;
        _logFloor = (float)(1e-12 * Windows.Energy(_window) * fftSize * 0.5 / _fft.BinCount);
        int overlap = segmentFrames / segmentHopFrames;
        _segments = new SegmentAccumulator[overlap];
        for (int i = 0; i < overlap; i++) _segments[i] = new SegmentAccumulator(new SpectrumStatistics(_fft.BinCount, _prominenceWindowBins, _fineBins), (long)i * segmentHopFrames);
    }

    /// <summary>Transform length in samples.</summary>
    public int FftSize => _fft.Size;

    /// <summary>Frame length in samples (the rest of each transform is zeros).</summary>
    public int FrameLength => _frame.Length;

    /// <summary>Bins per spectrum (DC to Nyquist).</summary>
    public int BinCount => _fft.BinCount;

    /// <summary>Frames analysed so far.</summary>
    public long FrameCount => _framesSeen;

    /// <summary>Frames that were louder than the silence floor.</summary>
    public long AudibleFrameCount { get; private set; }

    /// <summary>Statistics of every audible frame so far (its <see cref="SpectrumStatistics.DbSum"/> divided by <see cref="AudibleFrameCount"/> is the long-term average).</summary>
    public SpectrumStatistics Total => _total;

    /// <summary>Feeds mono samples; frames are analysed as soon as they are complete.</summary>
    public void Push(ReadOnlySpan<float> samples)
    {
        while (!samples.IsEmpty)
        {
            int take = Math.Min(samples.Length, _frame.Length - _filled);
            samples[..take].CopyTo(_frame.AsSpan(_filled));
            _filled += take;
            samples = samples[take..];
            if (_filled == _frame.Length)
            {
                AnalyseFrame();
                _frame.AsSpan(_hop).CopyTo(_frame);
                _filled -= _hop;
            }
        }
    }

    private void AnalyseFrame()
    {
        TensorPrimitives.Multiply(_frame, _window, _windowed.AsSpan(0, _frame.Length));
        _fft.PowerSpectrum(_windowed, _power);
        long index = _framesSeen++;
        bool audible = TensorPrimitives.Sum(_power) > _silenceFloor;
        bool pair = audible && _previousAudible;
        // The terms summed: the whole dB spectrum, and the fine structure and local power ratios of the bins kept.
        var detail = _detail.AsSpan(0, _fineBins);
        var ratio = _localRatio.AsSpan(0, _fineBins);
        var logRatio = _localLogRatio.AsSpan(0, _fineBins);
        if (audible)
        {
            AudibleFrameCount++;
            // 1e-12 of full scale keeps digital silence inside a bin finite (−120 dB) without touching real content.
            TensorPrimitives.Add(_power, _logFloor, _power);
            SpectrumStatistics.LocalPowerRatios(_power.AsSpan(0, _localRatio.Length), _prominenceWindowBins, _prefix, _localRatio, _localLogRatio);
            TensorPrimitives.Log10(_power, _logPower);
            TensorPrimitives.Multiply(_logPower, 10f, _logPower);
            Fakeprint.SubtractMovingAverage(_logPower.AsSpan(0, _detail.Length), _detailWindowBins, _detail, _prefix);
            // The squares are computed once here and summed into the total and every segment that holds this frame.
            TensorPrimitives.Multiply(detail, detail, _detailSquares);
            if (pair)
            {
                TensorPrimitives.Subtract(detail, _previousDetail.AsSpan(0, _fineBins), _changeSquares);
                TensorPrimitives.Multiply(_changeSquares, _changeSquares, _changeSquares);
                SpectrumStatistics.PartialsKept(_previousDetail, _detail, _partials, _kept);
            }
            _total.AddTerms(_logPower, detail, _detailSquares, ratio, logRatio, pair ? _changeSquares : default, pair ? _partials : default, pair ? _kept : default);
        }
        foreach (var segment in _segments)
        {
            if (index < segment.StartFrame) continue;
            // A change pair belongs to a segment only when both of its frames do.
            bool segmentPair = pair && index > segment.StartFrame;
            if (audible)
                segment.Statistics.AddTerms(_logPower, detail, _detailSquares, ratio, logRatio, segmentPair ? _changeSquares : default,
                    segmentPair ? _partials : default, segmentPair ? _kept : default);
            if (index - segment.StartFrame + 1 == _segmentFrames)
            {
                if (segment.Statistics.Frames >= _segmentFrames / 2)
                    _onSegment(new SegmentSpectrum(segment.Statistics, segment.StartFrame, _segmentFrames));
                segment.Reset(segment.StartFrame + (long)_segmentFrames);
            }
        }
        _previousAudible = audible;
        if (audible) (_detail, _previousDetail) = (_previousDetail, _detail);
    }

    private sealed class SegmentAccumulator(SpectrumStatistics statistics, long startFrame)
    {
        public SpectrumStatistics Statistics { get; } = statistics;
        public long StartFrame { get; private set; } = startFrame;

        public void Reset(long nextStart)
        {
            Statistics.Clear();
            StartFrame = nextStart;
        }
    }
}

/// <summary>A finished segment: the statistics of its audible frames and where it sits.</summary>
/// <param name="Statistics">Sums over the segment's audible frames (valid only during the callback).</param>
/// <param name="StartFrame">Index of the segment's first frame.</param>
/// <param name="FrameCount">Frames the segment spans, audible or not.</param>
public readonly record struct SegmentSpectrum(SpectrumStatistics Statistics, long StartFrame, int FrameCount)
{
    /// <summary>How many audible frames were summed.</summary>
    public int AudibleFrames => (int)Statistics.Frames;
}
