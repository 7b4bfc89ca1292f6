using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Discern.Web;

/// <summary>The outcome of spooling an upload: a temporary file, or the error code to answer with.</summary>
/// <param name="Path">Spooled file (the caller owns and deletes it), or null on error.</param>
/// <param name="FileName">The client's file name, for display.</param>
/// <param name="Bytes">Bytes written.</param>
/// <param name="ErrorCode">Set when nothing usable was received.</param>
/// <param name="Status">HTTP status that goes with <paramref name="ErrorCode"/>.</param>
internal sealed record SpooledUpload(string? Path, string FileName, long Bytes, string? ErrorCode, int Status = StatusCodes.Status200OK);

/// <summary>
/// Streams an upload (the first file of a multipart form, or a raw body) to a temporary file, counting bytes as they
/// arrive so an oversized upload is cut off at the limit rather than stored first. Nothing is buffered in memory.
/// </summary>
internal static class UploadSpooler
{
    public static async Task<SpooledUpload> SpoolAsync(HttpRequest request, DiscernWebOptions options, CancellationToken ct)
    {
        if (request.ContentLength > options.MaxUploadBytes + 64 * 1024)
            return new SpooledUpload(null, "", 0, ErrorCodes.TooLarge, StatusCodes.Status413PayloadTooLarge);

        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
            if (string.IsNullOrEmpty(boundary)) return new SpooledUpload(null, "", 0, ErrorCodes.NoFile, StatusCodes.Status400BadRequest);
            var reader = new MultipartReader(boundary, request.Body);
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFileDisposition()) continue;
                var name = disposition.FileNameStar.Value ?? disposition.FileName.Value ?? "upload";
                return await CopyAsync(section.Body, SafeName(name), options, ct);
            }
            return new SpooledUpload(null, "", 0, ErrorCodes.NoFile, StatusCodes.Status400BadRequest);
        }

        var rawName = request.Headers["X-File-Name"].ToString();
        return await CopyAsync(request.Body, SafeName(string.IsNullOrWhiteSpace(rawName) ? "upload" : Uri.UnescapeDataString(rawName)), options, ct);
    }

    private static async Task<SpooledUpload> CopyAsync(Stream body, string fileName, DiscernWebOptions options, CancellationToken ct)
    {
        var directory = options.TempDirectory ?? System.IO.Path.GetTempPath();
        Directory.CreateDirectory(directory);
        var path = System.IO.Path.Combine(directory, $"discern-upload-{Guid.NewGuid():N}");
        long total = 0;
        bool keep = false;
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    total += read;
                    if (total > options.MaxUploadBytes) return new SpooledUpload(null, fileName, total, ErrorCodes.TooLarge, StatusCodes.Status413PayloadTooLarge);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }
            if (total == 0) return new SpooledUpload(null, fileName, 0, ErrorCodes.NoFile, StatusCodes.Status400BadRequest);
            keep = true;
            return new SpooledUpload(path, fileName, total, null);
        }
        finally
        {
            if (!keep) TryDelete(path);
        }
    }

    /// <summary>Deletes a spooled file, ignoring a file that is already gone.</summary>
    public static void TryDelete(string? path)
    {
        if (path is null) return;
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>The client's name reduced to a display string: no directories, no control characters, bounded length.</summary>
    private static string SafeName(string name)
    {
        var file = System.IO.Path.GetFileName(name.Replace('\\', '/'));
        var clean = new string(file.Where(c => !char.IsControl(c)).ToArray()).Trim();
        if (clean.Length == 0) clean = "upload";
        return clean.Length > 200 ? clean[..200] : clean;
    }
}
