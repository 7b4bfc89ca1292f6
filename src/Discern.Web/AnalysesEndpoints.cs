using Discern.Audio;
using Microsoft.Extensions.Options;

namespace Discern.Web;

/// <summary>An analysis as the API shows it.</summary>
/// <param name="Id">Analysis id.</param>
/// <param name="Status">queued, running, done or failed.</param>
/// <param name="FileName">The uploaded file's name.</param>
/// <param name="Bytes">Uploaded size.</param>
/// <param name="CreatedAt">When the upload was accepted.</param>
/// <param name="CompletedAt">When the analysis finished.</param>
/// <param name="ErrorCode">Machine-readable error when failed.</param>
/// <param name="Result">The verdict and its evidence (the CLI's JSON shape), once finished.</param>
public sealed record AnalysisResource(string Id, AnalysisStatus Status, string FileName, long Bytes, DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt, string? ErrorCode, AnalysisReport? Result)
{
    internal static AnalysisResource From(AnalysisJob job) =>
        new(job.Id, job.Status, job.FileName, job.Bytes, job.CreatedAt, job.CompletedAt, job.ErrorCode, job.Report);
}

/// <summary>The <c>/api/v1/analyses</c> endpoints.</summary>
public static class AnalysesEndpoints
{
    /// <summary>Name of the rate-limiting policy applied to uploads.</summary>
    public const string UploadPolicy = "uploads";

    /// <summary>Maps upload, status and removal of analyses.</summary>
    public static RouteGroupBuilder MapAnalyses(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/analyses").WithTags("Analyses");

        group.MapPost("/", Create)
            .RequireRateLimiting(UploadPolicy)
            .DisableAntiforgery()
            .WithName("CreateAnalysis")
            .WithSummary("Upload an audio or video file (multipart field 'file', or the raw body) and start its analysis.")
            .WithDescription("Answers 202 with the analysis id at once; with ?wait=true, waits (up to a server limit) and answers 200 with the result.")
            .Accepts<IFormFile>("multipart/form-data")
            .Produces<AnalysisResource>(StatusCodes.Status200OK)
            .Produces<AnalysisResource>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/{id}", Get)
            .WithName("GetAnalysis")
            .WithSummary("Status of an analysis and, once done, its verdict and evidence.")
            .Produces<AnalysisResource>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapDelete("/{id}", Delete)
            .WithName("DeleteAnalysis")
            .WithSummary("Forget an analysis (cancels it if it has not finished).")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Create(HttpContext context, AnalysisService analyses, IOptions<DiscernWebOptions> options, bool? wait, CancellationToken ct)
    {
        var settings = options.Value;
        var upload = await UploadSpooler.SpoolAsync(context.Request, settings, ct);
        if (upload.ErrorCode is { } code) return ErrorCodes.Problem(context, upload.Status, code);

        // Sniff before queueing, so a wrong file is refused at once rather than after a wait in the queue.
        var format = await SniffAsync(upload.Path!, ct);
        if (format == AudioFormat.Unknown)
        {
            UploadSpooler.TryDelete(upload.Path);
            return ErrorCodes.Problem(context, StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedFormat);
        }

        var job = analyses.TryEnqueue(upload.FileName, upload.Path!, upload.Bytes);
        if (job is null)
        {
            UploadSpooler.TryDelete(upload.Path);
            context.Response.Headers.RetryAfter = "5";
            return ErrorCodes.Problem(context, StatusCodes.Status503ServiceUnavailable, ErrorCodes.Busy);
        }

        var location = $"/api/v1/analyses/{job.Id}";
        if (wait == true && await analyses.WaitAsync(job, settings.SynchronousWait, ct))
            return TypedResults.Ok(AnalysisResource.From(job));
        return TypedResults.Accepted(location, AnalysisResource.From(job));
    }

    private static IResult Get(HttpContext context, string id, AnalysisService analyses) =>
        analyses.Find(id) is { } job
            ? TypedResults.Ok(AnalysisResource.From(job))
            : ErrorCodes.Problem(context, StatusCodes.Status404NotFound, ErrorCodes.NotFound);

    private static IResult Delete(HttpContext context, string id, AnalysisService analyses) =>
        analyses.Remove(id) ? TypedResults.NoContent() : ErrorCodes.Problem(context, StatusCodes.Status404NotFound, ErrorCodes.NotFound);

    private static async Task<AudioFormat> SniffAsync(string path, CancellationToken ct)
    {
        // Identify reads synchronously; on a local spool file that is a few kilobytes from the page cache.
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 14, FileOptions.Asynchronous);
        ct.ThrowIfCancellationRequested();
        return AudioDecoders.Identify(file);
    }
}
