namespace Discern.Audio;

/// <summary>
/// A decoder for one format through a native library loaded at run time where it is installed. Where it is not,
/// <see cref="CanDecode"/> is false and the next decoder in <see cref="AudioDecoders"/> (a managed one) is used, so the
/// library makes decoding faster but is never required.
/// </summary>
/// <param name="format">The format the library decodes.</param>
/// <param name="missingLibraryMessage">What <see cref="Open"/> says when the library is missing: which package to install.</param>
public abstract class NativeLibraryDecoder(AudioFormat format, string missingLibraryMessage) : IAudioDecoder
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <summary>Whether the library loads on this machine.</summary>
    protected abstract bool LibraryAvailable { get; }

    /// <inheritdoc />
    public bool CanDecode(AudioFormat candidate) => candidate == format && LibraryAvailable;

    /// <inheritdoc />
    public IAudioSource Open(Stream stream, AudioFormat candidate)
    {
        Guard.Readable(stream);
        try
        {
            if (!LibraryAvailable) throw new DecoderUnavailableException(missingLibraryMessage);
            return OpenSource(stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Starts decoding <paramref name="stream"/>; the source owns it (on failure <see cref="Open"/> disposes it).</summary>
    protected abstract IAudioSource OpenSource(Stream stream);
}
