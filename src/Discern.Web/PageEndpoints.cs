using System.Reflection;

namespace Discern.Web;

/// <summary>Serves the single page (HTML, script, style) from resources embedded in this assembly.</summary>
public static class PageEndpoints
{
    private static readonly Dictionary<string, (string Resource, string ContentType)> Files = new(StringComparer.Ordinal)
    {
        ["/"] = ("index.html", "text/html; charset=utf-8"),
        ["/app.js"] = ("app.js", "text/javascript; charset=utf-8"),
        ["/app.css"] = ("app.css", "text/css; charset=utf-8"),
        ["/favicon.svg"] = ("favicon.svg", "image/svg+xml"),
    };

    /// <summary>Maps the page's files.</summary>
    public static IEndpointRouteBuilder MapPage(this IEndpointRouteBuilder routes)
    {
        foreach (var (route, (resource, contentType)) in Files)
        {
            var bytes = Load(resource);
            routes.MapGet(route, (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "no-cache";
                return TypedResults.Bytes(bytes, contentType);
            }).ExcludeFromDescription();
        }
        return routes;
    }

    private static byte[] Load(string name)
    {
        using var stream = typeof(PageEndpoints).Assembly.GetManifestResourceStream("Discern.Web.Page." + name)
            ?? throw new InvalidOperationException($"Page resource {name} is missing from the build.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
