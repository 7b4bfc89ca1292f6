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
        for (int s = 0, h = 1; h < _half; s++, h <<= 1)
        {
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
                        var c = new Vector<float>(wc, j);
                        var sn = new Vector<float>(ws, j);
                        var br = new Vector<float>(_re, b);
                        var bi = new Vector<float>(_im, b);
                        var tr = br * c - bi * sn;
                        var ti = br * sn + bi * c;
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
    }

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
