using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Discern.Audio;

/// <summary>
/// MP3 (MPEG-1/2/2.5 layers I–III) through libmpg123, the mpg123 project's decoder library (LGPL 2.1, loaded at run
/// time where it is installed: Debian's <c>libmpg123-0</c>, which ffmpeg already depends on). It decodes six to seven times
/// as fast as NLayer, the managed decoder it is preferred to (the mix of a 3-minute MP3: 0.15 s against about 1 s), and what it returns is NLayer's output to float rounding
/// (test <c>Mp3_through_libmpg123_is_what_NLayer_decodes</c>): gapless trimming is turned off because NLayer does not
/// trim, so a verdict does not depend on which of the two a machine has.
/// </summary>
/// <remarks>
/// The data is fed from the stream in blocks (mpg123's feed API), so the input need not be seekable and memory stays
/// that of one block. Where the library is missing or cannot output 32-bit float, <see cref="NativeLibraryDecoder.CanDecode"/> is false
/// and the next decoder (NLayer) is used.
/// </remarks>
public sealed class Mpg123Decoder() : NativeLibraryDecoder(AudioFormat.Mp3, "libmpg123 is not installed (Debian: apt-get install libmpg123-0).")
{
    /// <summary>Whether libmpg123 was found and decodes to 32-bit float on this machine.</summary>
    public static bool IsAvailable => Mpg123Native.Available.Value;

    /// <inheritdoc />
    public override string Name => "mpg123";

    /// <inheritdoc />
    protected override bool LibraryAvailable => IsAvailable;

    /// <inheritdoc />
    protected override IAudioSource OpenSource(Stream stream) => new Mpg123Source(stream);
}

internal sealed class Mpg123Source : IAudioSource
{
    /// <summary>Input read before the first frame before the input counts as not MP3 at all.</summary>
    private const int MaxBytesBeforeFirstFrame = 1 << 20;
    private readonly Stream _stream;
    private readonly byte[] _input = new byte[1 << 16];
    private Mpg123Handle _handle;
    private List<byte[]>? _bytesBeforeFirstRead = [];
    private readonly float[] _discarded = new float[4608];
    private long _bytesFed;
    private bool _endOfInput, _foreignFormat;

    public Mpg123Source(Stream stream)
    {
        _stream = stream;
        _handle = Mpg123Native.NewHandle(monoMix: false);
        try { (SampleRateHz, Channels) = NegotiateFormat(replay: false); }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    public int SampleRateHz { get; private set; }
    public int Channels { get; private set; }
    public string Codec => "mp3";
    public TimeSpan? DeclaredDuration => null;

    public bool TryDownmixToMono()
    {
        // The mix must be asked for before the format is fixed, so the bytes read to learn the format are fed to a new
        // handle that mixes: libmpg123 then averages the channels before its synthesis, as NLayer does.
        if (Channels != 2 || _bytesBeforeFirstRead is null) return false;
        _handle.Dispose();
        _handle = Mpg123Native.NewHandle(monoMix: true);
        var (rate, channels) = NegotiateFormat(replay: true);
        if (rate != SampleRateHz || channels != 1)
            throw new CorruptAudioException("libmpg123 did not mix the MP3 stream to mono as asked.");
        Channels = 1;
        return true;
    }

    public int Read(Span<float> interleaved)
    {
        _bytesBeforeFirstRead = null;
        var wanted = interleaved[..(interleaved.Length - interleaved.Length % Channels)];
        int written = 0;
        while (written < wanted.Length)
        {
            var output = _foreignFormat ? MemoryMarshal.AsBytes(_discarded.AsSpan()) : MemoryMarshal.AsBytes(wanted[written..]);
            int code = Mpg123Native.Read(_handle, ref MemoryMarshal.GetReference(output), (nuint)output.Length, out nuint bytes);
            if (!_foreignFormat) written += (int)(bytes / sizeof(float));
            switch (code)
            {
                case Mpg123Native.Ok:
                    continue;
                case Mpg123Native.NeedMore:
                    if (!FeedMore()) return written - written % Channels;
                    continue;
                case Mpg123Native.NewFormat:
                    // A header of another rate or channel count inside a stream is nearly always damage that happens to
                    // look like a frame; what it decodes to is dropped until the stream's own format comes back.
                    var (rate, channels) = CurrentFormat();
                    _foreignFormat = rate != SampleRateHz || channels != Channels;
                    continue;
                case Mpg123Native.Done:
                    return written - written % Channels;
                default:
                    throw new CorruptAudioException($"MP3 data is damaged: {Mpg123Native.Describe(_handle, code)}.");
            }
        }
        return written;
    }

    public void Dispose()
    {
        _handle.Dispose();
        _stream.Dispose();
    }

    /// <summary>Feeds input until the first frame's format is known (first feeding again what was read, when <paramref name="replay"/>).</summary>
    private (int Rate, int Channels) NegotiateFormat(bool replay)
    {
        if (replay)
            foreach (var block in _bytesBeforeFirstRead!) Mpg123Native.Check(_handle, Mpg123Native.Feed(_handle, ref MemoryMarshal.GetArrayDataReference(block), (nuint)block.Length));
        while (true)
        {
            int code = Mpg123Native.GetFormat(_handle, out CLong rate, out int channels, out int encoding);
            if (code == Mpg123Native.Ok)
            {
                if (encoding != Mpg123Native.EncodingFloat32)
                    throw new CorruptAudioException($"libmpg123 offered sample encoding 0x{encoding:x} instead of 32-bit float.");
                return ((int)rate.Value, channels);
            }
            if (code != Mpg123Native.NeedMore) throw new CorruptAudioException($"MP3 stream could not be opened: {Mpg123Native.Describe(_handle, code)}.");
            if (_bytesFed > MaxBytesBeforeFirstFrame || !FeedMore())
                throw new CorruptAudioException("MP3 stream has no valid frame.");
        }
    }

    /// <summary>Feeds the next block of input; false at its end.</summary>
    private bool FeedMore()
    {
        if (_endOfInput) return false;
        int n = _stream.Read(_input);
        if (n == 0)
        {
            _endOfInput = true;
            return false;
        }
        _bytesFed += n;
        _bytesBeforeFirstRead?.Add(_input[..n]);
        Mpg123Native.Check(_handle, Mpg123Native.Feed(_handle, ref MemoryMarshal.GetArrayDataReference(_input), (nuint)n));
        return true;
    }

    private (int Rate, int Channels) CurrentFormat()
    {
        Mpg123Native.Check(_handle, Mpg123Native.GetFormat(_handle, out CLong rate, out int channels, out _));
        return ((int)rate.Value, channels);
    }
}

/// <summary>An mpg123 decoder handle, released with <c>mpg123_delete</c> even if its owner is never disposed.</summary>
internal sealed class Mpg123Handle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle()
    {
        Mpg123Native.Delete(handle);
        return true;
    }
}

/// <summary>The few libmpg123 entry points the decoder needs (mpg123.h, API version 41 and later).</summary>
internal static class Mpg123Native
{
    private const string Library = "mpg123";
    public const int Done = -12, NewFormat = -11, NeedMore = -10, Error = -1, Ok = 0;
    public const int EncodingFloat32 = 0x200;
    private const int ParamFlags = 1, ParamRemoveFlags = 13, ParamResyncLimit = 14;
    private const int FlagMonoMix = 0x4, FlagQuiet = 0x20, FlagGapless = 0x40, FlagForceFloat = 0x400;
    private const int MonoOrStereo = 1 | 2;
    /// <summary>Every rate an MPEG audio stream can have (MPEG-1, 2 and 2.5).</summary>
    private static readonly int[] MpegRates = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];

    /// <summary>Whether the library loads and accepts 32-bit float output; decided once per process.</summary>
    public static readonly Lazy<bool> Available = new(Probe);

    static Mpg123Native() => NativeLibraries.Register();

    /// <summary>A handle that outputs 32-bit float at every MPEG rate, ungapped (as NLayer), quiet, mixing to mono if asked.</summary>
    public static Mpg123Handle NewHandle(bool monoMix)
    {
        var handle = New(IntPtr.Zero, out int error);
        if (handle.IsInvalid) throw new DecoderUnavailableException($"libmpg123 could not create a decoder: {PlainError(error)}.");
        try
        {
            Check(handle, Param(handle, ParamRemoveFlags, new CLong(FlagGapless), 0));
            // Look for the next frame however far damage reaches (the default gives up after 1 kB), as NLayer does.
            Check(handle, Param(handle, ParamResyncLimit, new CLong(-1), 0));
            Check(handle, Param(handle, ParamFlags, new CLong(FlagQuiet | FlagForceFloat | (monoMix ? FlagMonoMix : 0)), 0));
            Check(handle, FormatNone(handle));
            foreach (int rate in MpegRates) Check(handle, Format(handle, new CLong(rate), MonoOrStereo, EncodingFloat32));
            Check(handle, OpenFeed(handle));
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public static void Check(Mpg123Handle handle, int code)
    {
        if (code != Ok) throw new CorruptAudioException($"libmpg123: {Describe(handle, code)}.");
    }

    public static string Describe(Mpg123Handle handle, int code) =>
        code == Error ? Marshal.PtrToStringUTF8(StrError(handle)) ?? "error" : PlainError(code);

    private static string PlainError(int code) => Marshal.PtrToStringUTF8(PlainStrError(code)) ?? $"error {code}";

    private static bool Probe()
    {
        try
        {
            _ = Init(); // required before 1.27, a no-op since
            using var handle = NewHandle(monoMix: false);
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or DiscernException or BadImageFormatException)
        {
            return false;
        }
    }

    [DllImport(Library, EntryPoint = "mpg123_init")]
    private static extern int Init();

    [DllImport(Library, EntryPoint = "mpg123_new")]
    private static extern Mpg123Handle New(IntPtr decoder, out int error);

    [DllImport(Library, EntryPoint = "mpg123_delete")]
    public static extern void Delete(IntPtr handle);

    [DllImport(Library, EntryPoint = "mpg123_param")]
    private static extern int Param(Mpg123Handle handle, int type, CLong value, double floatValue);

    [DllImport(Library, EntryPoint = "mpg123_format_none")]
    private static extern int FormatNone(Mpg123Handle handle);

    [DllImport(Library, EntryPoint = "mpg123_format")]
    private static extern int Format(Mpg123Handle handle, CLong rate, int channels, int encodings);

    [DllImport(Library, EntryPoint = "mpg123_open_feed")]
    private static extern int OpenFeed(Mpg123Handle handle);

    [DllImport(Library, EntryPoint = "mpg123_feed")]
    public static extern int Feed(Mpg123Handle handle, ref byte input, nuint size);

    [DllImport(Library, EntryPoint = "mpg123_read")]
    public static extern int Read(Mpg123Handle handle, ref byte output, nuint size, out nuint done);

    [DllImport(Library, EntryPoint = "mpg123_getformat")]
    public static extern int GetFormat(Mpg123Handle handle, out CLong rate, out int channels, out int encoding);

    [DllImport(Library, EntryPoint = "mpg123_strerror")]
    private static extern IntPtr StrError(Mpg123Handle handle);

    [DllImport(Library, EntryPoint = "mpg123_plain_strerror")]
    private static extern IntPtr PlainStrError(int code);
}
