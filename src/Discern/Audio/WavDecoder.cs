using System.Buffers.Binary;

namespace Discern.Audio;

/// <summary>
/// Streaming RIFF/RF64 WAVE reader: PCM 8/16/24/32-bit, IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE.
/// Written here rather than taken from NAudio because it must also read ffmpeg's piped output,
/// whose header announces no length and whose stream cannot seek.
/// </summary>
public sealed class WavDecoder : IAudioDecoder
{
    /// <inheritdoc />
    public string Name => "wav";

    /// <inheritdoc />
    public bool CanDecode(AudioFormat format) => format == AudioFormat.Wav;

    /// <inheritdoc />
    public IAudioSource Open(Stream stream, AudioFormat format) => new WavSource(stream, readToEnd: false);

    /// <summary>Opens a WAVE stream whose declared data length is to be ignored (a pipe from ffmpeg).</summary>
    internal static IAudioSource OpenPiped(Stream stream, string codecName) => new WavSource(stream, readToEnd: true, codecName);
}

internal sealed class WavSource : IAudioSource
{
    private const ushort FormatPcm = 1, FormatFloat = 3, FormatExtensible = 0xFFFE;
    private readonly Stream _stream;
    private readonly int _bytesPerSample;
    private readonly bool _isFloat;
    private long _remaining;
    private byte[] _buffer = [];
    private int _carry;

    public WavSource(Stream stream, bool readToEnd, string? codecOverride = null)
    {
        _stream = stream;
        Span<byte> head = stackalloc byte[12];
        if (!ReadExactly(head)) throw new CorruptAudioException("WAV file is shorter than its header.");
        bool rf64 = head[..4].SequenceEqual("RF64"u8);
        if (!(head[..4].SequenceEqual("RIFF"u8) || rf64) || !head.Slice(8, 4).SequenceEqual("WAVE"u8))
            throw new CorruptAudioException("Not a RIFF WAVE file.");

        ushort formatTag = 0; int channels = 0, rate = 0, bits = 0;
        bool sawFormat = false;
        long dataSize = -1;
        Span<byte> chunkHeader = stackalloc byte[8];
        Span<byte> fmtBuffer = stackalloc byte[1024];
        while (true)
        {
            if (!ReadExactly(chunkHeader)) throw new CorruptAudioException("WAV file ends before its audio data.");
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHeader[4..]);
            var id = chunkHeader[..4];
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || size > 1024) throw new CorruptAudioException($"WAV fmt chunk has an invalid size ({size}).");
                var fmt = fmtBuffer[..(int)size];
                if (!ReadExactly(fmt)) throw new CorruptAudioException("WAV fmt chunk is truncated.");
                sawFormat = true;
                formatTag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(fmt[4..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
                if (formatTag == FormatExtensible && size >= 26)
                    formatTag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
                if ((size & 1) == 1) Skip(1);
            }
            else if (id.SequenceEqual("data"u8))
            {
                dataSize = readToEnd || rf64 || size == 0 || size == uint.MaxValue ? long.MaxValue : size;
                break;
            }
            else
            {
                Skip(size + (size & 1));
            }
        }
        if (!sawFormat) throw new CorruptAudioException("WAV file has no fmt chunk before its data.");
        if (channels == 0) throw new CorruptAudioException("WAV fmt chunk declares no channels.");
        _isFloat = formatTag == FormatFloat;
        if (formatTag != FormatPcm && !_isFloat)
            throw new UnsupportedFormatException($"WAV encoding 0x{formatTag:X4} is not PCM or IEEE float (compressed WAV is not supported in-process).");
        if (_isFloat ? bits is not (32 or 64) : bits is not (8 or 16 or 24 or 32))
            throw new UnsupportedFormatException($"WAV with {bits}-bit {(_isFloat ? "float" : "PCM")} samples is not supported.");
        if (rate < 1000 || rate > 768_000) throw new CorruptAudioException($"WAV sample rate {rate} Hz is not plausible.");
        Channels = channels;
        SampleRateHz = rate;
        _bytesPerSample = bits / 8;
        _remaining = dataSize;
        Codec = codecOverride ?? (_isFloat ? $"pcm_f{bits}le" : bits == 8 ? "pcm_u8" : $"pcm_s{bits}le");
        if (dataSize != long.MaxValue)
            DeclaredDuration = TimeSpan.FromSeconds((double)dataSize / (_bytesPerSample * channels) / rate);
    }

    public int SampleRateHz { get; }
    public int Channels { get; }
    public string Codec { get; }
    public TimeSpan? DeclaredDuration { get; }

    public int Read(Span<float> interleaved)
    {
        int frameBytes = _bytesPerSample * Channels;
        int framesWanted = interleaved.Length / Channels;
        if (framesWanted == 0 || _remaining <= 0) return 0;
        int bytesWanted = (int)Math.Min((long)framesWanted * frameBytes, _remaining);
        if (_buffer.Length < bytesWanted) _buffer = new byte[bytesWanted];

        // Fill as much as the stream gives now; keep a partial trailing frame for the next call.
        int have = _carry;
        while (have < bytesWanted)
        {
            int n = _stream.Read(_buffer, have, bytesWanted - have);
            if (n == 0) { _remaining = 0; break; }
            have += n;
        }
        int frames = have / frameBytes;
        int used = frames * frameBytes;
        if (_remaining != long.MaxValue && _remaining != 0) _remaining -= used;
        Convert(_buffer.AsSpan(0, used), interleaved[..(frames * Channels)]);
        _carry = have - used;
        if (_carry > 0) Buffer.BlockCopy(_buffer, used, _buffer, 0, _carry);
        return frames * Channels;
    }

    /// <summary>
    /// Float WAV can hold NaN and infinities (a crashed renderer, a damaged file); one of them would turn the power of
    /// every frame it falls in into NaN. A missing sample is closer to silence than to anything else.
    /// </summary>
    private static void ZeroNonFinite(Span<float> samples)
    {
        foreach (ref float sample in samples)
            if (!float.IsFinite(sample)) sample = 0;
    }

    private void Convert(ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (_bytesPerSample, _isFloat)
        {
            case (4, true):
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(src).CopyTo(dst);
                ZeroNonFinite(dst);
                break;
            case (8, true):
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src[(i * 8)..]);
                ZeroNonFinite(dst);
                break;
            case (1, false):
                for (int i = 0; i < dst.Length; i++) dst[i] = (src[i] - 128) / 128f;
                break;
            case (2, false):
                var s16 = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(src);
                for (int i = 0; i < dst.Length; i++) dst[i] = s16[i] * (1f / 32768f);
                break;
            case (3, false):
                for (int i = 0, j = 0; i < dst.Length; i++, j += 3)
                    dst[i] = ((src[j] << 8 | src[j + 1] << 16 | src[j + 2] << 24) >> 8) * (1f / 8388608f);
                break;
            default:
                var s32 = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(src);
                for (int i = 0; i < dst.Length; i++) dst[i] = s32[i] * (1f / 2147483648f);
                break;
        }
    }

    private bool ReadExactly(Span<byte> buffer)
    {
        try { _stream.ReadExactly(buffer); return true; }
        catch (EndOfStreamException) { return false; }
    }

    private void Skip(long count)
    {
        if (_stream.CanSeek)
        {
            if (_stream.Position + count > _stream.Length) throw new CorruptAudioException("WAV chunk runs past the end of the file.");
            _stream.Seek(count, SeekOrigin.Current);
            return;
        }
        Span<byte> scratch = stackalloc byte[4096];
        while (count > 0)
        {
            int n = _stream.Read(scratch[..(int)Math.Min(count, scratch.Length)]);
            if (n == 0) throw new CorruptAudioException("WAV chunk runs past the end of the file.");
            count -= n;
        }
    }

    public void Dispose() => _stream.Dispose();
}
