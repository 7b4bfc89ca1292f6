namespace Discern.Audio;

/// <summary>Which optional decoders a machine has (<see cref="AudioDecoders.Availability"/>).</summary>
/// <param name="Ffmpeg">ffmpeg was found: every format it reads can be analysed.</param>
/// <param name="LibMpg123">MP3 is decoded by libmpg123 rather than NLayer.</param>
/// <param name="LibVorbisFile">Ogg Vorbis is decoded by libvorbisfile rather than NVorbis.</param>
public sealed record DecoderAvailability(bool Ffmpeg, bool LibMpg123, bool LibVorbisFile);

/// <summary>What <see cref="AudioDecoders.Open"/> found and chose.</summary>
/// <param name="Format">The format sniffed from the bytes.</param>
/// <param name="DecoderName">The decoder used.</param>
/// <param name="Source">The decoded audio; the caller disposes it.</param>
public sealed record OpenedAudio(AudioFormat Format, string DecoderName, IAudioSource Source);

/// <summary>
/// Sniffs a stream's format and hands it to the first decoder that reads it: the in-process ones first
/// (no process to start), ffmpeg for the rest.
/// </summary>
public sealed class AudioDecoders
{
    private const int SniffBytes = 4096;
    private const int MaxId3Bytes = 32 << 20;
    private readonly IReadOnlyList<IAudioDecoder> _decoders;

    /// <summary>Uses <paramref name="decoders"/> in order of preference.</summary>
    public AudioDecoders(IEnumerable<IAudioDecoder> decoders) => _decoders = [.. decoders];

    /// <summary>
    /// The in-process decoders (for MP3 and Ogg Vorbis, libmpg123 and libvorbisfile where they are installed and
    /// <paramref name="useNativeDecoders"/>, else the managed NLayer and NVorbis), then ffmpeg found on PATH (or at
    /// <paramref name="ffmpegPath"/>).
    /// </summary>
    public static AudioDecoders CreateDefault(string? ffmpegPath = null, bool preferFfmpeg = false, bool useNativeDecoders = true)
    {
        IAudioDecoder[] mp3 = useNativeDecoders ? [new Mpg123Decoder(), new Mp3Decoder()] : [new Mp3Decoder()];
        IAudioDecoder[] vorbis = useNativeDecoders ? [new VorbisFileDecoder(), new VorbisDecoder()] : [new VorbisDecoder()];
        IAudioDecoder[] managed = [new WavDecoder(), .. mp3, new FlacDecoder(), .. vorbis];
        var ffmpeg = new FfmpegDecoder(ffmpegPath);
        return preferFfmpeg && ffmpeg.IsAvailable ? new([ffmpeg, .. managed]) : new([.. managed, ffmpeg]);
    }

    /// <summary>
    /// Which optional decoders this machine has: without ffmpeg, AAC, Opus, WMA and video soundtracks cannot be read;
    /// without the native libraries, MP3 and Ogg Vorbis are decoded by the managed fallbacks, 1.4 (Vorbis) to seven (MP3) times
    /// as slowly. For service health checks and diagnostics.
    /// </summary>
    public static DecoderAvailability Availability(string? ffmpegPath = null) =>
        new(new FfmpegDecoder(ffmpegPath).IsAvailable, Mpg123Decoder.IsAvailable, VorbisFileDecoder.IsAvailable);

    /// <summary>The decoders in order of preference.</summary>
    public IReadOnlyList<IAudioDecoder> Decoders => _decoders;

    /// <summary>Sniffs <paramref name="stream"/> and opens a decoder for it; the result owns the stream.</summary>
    /// <exception cref="CorruptAudioException">The stream is empty.</exception>
    /// <exception cref="UnsupportedFormatException">No decoder reads the format.</exception>
    /// <exception cref="DecoderUnavailableException">Only ffmpeg could read it and it is not installed.</exception>
    public OpenedAudio Open(Stream stream)
    {
        Guard.Readable(stream);
        long origin = stream.CanSeek ? stream.Position : 0;
        var (format, prefix, dataStart) = SniffPrefix(stream);
        if (prefix.Length == 0) { stream.Dispose(); throw new CorruptAudioException("The input is empty."); }

        var decoder = format == AudioFormat.Unknown ? null : _decoders.FirstOrDefault(d => d.CanDecode(format));
        if (decoder is null)
        {
            stream.Dispose();
            if (format == AudioFormat.Unknown)
                throw new UnsupportedFormatException("The input is not a recognised audio or video format.");
            throw new DecoderUnavailableException(
                $"Decoding {FfmpegDecoder.Describe(format)} needs ffmpeg, which was not found on PATH. Install it (Debian: apt-get install ffmpeg).");
        }

        Stream replay;
        if (decoder is FfmpegDecoder && stream is FileStream)
            replay = stream; // ffmpeg reads the file by name, from its first byte
        else if (stream.CanSeek)
        {
            stream.Position = origin + (decoder is FfmpegDecoder ? 0 : dataStart);
            replay = stream;
        }
        else
        {
            replay = new PrefixedStream(prefix.AsMemory(decoder is FfmpegDecoder ? 0 : dataStart), stream);
            // NLayer and NVorbis seek while reading; give them a temporary file rather than the whole input in memory.
            if (decoder is Mp3Decoder or VorbisDecoder) replay = SpoolToTempFile(replay);
        }
        return new OpenedAudio(format, decoder.Name, decoder.Open(replay, format));
    }

    /// <summary>
    /// The format of the data at <paramref name="stream"/>'s position, looking past an ID3v2 tag, without decoding
    /// (hosts use it to refuse a wrong upload before queueing it). Reads a few kilobytes; does not rewind.
    /// </summary>
    public static AudioFormat Identify(Stream stream)
    {
        Guard.Readable(stream);
        return SniffPrefix(stream).Format;
    }

    /// <summary>Reads the first bytes (and a whole leading ID3v2 tag), returning what they are, the bytes read, and where the audio data starts in them.</summary>
    private static (AudioFormat Format, byte[] Prefix, int DataStart) SniffPrefix(Stream stream)
    {
        var head = new byte[SniffBytes];
        int got = ReadUpTo(stream, head);
        if (got == 0) return (AudioFormat.Unknown, [], 0);
        int id3 = FormatSniffer.Id3v2Length(head.AsSpan(0, got));
        byte[] prefix = head[..got];
        int dataStart = 0;
        if (id3 > 0 && id3 < MaxId3Bytes)
        {
            // Read past the tag (cover art can be megabytes) to see what follows it.
            var extended = new byte[id3 + SniffBytes];
            prefix.CopyTo(extended, 0);
            int more = got < extended.Length ? ReadUpTo(stream, extended.AsSpan(got)) : 0;
            prefix = extended[..(got + more)];
            dataStart = Math.Min(id3, prefix.Length);
        }
        var format = FormatSniffer.Sniff(prefix.AsSpan(dataStart));
        if (format == AudioFormat.Unknown && dataStart > 0) format = AudioFormat.Mp3; // tag, then frames the MP3 decoder will search for
        return (format, prefix, dataStart);
    }

    private static FileStream SpoolToTempFile(Stream input)
    {
        var path = Path.Combine(Path.GetTempPath(), $"discern-{Guid.NewGuid():N}.spool");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        using (input) input.CopyTo(file);
        file.Position = 0;
        return file;
    }

    private static int ReadUpTo(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}

/// <summary>Replays bytes already read for sniffing, then continues with the rest of the stream.</summary>
internal sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : Stream
{
    private int _offset;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_offset < prefix.Length)
        {
            int n = Math.Min(buffer.Length, prefix.Length - _offset);
            prefix.Span.Slice(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }
        return inner.Read(buffer);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
