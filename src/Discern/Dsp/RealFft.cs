using System.Numerics;
using System.Numerics.Tensors;

namespace Discern.Dsp;

/// <summary>
/// A planned FFT for real input of one power-of-two size: twiddles, bit-reversal table and work buffers
/// are built once, so transforming a frame allocates nothing. Real input of size N is packed into a complex
/// FFT of size N/2 and unpacked (the standard "two-for-one" trick), which halves the work.
/// Hand-written because the managed FFTs on the mirror were 4–15× slower here (see docs/decisions.md).
/// </summary>
public sealed class RealFft
{
    private readonly int _n, _half;
    private readonly int[] _bitReverse;
    private readonly float[][] _stageCos, _stageSin;
    private readonly float[] _unpackCos, _unpackSin;
    private readonly float[] _re, _im;

    /// <summary>Plans a transform of <paramref name="size"/> real samples (a power of two, at least 4).</summary>
    public RealFft(int size)
    {
        Guard.PowerOfTwo(size);
        if (size < 4) throw new ArgumentOutOfRangeException(nameof(size), size, "must be at least 4");
        _n = size;
        _half = size / 2;
        int bits = BitOperations.Log2((uint)_half);
        _bitReverse = new int[_half];
        for (int i = 0; i < _half; i++)
        {
            int r = 0;
            for (int b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
            _bitReverse[i] = r;
        }
        _stageCos = new float[bits][];
        _stageSin = new float[bits][];
        for (int s = 0, h = 1; s < bits; s++, h <<= 1)
        {
            _stageCos[s] = new float[h];
            _stageSin[s] = new float[h];
            for (int j = 0; j < h; j++)
            {
                double angle = -Math.PI * j / h;
                _stageCos[s][j] = (float)Math.Cos(angle);
                _stageSin[s][j] = (float)Math.Sin(angle);
            }
        }
        _unpackCos = new float[_half + 1];
        _unpackSin = new float[_half + 1];
        for (int k = 0; k <= _half; k++)
        {
            double angle = -2 * Math.PI * k / _n;
            _unpackCos[k] = (float)Math.Cos(angle);
            _unpackSin[k] = (float)Math.Sin(angle);
        }
        _re = new float[_half];
        _im = new float[_half];
    }

    /// <summary>Number of real input samples.</summary>
    public int Size => _n;

    /// <summary>Number of output bins, N/2 + 1 (DC to Nyquist).</summary>
    public int BinCount => _half + 1;

    /// <summary>Computes the spectrum of <paramref name="input"/> into <paramref name="real"/> and <paramref name="imaginary"/> (each <see cref="BinCount"/> long).</summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> real, Span<float> imaginary)
    {
        if (input.Length != _n) throw new ArgumentException($"input must hold {_n} samples", nameof(input));
        if (real.Length < BinCount || imaginary.Length < BinCount) throw new ArgumentException($"outputs must hold {BinCount} bins");
        Transform(input);
        Unpack(real, imaginary, power: default);
    }

    /// <summary>Computes |X[k]|² of <paramref name="input"/> into <paramref name="power"/> (<see cref="BinCount"/> long).</summary>
    public void PowerSpectrum(ReadOnlySpan<float> input, Span<float> power)
    {
        if (input.Length != _n) throw new ArgumentException($"input must hold {_n} samples", nameof(input));
        if (power.Length < BinCount) throw new ArgumentException($"power must hold {BinCount} bins", nameof(power));
        Transform(input);
        Unpack(default, default, power);
    }

    private void Transform(ReadOnlySpan<float> input)
    {
        var re = _re.AsSpan();
        var im = _im.AsSpan();
        var rev = _bitReverse;
        for (int k = 0; k < _half; k++)
        {
            int r = rev[k];
            re[r] = input[2 * k];
            im[r] = input[2 * k + 1];
        }
        int width = Vector<float>.Count;
        int firstStage = 0, firstH = 1;
        if (_half >= 8)
        {
            // The first three stages together, eight points at a time: their twiddles are 1, −i and the odd eighth
            // roots, so the butterflies need no table and stay in registers.
            const float r = 0.70710678118654752f;
            for (int g = 0; g < _half; g += 8)
            {
                float r0 = re[g], r1 = re[g + 1], r2 = re[g + 2], r3 = re[g + 3], r4 = re[g + 4], r5 = re[g + 5], r6 = re[g + 6], r7 = re[g + 7];
                float i0 = im[g], i1 = im[g + 1], i2 = im[g + 2], i3 = im[g + 3], i4 = im[g + 4], i5 = im[g + 5], i6 = im[g + 6], i7 = im[g + 7];
                // h = 1
                (r0, r1) = (r0 + r1, r0 - r1); (i0, i1) = (i0 + i1, i0 - i1);
                (r2, r3) = (r2 + r3, r2 - r3); (i2, i3) = (i2 + i3, i2 - i3);
                (r4, r5) = (r4 + r5, r4 - r5); (i4, i5) = (i4 + i5, i4 - i5);
                (r6, r7) = (r6 + r7, r6 - r7); (i6, i7) = (i6 + i7, i6 - i7);
                // h = 2: twiddles 1, −i
                (r0, r2) = (r0 + r2, r0 - r2); (i0, i2) = (i0 + i2, i0 - i2);
                (r1, i1, r3, i3) = (r1 + i3, i1 - r3, r1 - i3, i1 + r3);
                (r4, r6) = (r4 + r6, r4 - r6); (i4, i6) = (i4 + i6, i4 - i6);
                (r5, i5, r7, i7) = (r5 + i7, i5 - r7, r5 - i7, i5 + r7);
                // h = 4: twiddles 1, (1 − i)/√2, −i, (−1 − i)/√2
                float tr, ti;
                (r0, r4) = (r0 + r4, r0 - r4); (i0, i4) = (i0 + i4, i0 - i4);
                tr = (r5 + i5) * r; ti = (i5 - r5) * r;
                (r1, r5) = (r1 + tr, r1 - tr); (i1, i5) = (i1 + ti, i1 - ti);
                (r2, i2, r6, i6) = (r2 + i6, i2 - r6, r2 - i6, i2 + r6);
                tr = (i7 - r7) * r; ti = -(r7 + i7) * r;
                (r3, r7) = (r3 + tr, r3 - tr); (i3, i7) = (i3 + ti, i3 - ti);
                re[g] = r0; re[g + 1] = r1; re[g + 2] = r2; re[g + 3] = r3; re[g + 4] = r4; re[g + 5] = r5; re[g + 6] = r6; re[g + 7] = r7;
                im[g] = i0; im[g + 1] = i1; im[g + 2] = i2; im[g + 3] = i3; im[g + 4] = i4; im[g + 5] = i5; im[g + 6] = i6; im[g + 7] = i7;
            }
            firstStage = 3; firstH = 8;
        }
        for (int s = firstStage, h = firstH; h < _half;)
        {
            // Two stages per pass over the data where vectors fit, which halves the passes through memory.
            if (h >= width && 2 * h < _half)
            {
                TwoStages(s, h);
                s += 2;
                h <<= 2;
            }
            else
            {
                OneStage(s, h, width);
                s++;
                h <<= 1;
            }
        }
    }

    /// <summary>Radix-2 butterflies of half-size <paramref name="h"/>, a vector at a time where they fit.</summary>
    private void OneStage(int s, int h, int width)
    {
        var re = _re.AsSpan();
        var im = _im.AsSpan();
        var wc = _stageCos[s];
        var ws = _stageSin[s];
        for (int start = 0; start < _half; start += 2 * h)
        {
            int j = 0;
            if (h >= width)
            {
                for (; j <= h - width; j += width)
                {
                    int a = start + j, b = a + h;
                    var (tr, ti) = Rotate(new Vector<float>(_re, b), new Vector<float>(_im, b), new Vector<float>(wc, j), new Vector<float>(ws, j));
                    var ar = new Vector<float>(_re, a);
                    var ai = new Vector<float>(_im, a);
                    (ar + tr).CopyTo(_re, a);
                    (ai + ti).CopyTo(_im, a);
                    (ar - tr).CopyTo(_re, b);
                    (ai - ti).CopyTo(_im, b);
                }
            }
            for (; j < h; j++)
            {
                int a = start + j, b = a + h;
                float tr = re[b] * wc[j] - im[b] * ws[j];
                float ti = re[b] * ws[j] + im[b] * wc[j];
                re[b] = re[a] - tr; im[b] = im[a] - ti;
                re[a] += tr; im[a] += ti;
            }
        }
    }

    /// <summary>The stages of half-size <paramref name="h"/> and 2<paramref name="h"/> in one pass, on four points a vector wide.</summary>
    private void TwoStages(int s, int h)
    {
        var c1 = _stageCos[s];
        var s1 = _stageSin[s];
        var c2 = _stageCos[s + 1];
        var s2 = _stageSin[s + 1];
        int width = Vector<float>.Count;
        for (int start = 0; start < _half; start += 4 * h)
        {
            for (int j = 0; j < h; j += width)
            {
                int a = start + j, b = a + h, c = b + h, d = c + h;
                var w1c = new Vector<float>(c1, j);
                var w1s = new Vector<float>(s1, j);
                var ar = new Vector<float>(_re, a);
                var ai = new Vector<float>(_im, a);
                var (tr, ti) = Rotate(new Vector<float>(_re, b), new Vector<float>(_im, b), w1c, w1s);
                var (br, bi) = (ar - tr, ai - ti);
                (ar, ai) = (ar + tr, ai + ti);
                var cr = new Vector<float>(_re, c);
                var ci = new Vector<float>(_im, c);
                (tr, ti) = Rotate(new Vector<float>(_re, d), new Vector<float>(_im, d), w1c, w1s);
                var (dr, di) = (cr - tr, ci - ti);
                (cr, ci) = (cr + tr, ci + ti);
                (tr, ti) = Rotate(cr, ci, new Vector<float>(c2, j), new Vector<float>(s2, j));
                (ar + tr).CopyTo(_re, a);
                (ai + ti).CopyTo(_im, a);
                (ar - tr).CopyTo(_re, c);
                (ai - ti).CopyTo(_im, c);
                (tr, ti) = Rotate(dr, di, new Vector<float>(c2, j + h), new Vector<float>(s2, j + h));
                (br + tr).CopyTo(_re, b);
                (bi + ti).CopyTo(_im, b);
                (br - tr).CopyTo(_re, d);
                (bi - ti).CopyTo(_im, d);
            }
        }
    }

    private static (Vector<float> Re, Vector<float> Im) Rotate(Vector<float> re, Vector<float> im, Vector<float> cos, Vector<float> sin) =>
        (re * cos - im * sin, re * sin + im * cos);

    private void Unpack(Span<float> real, Span<float> imaginary, Span<float> power)
    {
        var re = _re;
        var im = _im;
        bool wantPower = !power.IsEmpty;
        for (int k = 0; k <= _half; k++)
        {
            int a = k == _half ? 0 : k;
            int b = k == 0 ? 0 : _half - k;
            // Even part E = (Z[k] + conj Z[N/2-k]) / 2, odd part O = -i (Z[k] - conj Z[N/2-k]) / 2.
            float er = 0.5f * (re[a] + re[b]), ei = 0.5f * (im[a] - im[b]);
            float or = 0.5f * (im[a] + im[b]), oi = -0.5f * (re[a] - re[b]);
            float c = _unpackCos[k], s = _unpackSin[k];
            float xr = er + or * c - oi * s;
            float xi = ei + or * s + oi * c;
            if (wantPower) power[k] = xr * xr + xi * xi;
            else { real[k] = xr; imaginary[k] = xi; }
        }
    }
}

/// <summary>Analysis windows.</summary>
public static class Windows
{
    /// <summary>A periodic Hann window of <paramref name="length"/> samples (the STFT convention, as librosa's default).</summary>
    public static float[] Hann(int length)
    {
        Guard.Positive(length);
        var w = new float[length];
        for (int i = 0; i < length; i++) w[i] = (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * i / length));
        return w;
    }

    /// <summary>Sum of squares of <paramref name="window"/>, to turn summed power spectra into power per sample.</summary>
    public static double Energy(ReadOnlySpan<float> window) => TensorPrimitives.Dot(window, window);
}
