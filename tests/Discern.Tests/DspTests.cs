using System.Numerics.Tensors;
using Discern.Dsp;
using Discern.Features;

namespace Discern.Tests;

public class RealFftTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(256)]
    [InlineData(512)]
    [InlineData(4096)]
    [InlineData(16384)]
    public void Matches_a_naive_DFT(int n)
    {
        // Every bin, at sizes below, at and above the first fused stages (the first three stages are one kernel from 16 points),
        // with an even and an odd number of stages left for the two-stage passes.
        var x = Signals.Noise(n, seed: n);
        var fft = new RealFft(n);
        var re = new float[fft.BinCount];
        var im = new float[fft.BinCount];
        fft.Forward(x, re, im);
        var cos = Enumerable.Range(0, n).Select(m => Math.Cos(2 * Math.PI * m / n)).ToArray();
        var sin = Enumerable.Range(0, n).Select(m => Math.Sin(2 * Math.PI * m / n)).ToArray();
        for (int k = 0; k <= n / 2; k++)
        {
            double sr = 0, si = 0;
            for (int t = 0, m = 0; t < n; t++, m = (m + k) % n) { sr += x[t] * cos[m]; si -= x[t] * sin[m]; }
            Assert.Equal(sr, re[k], 1e-3 * Math.Sqrt(n));
            Assert.Equal(si, im[k], 1e-3 * Math.Sqrt(n));
        }
    }

    [Fact]
    public void A_sine_lands_in_its_bin()
    {
        const int n = 16384, rate = 44100;
        double binHz = (double)rate / n;
        double f = 1000 * binHz; // exactly bin 1000
        var fft = new RealFft(n);
        var power = new float[fft.BinCount];
        var x = Signals.Sine(f, rate, n);
        TensorPrimitives.Multiply(x, Windows.Hann(n), x);
        fft.PowerSpectrum(x, power);
        Assert.Equal(1000, TensorPrimitives.IndexOfMax(power));
        Assert.True(power[1000] > 1e6 * power[1100], "energy stays near the sine's bin");
    }

    [Fact]
    public void A_frame_shorter_than_its_transform_is_zero_padded_and_advances_by_its_hop()
    {
        // 32 kHz: a 0.372 s frame (11,904 samples) in a 16,384-point transform, as FeatureConfig picks.
        const int rate = 32000, fft = 16384, frame = 11904;
        double binHz = (double)rate / fft;
        var averager = new SpectrumAverager(fft, frame / 2, 10_000, 10_000, _ => { }, frameLength: frame);
        Assert.Equal(frame, averager.FrameLength);
        averager.Push(Signals.Sine(3000 * binHz, rate, frame * 5));
        Assert.Equal(9, averager.FrameCount); // (5 frames of samples − 1 frame) / half a frame + 1
        var db = averager.Total.DbSum;
        int peak = 0;
        for (int k = 1; k < db.Length; k++) if (db[k] > db[peak]) peak = k;
        Assert.Equal(3000, peak);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpectrumAverager(fft, 100, 10, 10, _ => { }, frameLength: fft + 2));
    }

    [Theory]
    [InlineData(8000)]
    [InlineData(11025)]
    [InlineData(16000)]
    [InlineData(22050)]
    [InlineData(24000)]
    [InlineData(32000)]
    [InlineData(44100)]
    [InlineData(48000)]
    [InlineData(88200)]
    [InlineData(96000)]
    [InlineData(192000)]
    public void Frames_last_about_as_long_at_every_sample_rate(int rate)
    {
        // The persistence features compare consecutive frames: their span of time must not depend on the rate.
        var config = FeatureConfig.Default;
        int frame = config.FrameLengthFor(rate), fft = config.FftSizeFor(rate);
        Assert.True(frame <= fft && frame % 2 == 0, $"frame {frame}, transform {fft}");
        Assert.InRange((double)frame / rate, 0.34, 0.373);
        if (rate == 44100) Assert.Equal(16384, frame); // the recipe's n_fft, unpadded
    }

    [Fact]
    public void Rejects_sizes_that_are_not_powers_of_two() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RealFft(1000));

    [Fact]
    public void Transforming_a_frame_allocates_nothing()
    {
        var fft = new RealFft(16384);
        var x = Signals.Noise(16384, 3);
        var power = new float[fft.BinCount];
        fft.PowerSpectrum(x, power); // warm up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) fft.PowerSpectrum(x, power);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Averaging_frames_allocates_nothing_per_frame()
    {
        var averager = new SpectrumAverager(4096, 2048, segmentFrames: 1000, segmentHopFrames: 500, _ => { });
        var x = Signals.Noise(4096 * 8, 5);
        averager.Push(x); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        averager.Push(x);
        averager.Push(x);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(averager.FrameCount > 40);
    }
}

public class FineStructureTests
{
    private static double Change(float[] signal, int rate = 44100)
    {
        var averager = new SpectrumAverager(16384, 8192, 10_000, 10_000, _ => { });
        averager.Push(signal);
        return averager.Total.FineStructureChange((int)(300 / (rate / 16384.0)), (int)(16000 / (rate / 16384.0)))!.Value;
    }

    [Fact]
    public void Noise_fine_structure_changes_completely_from_frame_to_frame()
    {
        // Half-overlapping Hann frames of white noise are nearly independent, so the ratio is close to √2.
        double change = Change(Signals.Noise(44100 * 10, 3));
        Assert.InRange(change, 1.35, 1.45);
    }

    [Fact]
    public void Sustained_partials_make_the_fine_structure_persist()
    {
        const int rate = 44100;
        var x = Signals.Noise(rate * 10, 4, amplitude: 0.02);
        for (int h = 1; h <= 60; h++)
        {
            var partial = Signals.Sine(220.0 * h + 0.37 * h * h, rate, x.Length, 0.2 / h);
            for (int i = 0; i < x.Length; i++) x[i] += partial[i];
        }
        double noise = Change(Signals.Noise(rate * 10, 3)), tones = Change(x);
        Assert.True(tones < noise - 0.3, $"sustained partials {tones:0.00} vs noise {noise:0.00}");
    }

    private static double Drift(float[] signal, int rate = 44100)
    {
        var segments = new List<double>();
        // 24-frame segments, as the shipped configuration: drift is compared between stretches of equal length.
        var averager = new SpectrumAverager(16384, 8192, 24, 12,
            s => segments.Add(s.Statistics.FineStructureDrift((int)(300 / (rate / 16384.0)), (int)(3000 / (rate / 16384.0)))!.Value));
        averager.Push(signal);
        Assert.NotEmpty(segments);
        return segments.Average();
    }

    /// <summary>
    /// Harmonic partials over noise; every <paramref name="noteSeconds"/> the fundamental moves to a random pitch when
    /// <paramref name="wander"/>, else it holds.
    /// </summary>
    private static float[] Partials(bool wander, int rate = 44100, double noteSeconds = 0.5)
    {
        var x = Signals.Noise(rate * 10, 4, amplitude: 0.02);
        var random = new Random(7);
        int note = (int)(rate * noteSeconds);
        for (int start = 0; start < x.Length; start += note)
        {
            double f0 = wander ? 180 + 120 * random.NextDouble() : 220;
            for (int h = 1; h <= 12; h++)
            {
                var partial = Signals.Sine(f0 * h, rate, note, 0.2 / h);
                for (int i = 0; i < note && start + i < x.Length; i++) x[start + i] += partial[i];
            }
        }
        return x;
    }

    [Fact]
    public void Noise_fine_structure_does_not_hold_over_a_segment()
    {
        // 24 half-overlapping frames keep about 1/12 of the noise in their average.
        Assert.InRange(Drift(Signals.Noise(44100 * 10, 3)), 0.85, 0.97);
    }

    [Fact]
    public void Held_notes_keep_their_fine_structure_and_wandering_ones_lose_it()
    {
        double held = Drift(Partials(wander: false)), wandering = Drift(Partials(wander: true));
        Assert.True(held < 0.5, $"held partials drift {held:0.00}");
        Assert.True(wandering > held + 0.3, $"wandering partials {wandering:0.00} vs held {held:0.00}");
    }

    /// <summary>A statistic of <paramref name="signal"/>'s whole 300 Hz–3 kHz band, as the shipped configuration frames it at 44.1 kHz.</summary>
    private static double LowBand(float[] signal, Func<SpectrumStatistics, int, int, double?> statistic)
    {
        var averager = new SpectrumAverager(16384, 8192, 24, 12, _ => { });
        averager.Push(signal);
        double binHz = 44100 / 16384.0;
        return statistic(averager.Total, (int)(300 / binHz), (int)(3000 / binHz))!.Value;
    }

    private static double PartialLoss(float[] signal) => LowBand(signal, (s, lo, hi) => s.PartialLoss(lo, hi));

    [Fact]
    public void Held_notes_keep_their_partials_and_re_synthesised_ones_lose_them()
    {
        // Held notes lose only the chance peaks of the noise under them (about 3 bins in 1,000 of noise reach 10 dB and most
        // are gone a frame later: here a sixth of the peaks); half-second notes lose theirs once per note; notes redrawn every
        // 93 ms, as a decoder that re-synthesises the spectrum makes them, lose most of theirs from one 0.37 s frame to the next.
        double held = PartialLoss(Partials(wander: false)), notes = PartialLoss(Partials(wander: true));
        double redrawn = PartialLoss(Partials(wander: true, noteSeconds: 0.093));
        Assert.True(held < 0.2, $"held partials lost {held:P0}, half-second notes {notes:P0}, redrawn {redrawn:P0}");
        Assert.InRange(notes, held + 0.02, redrawn - 0.15);
        Assert.True(redrawn > held + 0.25, $"redrawn every 93 ms {redrawn:P0} vs held {held:P0}");
    }

    [Fact]
    public void A_partial_is_a_local_maximum_10_dB_up_and_is_kept_when_5_dB_remain_within_a_bin()
    {
        float[] previous = [0, 12, 0, 0, 9, 0, 0, 11, 0, 13, 14, 0, 0];
        float[] next =     [0, 0, 6, 0, 9, 0, 0, 4, 0, 0, 0, 0, 0];
        var partials = new float[previous.Length];
        var kept = new float[previous.Length];
        SpectrumStatistics.PartialsKept(previous, next, partials, kept);
        // Bin 1: kept one bin up; bin 4: under 10 dB; bin 7: only 4 dB left; bin 9: not a maximum (bin 10 is higher); bin 10: gone.
        Assert.Equal(new float[] { 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0 }, partials);
        Assert.Equal(new float[] { 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, kept);
    }

    private static double Prominence(float[] signal) => LowBand(signal, (s, lo, hi) => s.PartialProminence(lo, hi));

    [Fact]
    public void Noise_partials_stand_out_by_the_exponential_distributions_2_5_dB()
    {
        // Power in a bin of noise is exponential about the local level: mean over geometric mean is e^γ, 2.51 dB.
        Assert.InRange(Prominence(Signals.Noise(44100 * 10, 3)), 2.2, 2.8);
    }

    [Fact]
    public void Partials_stand_out_of_noise_whether_they_hold_or_wander()
    {
        double noise = Prominence(Signals.Noise(44100 * 10, 3));
        double held = Prominence(Partials(wander: false)), wandering = Prominence(Partials(wander: true));
        Assert.True(held > noise + 3, $"held partials {held:0.0} dB vs noise {noise:0.0} dB");
        Assert.True(wandering > noise + 3, $"wandering partials {wandering:0.0} dB vs noise {noise:0.0} dB");
    }

    [Fact]
    public void Local_power_ratios_compare_each_bin_with_its_neighbourhood()
    {
        // A flat spectrum is 1 everywhere (edges included, where the window is cut short); a bin of 10× the power stands 10× over
        // the mean of a 5-bin window that holds it once: 10 / ((4 + 10) / 5).
        float[] power = [1, 1, 1, 1, 1, 10, 1, 1, 1, 1, 1];
        var ratio = new float[power.Length];
        var logRatio = new float[power.Length];
        SpectrumStatistics.LocalPowerRatios(power, 5, new double[power.Length + 1], ratio, logRatio);
        Assert.Equal(1, ratio[0], 1e-5);
        Assert.Equal(1, ratio[^1], 1e-5);
        Assert.Equal(10 / (14 / 5.0), ratio[5], 1e-4);
        Assert.Equal(1 / (14 / 5.0), ratio[4], 1e-4);
        Assert.Equal(Math.Log(ratio[5]), logRatio[5], 1e-4);
    }

    [Theory]
    [InlineData(17)]
    [InlineData(16)]
    [InlineData(3)]
    [InlineData(2001)]
    public void The_moving_average_is_the_mean_of_each_window_shrunk_at_the_edges(int windowBins)
    {
        var random = new Random(windowBins);
        var values = new float[1001];
        for (int k = 0; k < values.Length; k++) values[k] = (float)(random.NextDouble() * 150 - 120);
        var detail = new float[values.Length];
        Fakeprint.SubtractMovingAverage(values, windowBins, detail);
        for (int k = 0; k < values.Length; k++)
        {
            var (sum, count) = WindowSum(values, k, windowBins);
            Assert.Equal(values[k] - sum / count, detail[k], 1e-4);
        }
    }

    /// <summary>The sum of the <paramref name="windowBins"/> values centred on <paramref name="k"/>, fewer at the edges, the slow way.</summary>
    private static (double Sum, int Count) WindowSum(float[] values, int k, int windowBins)
    {
        int half = Math.Max(1, windowBins / 2), lo = Math.Max(0, k - half), hi = Math.Min(values.Length, k + half + 1);
        double sum = 0;
        for (int j = lo; j < hi; j++) sum += values[j];
        return (sum, hi - lo);
    }

    [Theory]
    [InlineData(65)]
    [InlineData(64)]
    [InlineData(3)]
    public void Local_power_ratios_match_the_definition_over_a_wide_range_and_through_silence(int windowBins)
    {
        // 150 dB of range and a stretch of digital silence (ratio 1 by convention), long enough for the vector path.
        var random = new Random(windowBins);
        var power = new float[1001];
        for (int k = 0; k < power.Length; k++) power[k] = (float)Math.Pow(10, random.NextDouble() * 15 - 12);
        power.AsSpan(400, 200).Clear();
        var ratio = new float[power.Length];
        var logRatio = new float[power.Length];
        SpectrumStatistics.LocalPowerRatios(power, windowBins, new double[power.Length + 1], ratio, logRatio);
        // The window sums are differences of running sums in double: beside the float rounding of the ratio, they lose
        // what double precision loses on the whole spectrum's sum.
        double total = power.Sum(p => (double)p);
        for (int k = 0; k < power.Length; k++)
        {
            var (sum, count) = WindowSum(power, k, windowBins);
            double expected = sum > 0 ? power[k] * count / sum : 1;
            Assert.Equal(expected, ratio[k], sum > 0 ? expected * (1e-6 + 1e-14 * total / sum) : 0);
        }
    }

    [Fact]
    public void Keeping_the_fine_structure_of_the_low_bins_only_changes_no_measurement_of_them()
    {
        // What the pipeline does at every rate: the features read up to 16 kHz, so only those bins' fine structure is kept.
        const int fft = 16384, kept = 5946;
        var x = Partials(wander: true);
        var full = Measure(null, out var fullAverager);
        var limited = Measure(kept, out var limitedAverager);
        Assert.Equal(full.Count, limited.Count);
        Assert.True(full.Count > 2);
        // Bit for bit: each kept bin's windows are whole and scaled alike however far the spectrum runs.
        Assert.Equal(full.Append(Read(fullAverager.Total)), limited.Append(Read(limitedAverager.Total)));
        Assert.Equal(fullAverager.Total.DbSum.ToArray(), limitedAverager.Total.DbSum.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => limitedAverager.Total.FineStructureDrift(100, kept + 1));

        List<(double, double, double)> Measure(int? fineStructureBins, out SpectrumAverager averager)
        {
            var segments = new List<(double, double, double)>();
            averager = new SpectrumAverager(fft, fft / 2, 24, 12, s => segments.Add(Read(s.Statistics)), -70, 17, 65, fineStructureBins);
            averager.Push(x);
            return segments;
        }

        static (double, double, double) Read(SpectrumStatistics s) =>
            (s.FineStructureDrift(111, kept)!.Value, s.FineStructureChange(1114, kept)!.Value, s.PartialProminence(111, kept)!.Value);
    }

    [Fact]
    public void Change_pairs_only_link_consecutive_audible_frames_and_stay_inside_a_segment()
    {
        var segments = new List<(long Frames, long Pairs)>();
        var averager = new SpectrumAverager(1024, 512, 8, 4, s => segments.Add((s.Statistics.Frames, s.Statistics.ChangePairs)));
        var x = Signals.Noise(512 * 40, 5);
        x.AsSpan(512 * 18, 512 * 4).Clear(); // silence: breaks the chain of pairs
        averager.Push(x);
        Assert.All(segments, s => Assert.True(s.Pairs <= s.Frames - 1));
        Assert.Equal(averager.AudibleFrameCount, averager.Total.Frames);
        Assert.True(averager.Total.ChangePairs < averager.Total.Frames - 1);
    }

    [Fact]
    public void Statistics_need_two_frames_and_a_band()
    {
        var stats = new SpectrumStatistics(8);
        Assert.Null(stats.FineStructureChange(0, 8));
        Assert.Null(stats.FineStructureDrift(0, 8));
        Assert.Null(stats.PartialLoss(0, 8));
        var db = new float[8];
        var detail = new float[] { 1, -1, 2, -2, 1, -1, 0, 0 };
        stats.Add(db, detail, default);
        stats.Add(db, detail, detail);
        Assert.Equal(0, stats.FineStructureChange(0, 8)!.Value, 6);
        Assert.Null(stats.FineStructureChange(3, 4));
        Assert.Equal(0, stats.FineStructureDrift(0, 8)!.Value, 6); // the same detail twice: all of it holds
        Assert.Null(stats.FineStructureDrift(6, 8)); // no fine structure there
        stats.Add(db, [.. detail.Select(v => -v)], detail);
        stats.Add(db, [.. detail.Select(v => -v)], [.. detail.Select(v => -v)]);
        Assert.Equal(1, stats.FineStructureDrift(0, 8)!.Value, 6); // it flipped half the time: none of it holds
    }
}

public class FakeprintTests
{
    [Fact]
    public void Lower_envelope_stays_under_the_spectrum_and_follows_its_shape()
    {
        var db = new float[1000];
        for (int k = 0; k < db.Length; k++) db[k] = -0.02f * k + (k % 50 == 0 ? 6 : 0);
        var env = new float[db.Length];
        Fakeprint.LowerEnvelope(db, 10, env);
        for (int k = 0; k < db.Length; k++) Assert.True(env[k] <= db[k] + 1e-3, $"bin {k}");
        Assert.InRange(db[500] - env[500], 5.5, 6.5); // the peak stands ~6 dB above the envelope
        Assert.InRange(db[525] - env[525], -0.01, 0.3); // between peaks the envelope hugs the slope
    }

    [Fact]
    public void A_synthetic_comb_is_found_with_its_spacing()
    {
        const double binHz = 2.69;
        var residual = new float[4000];
        var rng = new Random(7);
        for (int k = 0; k < residual.Length; k++) residual[k] = (float)(rng.NextDouble() * 0.5);
        double spacingHz = 86.13; // DAC-like: 44100 / 512
        for (double f = 0; f < residual.Length * binHz; f += spacingHz)
        {
            int k = (int)Math.Round(f / binHz);
            if (k < residual.Length) residual[k] += 4;
        }
        var comb = Fakeprint.DetectComb(residual, binHz, 15, 400, new float[residual.Length]);
        Assert.InRange(comb.SpacingHz, spacingHz - binHz, spacingHz + binHz);
        Assert.True(comb.Strength > 0.5, $"strength {comb.Strength}");
        Assert.True(comb.Harmonicity > 0.4, $"harmonicity {comb.Harmonicity}");
    }

    [Fact]
    public void Noise_has_no_comb()
    {
        var residual = Signals.Noise(4000, 11).Select(Math.Abs).ToArray();
        var comb = Fakeprint.DetectComb(residual, 2.69, 15, 400, new float[residual.Length]);
        Assert.True(comb.Strength < 0.15, $"strength {comb.Strength}");
    }

    [Fact]
    public void A_smooth_residual_is_not_a_comb_at_the_shortest_spacing()
    {
        // Noise smoothed over ~30 Hz correlates most at the shortest lags and decays: no spacing stands out. The search
        // used to take the range's lower edge as a 15 Hz "comb" in most human recordings.
        var noise = Signals.Noise(4000, 12);
        var residual = new float[noise.Length];
        for (int k = 0; k < residual.Length; k++)
        {
            float sum = 0;
            for (int j = Math.Max(0, k - 5); j <= Math.Min(noise.Length - 1, k + 5); j++) sum += noise[j];
            residual[k] = sum;
        }
        var comb = Fakeprint.DetectComb(residual, 2.69, 15, 400, new float[residual.Length]);
        Assert.True(comb.Strength < 0.15 || comb.SpacingHz > 20, $"a {comb.SpacingHz:0.0} Hz comb of strength {comb.Strength:0.00} in smoothed noise");
    }

    [Fact]
    public void Bandwidth_finds_a_codec_lowpass()
    {
        const double binHz = 2.69;
        var db = new float[8193];
        for (int k = 0; k < db.Length; k++) db[k] = k * binHz < 16000 ? -20 - (float)(k * binHz / 2000) : -140;
        double bw = Fakeprint.EffectiveBandwidthHz(db, binHz);
        Assert.InRange(bw, 15800, 16200);
    }

    [Fact]
    public void A_transposed_convolution_upsampler_leaves_peaks_that_the_same_signal_without_it_lacks()
    {
        // Latent rate 44100/512 ≈ 86 Hz comb, as a DAC-like decoder at 44.1 kHz; 12 s of audio.
        const int rate = 44100;
        var config = FeatureConfig.Default;
        int fft = config.FftSizeFor(rate);
        var music = Signals.MusicLike(rate, 12, seed: 1);
        // "Decoder": one transposed convolution with stride 512 from a latent at 44100/512 ≈ 86 Hz, with a broadband
        // 64-tap kernel and a bias, mixed under the music at -20 dB.
        var rng = new Random(3);
        var kernel = Enumerable.Range(0, 64).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var low = Signals.Noise(music.Length / 512 + 1, seed: 9, amplitude: 0.1);
        var y = Signals.TransposedConvolution(low, 512, kernel, bias: 1f);
        var decoded = new float[music.Length];
        for (int i = 0; i < decoded.Length; i++) decoded[i] = music[i] + 0.3f * y[i];

        double Comb(float[] signal)
        {
            var extractor = new FeatureExtractor(config);
            SpectrumFeatures? features = null;
            var averager = new SpectrumAverager(fft, fft / 2, 10_000, 10_000, _ => { });
            averager.Push(signal);
            features = extractor.Extract(averager.Total, rate);
            return features.Values![FeatureExtractor.FeatureNames.ToList().IndexOf("comb_strength")];
        }
        double withDecoder = Comb(decoded), without = Comb(music);
        Assert.True(withDecoder > 0.3 && withDecoder > without + 0.2, $"comb strength with upsampler {withDecoder:0.00} vs without {without:0.00}");
    }
}
