using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Discern;
using Discern.Dsp;
using Discern.Features;

BenchmarkSwitcher.FromAssembly(typeof(AnalysisBenchmarks).Assembly).Run(args);

/// <summary>
/// Cost of the analysis pipeline on a synthetic 3-minute 44.1 kHz stereo WAV held in memory (no disk, no codec),
/// and of its parts. Run: dotnet run -c Release --project bench/Discern.Benchmarks -- --filter '*'
/// </summary>
[MemoryDiagnoser]
public class AnalysisBenchmarks
{
    private byte[] _wav = [];
    private float[] _mono = [];
    private readonly RealFft _fft = new(16384);
    private readonly float[] _frame = new float[16384], _power = new float[8193];
    private Detector _detector = null!;

    [Params(30, 180)]
    public int Seconds { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        const int rate = 44100;
        var rng = new Random(1);
        int n = rate * Seconds;
        _mono = new float[n];
        double y = 0;
        for (int i = 0; i < n; i++) { y = 0.5 * y + 0.5 * (rng.NextDouble() * 2 - 1); _mono[i] = (float)(0.4 * y); }
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write("RIFF"u8); w.Write(36 + n * 4); w.Write("WAVE"u8); w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)2);
        w.Write(rate); w.Write(rate * 4); w.Write((short)4); w.Write((short)16); w.Write("data"u8); w.Write(n * 4);
        foreach (var s in _mono) { short v = (short)(s * 32767); w.Write(v); w.Write(v); }
        w.Flush();
        _wav = ms.ToArray();
        for (int i = 0; i < _frame.Length; i++) _frame[i] = _mono[i];
        _detector = Detector.Load();
    }

    [Benchmark(Description = "full analysis (WAV in memory)")]
    public Task<Verdict> Analyze() => _detector.AnalyzeAsync(new MemoryStream(_wav));

    [Benchmark(Description = "one 16384-point power spectrum")]
    public void PowerSpectrum() => _fft.PowerSpectrum(_frame, _power);

    [Benchmark(Description = "STFT mean-dB averaging only")]
    public long Averaging()
    {
        var averager = new SpectrumAverager(16384, 8192, FeatureConfig.Default.SegmentFrames, FeatureConfig.Default.SegmentHopFrames, _ => { });
        averager.Push(_mono);
        return averager.FrameCount;
    }
}
