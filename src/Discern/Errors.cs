namespace Discern;

/// <summary>
/// Base of every error Discern raises on purpose, so hosts can tell "this input cannot be judged"
/// (show the message to the user) from a bug (log it).
/// </summary>
public class DiscernException : Exception
{
    /// <summary>Creates the exception with a message meant for the person who supplied the input.</summary>
    public DiscernException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <summary>A short stable code for programs (JSON reports, HTTP problem types).</summary>
    public virtual string Code => "error";
}

/// <summary>The bytes are not a container or codec that any available decoder reads.</summary>
public class UnsupportedFormatException(string message, Exception? innerException = null)
    : DiscernException(message, innerException)
{
    /// <inheritdoc />
    public override string Code => "unsupported-format";
}

/// <summary>
/// A container that holds no audio (a video downloaded without its soundtrack, a picture in an MP4): readable, but with
/// nothing to hear. A kind of <see cref="UnsupportedFormatException"/>, so callers that only know that one still catch it.
/// </summary>
public sealed class NoAudioTrackException(string message = "The file has no audio track.")
    : UnsupportedFormatException(message)
{
    /// <inheritdoc />
    public override string Code => "no-audio-track";
}

/// <summary>The format was recognised but the data is damaged, truncated or empty.</summary>
public sealed class CorruptAudioException(string message, Exception? innerException = null)
    : DiscernException(message, innerException)
{
    /// <inheritdoc />
    public override string Code => "corrupt-audio";
}

/// <summary>The input breaks one of the hard limits set in <see cref="AnalysisOptions"/>.</summary>
public sealed class InputLimitExceededException(string message) : DiscernException(message)
{
    /// <inheritdoc />
    public override string Code => "limit-exceeded";
}

/// <summary>An external tool that this format needs (ffmpeg) is not installed.</summary>
public sealed class DecoderUnavailableException(string message, Exception? innerException = null)
    : DiscernException(message, innerException)
{
    /// <inheritdoc />
    public override string Code => "decoder-unavailable";
}

/// <summary>A model file is missing, malformed or made for another feature configuration.</summary>
public sealed class ModelFormatException(string message, Exception? innerException = null)
    : DiscernException(message, innerException)
{
    /// <inheritdoc />
    public override string Code => "model-invalid";
}

/// <summary>Argument checks shared by the public API, so every entry point fails the same way.</summary>
internal static class Guard
{
    public static T NotNull<T>(T? value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
        where T : class
        => value ?? throw new ArgumentNullException(name);

    public static int Positive(int value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
        => value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, "must be positive");

    public static double Positive(double value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
        => value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, "must be a positive finite number");

    public static void PowerOfTwo(int value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value < 2 || (value & (value - 1)) != 0)
            throw new ArgumentOutOfRangeException(name, value, "must be a power of two ≥ 2");
    }

    public static void Readable(Stream stream, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(stream))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream, name);
        if (!stream.CanRead) throw new ArgumentException("the stream must be readable", name);
    }
}
