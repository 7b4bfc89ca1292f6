using Microsoft.AspNetCore.Http.HttpResults;

namespace Discern.Web;

/// <summary>
/// Machine-readable error codes of the API, and their sentences in English and French. The API sends the code and
/// a title in the client's language; the page shows its own sentence for the code, so no server text is ever put
/// into the page as markup.
/// </summary>
public static class ErrorCodes
{
    /// <summary>Upload larger than the limit.</summary>
    public const string TooLarge = "too_large";
    /// <summary>Bytes that are no audio or video format Discern knows.</summary>
    public const string UnsupportedFormat = "unsupported_format";
    /// <summary>A video or other container without an audio track.</summary>
    public const string NoAudioTrack = "no_audio_track";
    /// <summary>A known format that does not decode.</summary>
    public const string Corrupt = "corrupt";
    /// <summary>Audio longer, or with more channels, than allowed.</summary>
    public const string LimitExceeded = "limit_exceeded";
    /// <summary>No file in the request, or an empty one.</summary>
    public const string NoFile = "no_file";
    /// <summary>The format needs ffmpeg, which the server lacks.</summary>
    public const string DecoderUnavailable = "decoder_unavailable";
    /// <summary>Too many analyses waiting.</summary>
    public const string Busy = "busy";
    /// <summary>Too many uploads from this client.</summary>
    public const string RateLimited = "rate_limited";
    /// <summary>Unknown or expired analysis id.</summary>
    public const string NotFound = "not_found";
    /// <summary>The analysis was removed before it finished.</summary>
    public const string Cancelled = "cancelled";
    /// <summary>A failure that is Discern's fault.</summary>
    public const string Internal = "internal";

    private static readonly Dictionary<string, (string En, string Fr)> Titles = new()
    {
        [TooLarge] = ("The file is too large.", "Le fichier est trop volumineux."),
        [UnsupportedFormat] = ("This is not an audio or video file Discern can read.", "Ce n'est pas un fichier audio ou vidéo que Discern sait lire."),
        [NoAudioTrack] = ("This file has no audio track.", "Ce fichier n'a pas de piste audio."),
        [Corrupt] = ("The file is damaged or truncated and could not be decoded.", "Le fichier est endommagé ou tronqué : impossible de le décoder."),
        [LimitExceeded] = ("The audio is longer, or has more channels, than this server accepts.", "L'audio est plus long, ou a plus de canaux, que ce serveur n'accepte."),
        [NoFile] = ("No file was sent, or it was empty.", "Aucun fichier n'a été envoyé, ou il était vide."),
        [DecoderUnavailable] = ("This format needs ffmpeg, which is not installed on the server.", "Ce format nécessite ffmpeg, qui n'est pas installé sur le serveur."),
        [Busy] = ("The server is busy; try again in a few seconds.", "Le serveur est occupé ; réessayez dans quelques secondes."),
        [RateLimited] = ("Too many uploads; wait a minute and try again.", "Trop d'envois ; attendez une minute puis réessayez."),
        [NotFound] = ("No analysis with this id (it may have expired).", "Aucune analyse avec cet identifiant (elle a peut-être expiré)."),
        [Cancelled] = ("The analysis was cancelled.", "L'analyse a été annulée."),
        [Internal] = ("The analysis failed unexpectedly.", "L'analyse a échoué de façon inattendue."),
    };

    /// <summary>The code for an exception thrown by an analysis.</summary>
    public static string For(Exception exception) => exception switch
    {
        NoAudioTrackException => NoAudioTrack,
        UnsupportedFormatException => UnsupportedFormat,
        CorruptAudioException => Corrupt,
        InputLimitExceededException => LimitExceeded,
        DecoderUnavailableException => DecoderUnavailable,
        IOException => Corrupt,
        _ => Internal,
    };

    /// <summary>The title of <paramref name="code"/> in French when the request prefers it, else in English.</summary>
    public static string Title(string code, HttpRequest? request) =>
        Titles.TryGetValue(code, out var t) ? (PrefersFrench(request) ? t.Fr : t.En) : code;

    /// <summary>Whether the request's Accept-Language ranks French above English (a two-language negotiation).</summary>
    public static bool PrefersFrench(HttpRequest? request)
    {
        if (request is null) return false;
        var languages = request.GetTypedHeaders().AcceptLanguage;
        var best = languages.Where(l => l.Quality is not 0)
            .OrderByDescending(l => l.Quality ?? 1)
            .Select(l => l.Value.Value ?? "")
            .FirstOrDefault(l => l.StartsWith("fr", StringComparison.OrdinalIgnoreCase) || l.StartsWith("en", StringComparison.OrdinalIgnoreCase));
        return best?.StartsWith("fr", StringComparison.OrdinalIgnoreCase) == true;
    }

    /// <summary>An RFC 9457 problem response carrying <paramref name="code"/>.</summary>
    public static ProblemHttpResult Problem(HttpContext context, int status, string code, string? detail = null) =>
        TypedResults.Problem(
            title: Title(code, context.Request),
            detail: detail,
            statusCode: status,
            type: $"urn:discern:error:{code}",
            extensions: new Dictionary<string, object?> { ["code"] = code });
}
