namespace Discern.Tests;

/// <summary>Known signals and fixtures the tests generate themselves (nothing is read from disk but the corpus).</summary>
internal static class Signals
{
    public static float[] Sine(double frequencyHz, int sampleRateHz, int length, double amplitude = 0.5)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(amplitude * Math.Sin(2 * Math.PI * frequencyHz * i / sampleRateHz));
        return x;
    }

    public static float[] Noise(int length, int seed, double amplitude = 0.3)
    {
        var rng = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(amplitude * (rng.NextDouble() * 2 - 1));
        return x;
    }

    /// <summary>
    /// Stand-in for music: noise coloured by a slowly changing one-pole low-pass, with a few drifting tones,
    /// so its long-term spectrum is smooth like a mix's, with no regular fine structure.
    /// </summary>
    public static float[] MusicLike(int sampleRateHz, double seconds, int seed)
    {
        int n = (int)(sampleRateHz * seconds);
        var rng = new Random(seed);
        var x = new float[n];
        double y = 0, phase1 = 0, phase2 = 0;
        for (int i = 0; i < n; i++)
        {
            double t = (double)i / sampleRateHz;
            double a = 0.3 + 0.25 * Math.Sin(2 * Math.PI * 0.3 * t);
            y = a * y + (1 - a) * (rng.NextDouble() * 2 - 1);
            phase1 += 2 * Math.PI * (220 + 30 * Math.Sin(t)) / sampleRateHz;
            phase2 += 2 * Math.PI * (331 + 40 * Math.Sin(0.7 * t)) / sampleRateHz;
            x[i] = (float)(0.4 * y + 0.1 * Math.Sin(phase1) + 0.05 * Math.Sin(phase2));
        }
        return x;
    }

    /// <summary>
    /// What a neural decoder's last layers do: zero-insertion upsampling by <paramref name="stride"/> followed by a
    /// short learned-like filter, applied to a signal at the latent rate, plus a bias. The DC/bias energy is cloned
    /// to multiples of the low rate (Afchar et al., ISMIR 2025, §3).
    /// </summary>
    public static float[] TransposedConvolution(float[] lowRate, int stride, float[] kernel, float bias)
    {
        var up = new float[lowRate.Length * stride];
        for (int i = 0; i < lowRate.Length; i++) up[i * stride] = lowRate[i] + bias;
        var y = new float[up.Length];
        for (int i = 0; i < y.Length; i++)
        {
            float s = 0;
            for (int k = 0; k < kernel.Length && k <= i; k++) s += kernel[k] * up[i - k];
            y[i] = s;
        }
        return y;
    }

    /// <summary>
    /// <paramref name="music"/> with a DAC-like decoder's lines 20 dB under it: one transposed convolution of stride
    /// <paramref name="stride"/> (a 64-tap random kernel and a bias) over low-rate noise, so its grid lies at exactly
    /// <c>rate / stride</c>.
    /// </summary>
    public static float[] WithDecoderLines(float[] music, int stride = 512)
    {
        var rng = new Random(3);
        var kernel = Enumerable.Range(0, 64).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var lines = TransposedConvolution(Noise(music.Length / stride + 1, seed: 9, amplitude: 0.1), stride, kernel, bias: 1f);
        return music.Select((v, i) => v + 0.1f * lines[i]).ToArray();
    }

    /// <summary>A 16-bit PCM (or 32-bit float) WAV file's bytes for interleaved <paramref name="samples"/>.</summary>
    public static byte[] Wav(float[] samples, int sampleRateHz, int channels, int bits = 16, bool isFloat = false)
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        int bytesPerSample = bits / 8;
        int dataBytes = samples.Length * bytesPerSample;
        w.Write("RIFF"u8); w.Write(36 + dataBytes); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)(isFloat ? 3 : 1)); w.Write((short)channels); w.Write(sampleRateHz);
        w.Write(sampleRateHz * channels * bytesPerSample); w.Write((short)(channels * bytesPerSample)); w.Write((short)bits);
        w.Write("data"u8); w.Write(dataBytes);
        foreach (var s in samples)
        {
            float c = Math.Clamp(s, -1f, 1f);
            if (isFloat) w.Write(float.IsFinite(s) ? c : s); // damaged float files are written as they are
            else if (bits == 16) w.Write((short)Math.Round(c * 32767));
            else if (bits == 24) { int v = (int)Math.Round(c * 8388607); w.Write((byte)v); w.Write((byte)(v >> 8)); w.Write((byte)(v >> 16)); }
            else if (bits == 8) w.Write((byte)Math.Round(c * 127 + 128));
            else w.Write((int)Math.Round(c * 2147483647.0));
        }
        w.Flush();
        return ms.ToArray();
    }

    public static float[] Interleave(params float[][] channels)
    {
        int n = channels[0].Length, c = channels.Length;
        var x = new float[n * c];
        for (int i = 0; i < n; i++) for (int j = 0; j < c; j++) x[i * c + j] = channels[j][i];
        return x;
    }

    /// <summary>Converts WAV bytes with ffmpeg (tests that need it skip clearly without it).</summary>
    public static byte[] Encode(byte[] wav, string extension, params string[] codecArgs)
    {
        var ffmpeg = Audio.FfmpegDecoder.FindOnPath("ffmpeg") ?? throw new InvalidOperationException("ffmpeg is required for this test (apt-get install ffmpeg)");
        var dir = Directory.CreateTempSubdirectory("discern-test-");
        try
        {
            var input = Path.Combine(dir.FullName, "in.wav");
            var output = Path.Combine(dir.FullName, "out." + extension);
            File.WriteAllBytes(input, wav);
            var psi = new System.Diagnostics.ProcessStartInfo(ffmpeg) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", input }.Concat(codecArgs).Append(output)) psi.ArgumentList.Add(a);
            using var p = System.Diagnostics.Process.Start(psi)!;
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException("ffmpeg failed: " + err);
            return File.ReadAllBytes(output);
        }
        finally { dir.Delete(true); }
    }

    /// <summary>A one-second MP4 video with no audio track (a test pattern), as a video saved without its sound.</summary>
    public static byte[] VideoWithoutAudio() =>
        Encode(Wav(new float[4410], 44100, 1), "mp4", "-f", "lavfi", "-i", "testsrc=d=1:s=64x48", "-map", "1:v", "-c:v", "mpeg4");

    public static float[] DecodeAll(Audio.IAudioSource source)
    {
        var all = new List<float>();
        var buf = new float[4096 * source.Channels];
        int n;
        while ((n = source.Read(buf)) > 0) all.AddRange(buf.AsSpan(0, n).ToArray());
        return [.. all];
    }
}
