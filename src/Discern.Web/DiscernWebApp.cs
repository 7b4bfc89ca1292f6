using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Discern.Web;

/// <summary>Builds the web host: the page, the API, health and OpenAPI, over the core library.</summary>
public static class DiscernWebApp
{
    /// <summary>Creates the app from command-line style <paramref name="args"/> (e.g. <c>--urls</c>, <c>--Discern:MaxUploadBytes=…</c>).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // One line per request drowns the startup address and real warnings; configuration can still lower it.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddDiscernWeb(builder.Configuration);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.UseDiscernWeb();
        return app;
    }

    /// <summary>Registers the analysis service, limits, rate limiting, problem details and OpenAPI.</summary>
    public static IServiceCollection AddDiscernWeb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DiscernWebOptions>().Bind(configuration.GetSection(DiscernWebOptions.Section))
            .Validate(o => o.MaxUploadBytes > 0 && o.MaxDurationSeconds > 0 && o.MaxConcurrentAnalyses > 0 && o.MaxQueuedAnalyses > 0,
                "Discern limits must be positive");
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<DiscernWebOptions>>().Value.ModelPath is { } path ? Detector.Load(path) : Detector.Load());
        services.AddSingleton<AnalysisService>();
        services.AddHostedService(sp => sp.GetRequiredService<AnalysisService>());
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase));
            o.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        });
        services.AddProblemDetails();
        services.AddOpenApi("v1");
        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<IOptions<DiscernWebOptions>>((kestrel, discern) =>
                kestrel.Limits.MaxRequestBodySize = discern.Value.MaxUploadBytes + 1024 * 1024); // room for multipart headers
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, ct) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                    context.HttpContext.Response.Headers.RetryAfter = ((int)retry.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ErrorCodes.Problem(context.HttpContext, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited).ExecuteAsync(context.HttpContext);
            };
            limiter.AddPolicy(AnalysesEndpoints.UploadPolicy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<DiscernWebOptions>>().Value;
                if (options.UploadsPerMinutePerClient <= 0) return RateLimitPartition.GetNoLimiter("all");
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.UploadsPerMinutePerClient,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
        });
        return services;
    }

    /// <summary>Adds the middleware and maps every endpoint.</summary>
    public static WebApplication UseDiscernWeb(this WebApplication app)
    {
        // Errors answer as problem+json with no stack trace, whatever the environment.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        app.Use(SecurityHeaders);
        app.UseRateLimiter();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapHealth();
        app.MapAnalyses();
        app.MapPage();
        return app;
    }

    /// <summary>
    /// <c>GET /health</c>: 200 while the service accepts work, with the queue's state and which optional decoders the
    /// server has (a missing ffmpeg turns AAC, Opus and video uploads away; missing native libraries slow MP3 and Vorbis).
    /// </summary>
    public static IEndpointConventionBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        // Looked up once: the binaries on the server do not change under a running process.
        var decoders = Discern.Audio.AudioDecoders.Availability();
        return routes.MapGet("/health", (AnalysisService analyses) => TypedResults.Ok(new HealthReport("ok", analyses.Running, analyses.Queued, Detector.Version, decoders)))
            .WithTags("Health").WithName("Health").WithSummary("Liveness and load, for probes.");
    }

    private static Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        // Everything is served by the app itself: no CDN, no inline script, nothing framed.
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return next(context);
    }
}

/// <summary>Answer of <c>/health</c>.</summary>
/// <param name="Status">"ok".</param>
/// <param name="Running">Analyses running now.</param>
/// <param name="Queued">Analyses waiting.</param>
/// <param name="Version">Discern's version.</param>
/// <param name="Decoders">Which optional decoders the server has.</param>
public sealed record HealthReport(string Status, int Running, int Queued, string Version, Discern.Audio.DecoderAvailability Decoders);
