using System.Diagnostics;
using System.Numerics.Tensors;
using Discern.Audio;
using Discern.Dsp;

namespace Discern.Features;

/// <summary>Features of one segment of the input.</summary>
/// <param name="StartSeconds">Start time.</param>
/// <param name="EndSeconds">End time.</param>
/// <param name="Values">Feature values, or null when the segment's band was unusable.</param>
public sealed record SegmentMeasurement(double StartSeconds, double EndSeconds, double[]? Values);

/// <summary>Everything measured on one input before any model is applied (what training and evaluation consume).</summary>
public sealed record Measurement
{
    /// <summary>Input facts.</summary>
    public required InputFacts Input { get; init; }
    /// <summary>Clip-level features: the mean of the usable segments' values (the comb's from the long-term spectrum); null when none was usable.</summary>
    public double[]? Features { get; init; }
    /// <summary>Per-segment features.</summary>
    public IReadOnlyList<SegmentMeasurement> Segments { get; init; } = [];
    /// <summary>Strongest peaks of the long-term residual.</summary>
    public IReadOnlyList<SpectralPeak> Peaks { get; init; } = [];
    /// <summary>Comb of the long-term residual.</summary>
    public CombEstimate Comb { get; init; }
    /// <summary>Best exact decoder grid of the long-term residual (<see cref="DecoderGrid"/>).</summary>
    public GridComb Grid { get; init; }
    /// <summary>Residual spectrum for display, when asked for.</summary>
    public ResidualSpectrum? Spectrum { get; init; }
    /// <summary>Why the input cannot be judged, if it cannot (too short, silent, band-limited).</summary>
    public IReadOnlyList<Reason> Problems { get; init; } = [];
    /// <summary>Wall-clock time spent decoding and measuring.</summary>
    public double Seconds { get; init; }
}

/// <summary>
/// Decodes an input block by block, downmixes to mono, averages spectra and measures the fakeprint:
/// memory stays bounded by one block, one frame and two segment accumulators whatever the input's length.
/// </summary>
public sealed class AudioMeasurer
{
    private const int BlockFrames = 16384;
    private readonly FeatureConfig _config;
    private readonly AudioDecoders _decoders;

    /// <summary>Measures with <paramref name="config"/>, decoding with <paramref name="decoders"/>.</summary>
    public AudioMeasurer(FeatureConfig config, AudioDecoders decoders)
    {
        _config = Guard.NotNull(config);
        _decoders = Guard.NotNull(decoders);
    }

    /// <summary>The feature configuration in use.</summary>
    public FeatureConfig Config => _config;

    /// <summary>Measures <paramref name="stream"/> (which it disposes) under <paramref name="options"/>' limits.</summary>
    public Measurement Measure(Stream stream, AnalysisOptions options, CancellationToken cancellationToken = default)
    {
        Guard.Readable(stream);
        Guard.NotNull(options);
        var clock = Stopwatch.StartNew();
        long? bytes = stream.CanSeek ? stream.Length - stream.Position : null;
        if (bytes > options.MaxInputBytes)
        {
            stream.Dispose();
            throw new InputLimitExceededException($"The input is {bytes:N0} bytes; the limit is {options.MaxInputBytes:N0}.");
        }
        // A seekable input's size was checked above; only a stream of unknown length needs counting as it is read.
        var opened = _decoders.Open(bytes is null ? new ByteLimitStream(stream, options.MaxInputBytes) : stream);
        using var source = opened.Source;
        int rate = source.SampleRateHz, channels = source.Channels;
        if (channels < 1 || channels > options.MaxChannels)
            throw new InputLimitExceededException($"The input has {channels} channels; at most {options.MaxChannels} are accepted.");
        if (rate < options.MinSampleRateHz || rate > options.MaxSampleRateHz)
            throw new InputLimitExceededException($"The sample rate is {rate} Hz; {options.MinSampleRateHz}–{options.MaxSampleRateHz} Hz is accepted.");

        int fftSize = _config.FftSizeFor(rate), frameLength = _config.FrameLengthFor(rate);
        int hop = frameLength / 2;
        double secondsPerFrame = (double)hop / rate;
        var extractor = new FeatureExtractor(_config);
        var segments = new List<SegmentMeasurement>();
        var averager = new SpectrumAverager(fftSize, hop, _config.SegmentFrames, _config.SegmentHopFrames, segment =>
        {
            var features = extractor.Extract(segment.Statistics, rate);
            double start = segment.StartFrame * secondsPerFrame;
            segments.Add(new SegmentMeasurement(start, start + ((segment.FrameCount - 1) * hop + frameLength) / (double)rate, features.Values));
        }, _config.SilenceFloorDbfs, _config.FineStructureWindowBins(rate, fftSize), _config.PartialProminenceWindowBins(rate, fftSize),
            _config.FineStructureBins(rate, fftSize), frameLength);

        // The analysis only sees the mix, so a decoder that can mix before synthesis saves itself the work.
        int readChannels = channels > 1 && source.TryDownmixToMono() ? 1 : channels;
        var block = new float[BlockFrames * readChannels];
        var mono = new float[BlockFrames];
        long maxFrames = (long)Math.Ceiling(options.MaxDurationSeconds * rate);
        long decoded = 0;
        float inverseChannels = 1f / readChannels;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = source.Read(block);
            if (n == 0) break;
            int frames = n / readChannels;
            decoded += frames;
            if (decoded > maxFrames)
                throw new InputLimitExceededException($"The audio is longer than the limit of {options.MaxDurationSeconds:0} s.");
            if (readChannels == 1) averager.Push(block.AsSpan(0, frames));
            else
            {
                var span = block.AsSpan(0, n);
                for (int i = 0, j = 0; i < frames; i++, j += readChannels)
                {
                    float sum = 0;
                    for (int c = 0; c < readChannels; c++) sum += span[j + c];
                    mono[i] = sum * inverseChannels;
                }
                averager.Push(mono.AsSpan(0, frames));
            }
        }

        double duration = (double)decoded / rate;
        var problems = new List<Reason>();
        if (decoded == 0) throw new CorruptAudioException("The input decodes to no audio at all.");
        SpectrumFeatures? global = null;
        List<SpectralPeak> peaks = [];
        GridComb grid = default;
        ResidualSpectrum? spectrum = null;
        if (averager.FrameCount == 0)
        {
            // Shorter than one analysis frame: nothing was measured, so whether it is silent is unknown.
            problems.Add(Reason.TooShort(MinimumSeconds(rate), duration));
        }
        else if (averager.AudibleFrameCount == 0)
        {
            problems.Add(Reason.Silent(_config.SilenceFloorDbfs));
        }
        else
        {
            global = extractor.Extract(averager.Total, rate);
            double hiHz = global.Values is null ? Math.Min(_config.BandHighHz, rate / 2.0) : global.BandHighHz;
            double loHz = Math.Min(_config.BandLowHz, hiHz / 2);
            var residual = extractor.ResidualDb(averager.Total, rate, loHz, hiHz, out double firstBinHz, out double binHz);
            peaks = Fakeprint.FindPeaks(residual, binHz, firstBinHz, _config.PeakThresholdDb, options.MaxPeaks);
            if (global.Values is not null) grid = DetectGrid(residual, firstBinHz, binHz);
            if (options.IncludeSpectrum) spectrum = new ResidualSpectrum(firstBinHz, binHz, residual);
        }
        var usable = segments.Where(s => s.Values is not null).Select(s => s.Values!).ToList();
        if (averager.AudibleFrameCount > 0 && segments.Count == 0)
            problems.Add(Reason.TooShort(MinimumSeconds(rate), duration));
        else if (segments.Count > 0 && usable.Count == 0)
            problems.Add(Reason.BandLimited(global?.EffectiveBandwidthHz ?? 0, _config.BandLowHz));

        return new Measurement
        {
            Input = new InputFacts(opened.Format.ToString().ToLowerInvariant(), source.Codec, opened.DecoderName, rate, channels, duration,
                global?.EffectiveBandwidthHz ?? 0, bytes),
            Features = usable.Count == 0 ? null : ClipFeatures(usable, global),
            Segments = segments,
            Peaks = peaks,
            Comb = global?.Comb ?? default,
            Grid = grid,
            Spectrum = spectrum,
            Problems = problems,
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    /// <summary>Shortest input that yields one segment at <paramref name="sampleRateHz"/>.</summary>
    public double MinimumSeconds(int sampleRateHz)
    {
        int frame = _config.FrameLengthFor(sampleRateHz);
        return ((_config.SegmentFrames - 1) * (frame / 2) + frame) / (double)sampleRateHz;
    }

    /// <summary>
    /// The decoder grid of the audio as it is, or, when that is no decoder's, the strongest found under a whole-semitone
    /// pitch shift that is one (<see cref="DecoderGrid.PitchShiftsSemitones"/>): pitch shifting moves the lines off their
    /// exact positions by a known factor, so an evasion by a semitone or two is looked for where it puts them.
    /// </summary>
    private GridComb DetectGrid(ReadOnlySpan<float> residual, double firstBinHz, double binHz)
    {
        var grid = DecoderGrid.Detect(residual, firstBinHz, binHz, _config.CombMinSpacingHz, _config.CombMaxSpacingHz);
        if (Attribution.IsDecoderGrid(grid)) return grid;
        foreach (int semitones in DecoderGrid.PitchShiftsSemitones)
        {
            var shifted = DecoderGrid.Detect(residual, firstBinHz, binHz, _config.CombMinSpacingHz, _config.CombMaxSpacingHz, semitones);
            if (Attribution.IsDecoderGrid(shifted) && (!Attribution.IsDecoderGrid(grid) || shifted.Score > grid.Score)) grid = shifted;
        }
        return grid;
    }

    /// <summary>
    /// The mean of the segments' features, except the comb's, which come from the whole input's long-term spectrum:
    /// a decoder's lines stay put for the whole song and add up there, while the partials of the music move and blur —
    /// the reason the published recipe averages over up to three minutes. Per segment, 4.5 s hold too few frames for
    /// lines 40 dB under the music to stand out. The mean rather than the median: a generator's partials waver in some
    /// passages more than in others, and the median discarded those passages (held out by source, AUC 0.937 → 0.943 as
    /// the files are, higher after every re-encoding and pitch shift measured; docs/results.md "The mean over segments").
    /// The model being linear, a clip's score is then the mean of its segments' scores, but for the comb.
    /// </summary>
    private static double[] ClipFeatures(List<double[]> segments, SpectrumFeatures? longTerm)
    {
        var features = Mean(segments);
        if (longTerm?.Values is { } values)
            foreach (int index in FeatureExtractor.LongTermFeatureIndices) features[index] = values[index];
        return features;
    }

    private static double[] Mean(List<double[]> rows)
    {
        var result = new double[rows[0].Length];
        foreach (var row in rows) TensorPrimitives.Add(result, row, result);
        TensorPrimitives.Divide(result, rows.Count, result);
        return result;
    }
}

/// <summary>Fails the read that goes past a byte limit, so a non-seekable upload cannot exceed it either.</summary>
internal sealed class ByteLimitStream(Stream inner, long limit) : Stream
{
    private long _read;
    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _read += n;
        if (_read > limit) throw new InputLimitExceededException($"The input is larger than the limit of {limit:N0} bytes.");
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
