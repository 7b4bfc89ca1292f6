namespace Discern.Audio;

/// <summary>
/// Decoded audio pulled in blocks, so a three-hour file costs no more memory than a three-second one.
/// </summary>
public interface IAudioSource : IDisposable
{
    /// <summary>Sample rate of the decoded signal.</summary>
    int SampleRateHz { get; }

    /// <summary>Number of interleaved channels that <see cref="Read"/> returns.</summary>
    int Channels { get; }

    /// <summary>The codec as a person would name it ("mp3", "flac", "pcm_s16le", "aac"…).</summary>
    string Codec { get; }

    /// <summary>Duration announced by the container, if any (the decoded length is what counts).</summary>
    TimeSpan? DeclaredDuration { get; }

    /// <summary>
    /// Fills <paramref name="interleaved"/> with samples in [-1, 1], channel-interleaved, and returns how many
    /// were written (a multiple of <see cref="Channels"/>); 0 at the end of the stream.
    /// </summary>
    /// <exception cref="CorruptAudioException">The data is damaged beyond what the decoder can skip.</exception>
    int Read(Span<float> interleaved);

    /// <summary>
    /// Asks the decoder to deliver the mean of the channels instead of the channels themselves, for callers that only
    /// analyse the mix. A decoder that can average before its synthesis stage (MP3: before the inverse MDCT and the
    /// polyphase filter bank) does that work once instead of once per channel. Call it before the first
    /// <see cref="Read"/>.
    /// </summary>
    /// <returns>
    /// Whether it did: if so, <see cref="Channels"/> is 1 from then on and <see cref="Read"/> returns the mean of the
    /// channels; if not, nothing changed and the caller averages the channels itself.
    /// </returns>
    bool TryDownmixToMono() => false;
}

/// <summary>Opens a decoded view of one or more <see cref="AudioFormat"/>s.</summary>
public interface IAudioDecoder
{
    /// <summary>A short name for reports ("nlayer", "ffmpeg"…).</summary>
    string Name { get; }

    /// <summary>Whether this decoder reads <paramref name="format"/> on this machine.</summary>
    bool CanDecode(AudioFormat format);

    /// <summary>Starts decoding <paramref name="stream"/>, positioned at the start of the data.</summary>
    /// <remarks>The source owns <paramref name="stream"/> and disposes it.</remarks>
    IAudioSource Open(Stream stream, AudioFormat format);
}
