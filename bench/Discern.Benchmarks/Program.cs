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

/// <summary>
/// Decoding alone, the mix of 3 minutes of synthetic stereo music-like audio encoded by ffmpeg (needed on PATH): MP3 by
/// libmpg123 and by NLayer, Ogg Vorbis by libvorbisfile and by NVorbis (which cannot mix: it returns both channels, and
/// the analysis averages them), FLAC by Discern's own decoder. Run: dotnet run -c Release --project bench/Discern.Benchmarks
/// -- --filter '*Decoder*'
/// </summary>
[MemoryDiagnoser]
public class DecoderBenchmarks
{
    private const int RateHz = 44100, Seconds = 180;
    private readonly float[] _block = new float[16384];
    private byte[] _mp3 = [], _flac = [], _vorbis = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(2);
        using var wav = new MemoryStream();
        using (var w = new BinaryWriter(wav, System.Text.Encoding.ASCII, leaveOpen: true))
        {
            int n = RateHz * Seconds;
            w.Write("RIFF"u8); w.Write(36 + n * 4); w.Write("WAVE"u8); w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)2);
            w.Write(RateHz); w.Write(RateHz * 4); w.Write((short)4); w.Write((short)16); w.Write("data"u8); w.Write(n * 4);
            double left = 0, right = 0;
            for (int i = 0; i < n; i++)
            {
                double t = (double)i / RateHz, tone = 0.2 * Math.Sin(2 * Math.PI * (220 + 20 * Math.Sin(t)) * t);
                left = 0.6 * left + 0.4 * (rng.NextDouble() * 2 - 1);
                right = 0.6 * right + 0.4 * (rng.NextDouble() * 2 - 1);
                w.Write((short)((tone + 0.2 * left) * 32767));
                w.Write((short)((tone + 0.2 * right) * 32767));
            }
        }
        _mp3 = Encode(wav.ToArray(), "mp3", "-c:a", "libmp3lame", "-b:a", "192k");
        _flac = Encode(wav.ToArray(), "flac", "-c:a", "flac");
        _vorbis = Encode(wav.ToArray(), "ogg", "-c:a", "libvorbis", "-q:a", "5");
    }

    [Benchmark(Description = "MP3, libmpg123, mix")]
    public long Mpg123() => DecodeMix(new Discern.Audio.Mpg123Decoder(), _mp3, Discern.Audio.AudioFormat.Mp3);

    [Benchmark(Description = "MP3, NLayer, mix")]
    public long NLayer() => DecodeMix(new Discern.Audio.Mp3Decoder(), _mp3, Discern.Audio.AudioFormat.Mp3);

    [Benchmark(Description = "Ogg Vorbis, libvorbisfile, mix")]
    public long VorbisFile() => DecodeMix(new Discern.Audio.VorbisFileDecoder(), _vorbis, Discern.Audio.AudioFormat.OggVorbis);

    [Benchmark(Description = "Ogg Vorbis, NVorbis, both channels")]
    public long NVorbis() => DecodeMix(new Discern.Audio.VorbisDecoder(), _vorbis, Discern.Audio.AudioFormat.OggVorbis, mix: false);

    [Benchmark(Description = "FLAC, own decoder, mix")]
    public long Flac() => DecodeMix(new Discern.Audio.FlacDecoder(), _flac, Discern.Audio.AudioFormat.Flac);

    private long DecodeMix(Discern.Audio.IAudioDecoder decoder, byte[] bytes, Discern.Audio.AudioFormat format, bool mix = true)
    {
        using var source = decoder.Open(new MemoryStream(bytes), format);
        if (mix && !source.TryDownmixToMono()) throw new InvalidOperationException($"{decoder.Name} did not mix");
        long samples = 0;
        int n;
        while ((n = source.Read(_block)) > 0) samples += n;
        return samples;
    }

    private static byte[] Encode(byte[] wav, string extension, params string[] codecArgs)
    {
        var dir = Directory.CreateTempSubdirectory("discern-bench-");
        try
        {
            string input = Path.Combine(dir.FullName, "in.wav"), output = Path.Combine(dir.FullName, "out." + extension);
            File.WriteAllBytes(input, wav);
            var info = new System.Diagnostics.ProcessStartInfo("ffmpeg") { RedirectStandardError = true };
            foreach (var a in new[] { "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", input }.Concat(codecArgs).Append(output))
                info.ArgumentList.Add(a);
            using var process = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException("ffmpeg could not be started");
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed: {error}");
            return File.ReadAllBytes(output);
        }
        finally { dir.Delete(recursive: true); }
    }
}
