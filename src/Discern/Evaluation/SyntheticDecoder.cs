using System.Text;
using Discern.Audio;
using Discern.Features;

namespace Discern.Evaluation;

/// <summary>
/// Adds to a recording the lines that a neural decoder's transposed convolutions leave, so that training can show the model
/// the mechanism itself and not only the few generators of a corpus.
/// </summary>
/// <remarks>
/// Afchar et al. (<i>A Fourier Explanation of AI-music Artifacts</i>, ISMIR 2025) show that a stack of transposed
/// convolutions with strides s₁…s_L turns the bias and slowly varying part of its input into a pattern that repeats every
/// P = s₁·…·s_L output samples: lines at every multiple of rate / P whatever the weights or training data. This class builds
/// that pattern the way such a stack does — a constant input, zero insertion and a random kernel of twice the stride per
/// layer, in steady state — and adds it to the music scaled by the music's own short-term level (decoder artifacts ride on
/// the activations, so they come and go with the sound). The development corpus has no generator with a visible comb, so
/// without such examples a model trained on it gives the comb no weight at all; with them, a comb counts as evidence
/// wherever it appears, at whatever spacing.
/// </remarks>
public sealed class SyntheticDecoder
{
    /// <summary>Name of the training augmentation that turns every human clip into a positive example through a synthetic decoder.</summary>
    public const string AugmentationName = "decoder-lines";

    /// <summary>Whether <paramref name="transform"/> names this augmentation (<see cref="AugmentationName"/>, any case).</summary>
    public static bool IsAugmentation(string transform) => AugmentationName.Equals(transform, StringComparison.OrdinalIgnoreCase);

    /// <summary>Source group the synthetic examples are weighed in (one AI source among the others).</summary>
    public const string SourceName = "synthetic-decoder";

    private static readonly int[] Strides = [2, 3, 4, 5, 8];
    private static readonly int CombHarmonicityIndex = FeatureExtractor.IndexOf("comb_harmonicity");
    private readonly float[] _pattern;

    /// <summary>A decoder with the given strides, kernels drawn from <paramref name="seed"/>, lines <paramref name="levelDb"/> below the music.</summary>
    /// <param name="strides">Upsampling strides, first layer first; their product is the pattern's period in samples.</param>
    /// <param name="levelDb">Power of the added pattern relative to the music's short-term power (e.g. −40).</param>
    /// <param name="seed">Seed of the kernels.</param>
    public SyntheticDecoder(IReadOnlyList<int> strides, double levelDb, int seed)
    {
        Guard.NotNull(strides);
        if (strides.Count == 0 || strides.Any(s => s < 2)) throw new ArgumentException("Every stride must be at least 2.", nameof(strides));
        if (!double.IsFinite(levelDb)) throw new ArgumentOutOfRangeException(nameof(levelDb), levelDb, "The level must be finite.");
        StridesUsed = [.. strides];
        LevelDb = levelDb;
        var random = new Random(seed);
        var kernels = StridesUsed.Select(stride => Enumerable.Range(0, 2 * stride).Select(_ => Gaussian(random)).ToArray()).ToList();
        _pattern = Normalised(SteadyState(StridesUsed, kernels));
    }

    /// <summary>The strides of the stack.</summary>
    public IReadOnlyList<int> StridesUsed { get; }

    /// <summary>Samples after which the pattern repeats (the product of the strides).</summary>
    public int PeriodSamples => _pattern.Length;

    /// <summary>Power of the pattern relative to the music, in dB.</summary>
    public double LevelDb { get; }

    /// <summary>Spacing of the lines at <paramref name="sampleRateHz"/>.</summary>
    public double LineSpacingHz(int sampleRateHz) => (double)sampleRateHz / PeriodSamples;

    /// <summary>
    /// A decoder for one clip, drawn from <paramref name="key"/> (e.g. the clip's path) so that training is reproducible:
    /// two to four layers whose strides give lines 15–400 Hz apart at <paramref name="sampleRateHz"/> (the spacings of
    /// published decoders, the comb search's <see cref="FeatureConfig.CombMinSpacingHz"/>–<see cref="FeatureConfig.CombMaxSpacingHz"/>),
    /// 30 to 50 dB below the music: from plainly visible in the long-term spectrum to buried under most mixes.
    /// </summary>
    public static SyntheticDecoder ForClip(string key, int sampleRateHz)
    {
        Guard.NotNull(key);
        var random = new Random(StableSeed(key));
        while (true)
        {
            var strides = new int[random.Next(2, 5)];
            for (int i = 0; i < strides.Length; i++) strides[i] = Strides[random.Next(Strides.Length)];
            int period = strides.Aggregate(1, (a, b) => a * b);
            double spacing = (double)sampleRateHz / period;
            if (spacing < FeatureConfig.Default.CombMinSpacingHz || spacing > FeatureConfig.Default.CombMaxSpacingHz) continue;
            return new SyntheticDecoder(strides, -50 + 20 * random.NextDouble(), random.Next());
        }
    }

    /// <summary>
    /// Whether <paramref name="measurement"/> of a synthetic example shows its decoder's comb: its "comb_harmonicity"
    /// rises above <see cref="FeatureConfig.CombHarmonicityFloor"/>. Lines 50 dB under a bright mix leave no trace at all;
    /// trained on, such examples would only teach the model that some untouched recordings are AI (held out by source in a
    /// scratch harness: AUC 0.866 with every example, 0.885–0.887 keeping those whose harmonicity exceeds 0.1–0.3).
    /// </summary>
    public static bool LeftVisibleLines(Measurement measurement)
    {
        Guard.NotNull(measurement);
        return measurement.Features is { } features && features[CombHarmonicityIndex] > 0;
    }

    /// <summary>Wraps <paramref name="decoders"/> so that every source they open carries a decoder drawn from <paramref name="key"/>.</summary>
    public static AudioDecoders Wrap(AudioDecoders decoders, string key)
    {
        Guard.NotNull(decoders);
        return new AudioDecoders(decoders.Decoders.Select(d => new WrappingDecoder(d, key)));
    }

    /// <summary>Adds the pattern to interleaved <paramref name="samples"/> in place, continuing from <paramref name="state"/>.</summary>
    /// <param name="samples">Interleaved frames.</param>
    /// <param name="channels">Channels per frame.</param>
    /// <param name="sampleRateHz">Sample rate (for the 50 ms level follower).</param>
    /// <param name="state">Position in the pattern and the music's running power; starts at default.</param>
    public void Apply(Span<float> samples, int channels, int sampleRateHz, ref State state)
    {
        double alpha = 1 - Math.Exp(-1.0 / (0.05 * sampleRateHz));
        double gain = Math.Pow(10, LevelDb / 20);
        int frames = samples.Length / channels;
        for (int i = 0, j = 0; i < frames; i++, j += channels)
        {
            float mix = 0;
            for (int c = 0; c < channels; c++) mix += samples[j + c];
            mix /= channels;
            state.Power += alpha * (mix * mix - state.Power);
            float add = (float)(gain * Math.Sqrt(state.Power)) * _pattern[state.Position];
            state.Position = state.Position + 1 == _pattern.Length ? 0 : state.Position + 1;
            for (int c = 0; c < channels; c++) samples[j + c] += add;
        }
    }

    /// <summary>Where <see cref="Apply"/> left off.</summary>
    public struct State
    {
        /// <summary>Index in the pattern of the next sample.</summary>
        public int Position;
        /// <summary>Running mean power of the music.</summary>
        public double Power;
    }

    /// <summary>The pattern added, one period long (zero mean, unit RMS).</summary>
    internal ReadOnlySpan<float> Period => _pattern;

    /// <summary>
    /// One period of what the stack outputs, once past its start, for a constant input of 1: each layer inserts s − 1
    /// zeros between samples and convolves with its kernel; the input being periodic, the convolution is circular.
    /// </summary>
    internal static double[] SteadyState(IReadOnlyList<int> strides, IReadOnlyList<double[]> kernels)
    {
        double[] period = [1.0];
        for (int layer = 0; layer < strides.Count; layer++)
        {
            int s = strides[layer];
            var kernel = kernels[layer];
            var up = new double[period.Length * s];
            for (int n = 0; n < period.Length; n++) up[n * s] = period[n];
            var next = new double[up.Length];
            for (int n = 0; n < up.Length; n++)
            {
                double acc = 0;
                for (int k = 0; k < kernel.Length; k++) acc += kernel[k] * up[((n - k) % up.Length + up.Length) % up.Length];
                next[n] = acc;
            }
            period = next;
        }
        return period;
    }

    /// <summary>Zero mean and unit RMS; a stack whose kernels happened to cancel every line stays flat (zero).</summary>
    private static float[] Normalised(double[] period)
    {
        double mean = period.Average();
        double rms = Math.Sqrt(period.Sum(v => (v - mean) * (v - mean)) / period.Length);
        return [.. period.Select(v => rms > 1e-12 ? (float)((v - mean) / rms) : 0f)];
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>FNV-1a of the key's UTF-8 bytes: the same on every machine and run, unlike string.GetHashCode.</summary>
    private static int StableSeed(string key)
    {
        uint hash = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(key)) hash = (hash ^ b) * 16777619;
        return (int)(hash & 0x7fffffff);
    }

    private sealed class WrappingDecoder(IAudioDecoder inner, string key) : IAudioDecoder
    {
        public string Name => inner.Name;

        public bool CanDecode(AudioFormat format) => inner.CanDecode(format);

        public IAudioSource Open(Stream stream, AudioFormat format)
        {
            var source = inner.Open(stream, format);
            return new Source(source, ForClip(key, source.SampleRateHz));
        }
    }

    private sealed class Source(IAudioSource inner, SyntheticDecoder decoder) : IAudioSource
    {
        private State _state;
        private int _readChannels = inner.Channels;

        public int SampleRateHz => inner.SampleRateHz;
        public int Channels => inner.Channels;
        public string Codec => inner.Codec;
        public TimeSpan? DeclaredDuration => inner.DeclaredDuration;

        public bool TryDownmixToMono()
        {
            if (!inner.TryDownmixToMono()) return false;
            _readChannels = 1;
            return true;
        }

        public int Read(Span<float> interleaved)
        {
            int n = inner.Read(interleaved);
            decoder.Apply(interleaved[..n], _readChannels, inner.SampleRateHz, ref _state);
            return n;
        }

        public void Dispose() => inner.Dispose();
    }
}
