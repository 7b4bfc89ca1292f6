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

    private sealed class Source(NLayer.MpegFile file) : IAudioSource
    {
        private float[] _buffer = [];
        public int SampleRateHz => file.SampleRate;
        public int Channels => file.Channels;
        public string Codec => "mp3";
        public TimeSpan? DeclaredDuration => null;

        public int Read(Span<float> interleaved)
        {
            int want = interleaved.Length - interleaved.Length % Channels;
            if (_buffer.Length < want) _buffer = new float[want];
            int n;
            try { n = file.ReadSamples(_buffer, 0, want); }
            catch (Exception ex) when (ex is not DiscernException)
            {
                throw new CorruptAudioException($"MP3 data is damaged: {ex.Message}", ex);
            }
            n -= n % Channels;
            _buffer.AsSpan(0, n).CopyTo(interleaved);
            return n;
        }

        public void Dispose() => file.Dispose();
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

    private sealed class Source(NVorbis.VorbisReader reader) : IAudioSource
    {
        private float[] _buffer = [];
        public int SampleRateHz => reader.SampleRate;
        public int Channels => reader.Channels;
        public string Codec => "vorbis";
        public TimeSpan? DeclaredDuration
        {
            get { try { return reader.TotalTime; } catch (Exception) { return null; } }
        }

        public int Read(Span<float> interleaved)
        {
            int want = interleaved.Length - interleaved.Length % Channels;
            if (_buffer.Length < want) _buffer = new float[want];
            int n;
            try { n = reader.ReadSamples(_buffer, 0, want); }
            catch (Exception ex) when (ex is not DiscernException)
            {
                throw new CorruptAudioException($"Ogg Vorbis data is damaged: {ex.Message}", ex);
            }
            n -= n % Channels;
            _buffer.AsSpan(0, n).CopyTo(interleaved);
            return n;
        }

        public void Dispose() => reader.Dispose();
    }
}
