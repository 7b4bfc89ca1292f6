namespace Discern.Audio;

/// <summary>MP3 through NLayer, a fully managed MPEG audio decoder.</summary>
public sealed class Mp3Decoder : IAudioDecoder
{
    /// <inheritdoc />
    public string Name => "nlayer";

    /// <inheritdoc />
    public bool CanDecode(AudioFormat format) => format == AudioFormat.Mp3;

    /// <inheritdoc />
    public IAudioSource Open(Stream stream, AudioFormat format)
    {
        NLayer.MpegFile file;
        try { file = new NLayer.MpegFile(stream); }
        catch (Exception ex) when (ex is not DiscernException)
        {
            stream.Dispose();
            throw new CorruptAudioException($"MP3 stream could not be opened: {ex.Message}", ex);
        }
        if (file.SampleRate <= 0 || file.Channels <= 0)
        {
            file.Dispose();
            throw new CorruptAudioException("MP3 stream has no valid frame.");
        }
        return new Source(file);
    }

    private sealed class Source(NLayer.MpegFile file) : ArrayReadSource("MP3")
    {
        public override int SampleRateHz => file.SampleRate;
        public override int Channels => file.StereoMode == NLayer.StereoMode.DownmixToMono ? 1 : file.Channels;
        public override string Codec => "mp3";
        public override bool TryDownmixToMono()
        {
            // NLayer averages the two channels' spectral lines after its stereo processing and synthesises one
            // channel: the same mean as averaging its stereo output (to float rounding), for about two thirds of the time.
            if (file.Channels != 2) return false;
            file.StereoMode = NLayer.StereoMode.DownmixToMono;
            return true;
        }
        public override TimeSpan? DeclaredDuration => null;
        protected override int ReadInto(float[] buffer, int count) => file.ReadSamples(buffer, 0, count);
        public override void Dispose() => file.Dispose();
    }
}

/// <summary>Ogg Vorbis through NVorbis, a fully managed Vorbis decoder.</summary>
public sealed class VorbisDecoder : IAudioDecoder
{
    /// <inheritdoc />
    public string Name => "nvorbis";

    /// <inheritdoc />
    public bool CanDecode(AudioFormat format) => format == AudioFormat.OggVorbis;

    /// <inheritdoc />
    public IAudioSource Open(Stream stream, AudioFormat format)
    {
        NVorbis.VorbisReader reader;
        try { reader = new NVorbis.VorbisReader(stream, closeOnDispose: true); }
        catch (Exception ex) when (ex is not DiscernException)
        {
            stream.Dispose();
            throw new CorruptAudioException($"Ogg Vorbis stream could not be opened: {ex.Message}", ex);
        }
        return new Source(reader);
    }

    private sealed class Source(NVorbis.VorbisReader reader) : ArrayReadSource("Ogg Vorbis")
    {
        public override int SampleRateHz => reader.SampleRate;
        public override int Channels => reader.Channels;
        public override string Codec => "vorbis";
        public override TimeSpan? DeclaredDuration
        {
            get { try { return reader.TotalTime; } catch (Exception) { return null; } }
        }
        protected override int ReadInto(float[] buffer, int count) => reader.ReadSamples(buffer, 0, count);
        public override void Dispose() => reader.Dispose();
    }
}

/// <summary>Adapts decoders that fill float arrays to <see cref="IAudioSource.Read"/>, turning their exceptions into <see cref="CorruptAudioException"/>.</summary>
internal abstract class ArrayReadSource(string formatName) : IAudioSource
{
    private float[] _buffer = [];
    public abstract int SampleRateHz { get; }
    public abstract int Channels { get; }
    public abstract string Codec { get; }
    public abstract TimeSpan? DeclaredDuration { get; }
    public virtual bool TryDownmixToMono() => false;
    protected abstract int ReadInto(float[] buffer, int count);
    public abstract void Dispose();

    public int Read(Span<float> interleaved)
    {
        int want = interleaved.Length - interleaved.Length % Channels;
        if (_buffer.Length < want) _buffer = new float[want];
        int n;
        try { n = ReadInto(_buffer, want); }
        catch (Exception ex) when (ex is not DiscernException)
        {
            throw new CorruptAudioException($"{formatName} data is damaged: {ex.Message}", ex);
        }
        n -= n % Channels;
        _buffer.AsSpan(0, n).CopyTo(interleaved);
        return n;
    }
}
