using Discern.Evaluation;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Discern.Storage;

/// <summary>A folder's line in a report.</summary>
/// <param name="Folder">Directory.</param>
/// <param name="Files">Rows under it (directly).</param>
/// <param name="Ai">Judged AI.</param>
/// <param name="Analysed">With a verdict.</param>
/// <param name="Failed">Could not be analysed.</param>
/// <param name="MeanProbabilityAi">Mean probability over files with one.</param>
public sealed record FolderSummary(string Folder, long Files, long Ai, long Analysed, long Failed, double? MeanProbabilityAi)
{
    /// <summary>Share of analysed files judged AI.</summary>
    public double AiShare => Analysed == 0 ? 0 : (double)Ai / Analysed;
}

/// <summary>A count under a name (generator family, error code, model).</summary>
/// <param name="Name">What is counted.</param>
/// <param name="Count">How many rows.</param>
public sealed record NamedCount(string Name, long Count);

/// <summary>What a catalogue holds, for the report command and its exports.</summary>
public sealed record CatalogueSummary
{
    /// <summary>Rows by status.</summary>
    public required CatalogueCounts Counts { get; init; }
    /// <summary>Files judged AI.</summary>
    public long Ai { get; init; }
    /// <summary>Files judged human.</summary>
    public long Human { get; init; }
    /// <summary>Files the model could not judge.</summary>
    public long Uncertain { get; init; }
    /// <summary>Audio analysed, in hours.</summary>
    public double AudioHours { get; init; }
    /// <summary>Folders with the most AI first (at most the number asked).</summary>
    public IReadOnlyList<FolderSummary> Folders { get; init; } = [];
    /// <summary>Generator families among AI verdicts.</summary>
    public IReadOnlyList<NamedCount> Generators { get; init; } = [];
    /// <summary>Failures by error code.</summary>
    public IReadOnlyList<NamedCount> Failures { get; init; } = [];
    /// <summary>Models that judged the rows (more than one after a model change that is still being applied).</summary>
    public IReadOnlyList<NamedCount> Models { get; init; } = [];
    /// <summary>The highest probabilities first.</summary>
    public IReadOnlyList<CatalogueEntry> MostSuspicious { get; init; } = [];
    /// <summary>Files per probability band: 20 bands of 0.05 from 0 to 1.</summary>
    public IReadOnlyList<long> ProbabilityHistogram { get; init; } = [];
}

/// <summary>Summaries and exports (CSV, JSON, self-contained HTML) of a catalogue. Exports stream rows: any size fits.</summary>
public static class CatalogueReport
{
    /// <summary>Bands in <see cref="CatalogueSummary.ProbabilityHistogram"/>.</summary>
    public const int HistogramBands = 20;

    /// <summary>Computes the summary (aggregates run in the database).</summary>
    public static async Task<CatalogueSummary> SummariseAsync(Catalogue catalogue, int top = 20, int maxFolders = 50, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        var counts = await catalogue.CountAsync(cancellationToken).ConfigureAwait(false);
        var verdicts = (await catalogue.QueryAsync<(string, long)>(
            "SELECT verdict, COUNT(*) FROM files WHERE verdict IS NOT NULL AND status = 'done' GROUP BY verdict", null, cancellationToken).ConfigureAwait(false))
            .ToDictionary(v => v.Item1, v => v.Item2);
        double audioSeconds = (await catalogue.QueryAsync<double?>(
            "SELECT SUM(duration_seconds) FROM files WHERE status = 'done'", null, cancellationToken).ConfigureAwait(false)).FirstOrDefault() ?? 0;
        var folders = await catalogue.QueryAsync<FolderRow>("""
            SELECT folder, COUNT(*) AS files, SUM(CASE WHEN verdict = 'ai' AND status = 'done' THEN 1 ELSE 0 END) AS ai,
                   SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS analysed, SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed,
                   AVG(probability_ai) AS mean_probability_ai
            FROM files GROUP BY folder ORDER BY ai DESC, files DESC, folder LIMIT @maxFolders
            """, new { maxFolders }, cancellationToken).ConfigureAwait(false);
        var generators = await catalogue.QueryAsync<NamedCountRow>(
            "SELECT COALESCE(generator, 'unknown AI') AS name, COUNT(*) AS count FROM files WHERE verdict = 'ai' AND status = 'done' GROUP BY COALESCE(generator, 'unknown AI') ORDER BY count DESC",
            null, cancellationToken).ConfigureAwait(false);
        var failures = await catalogue.QueryAsync<NamedCountRow>(
            "SELECT COALESCE(error_code, 'error') AS name, COUNT(*) AS count FROM files WHERE status = 'failed' GROUP BY COALESCE(error_code, 'error') ORDER BY count DESC",
            null, cancellationToken).ConfigureAwait(false);
        var models = await catalogue.QueryAsync<NamedCountRow>(
            "SELECT model_id AS name, COUNT(*) AS count FROM files WHERE model_id IS NOT NULL GROUP BY model_id ORDER BY count DESC",
            null, cancellationToken).ConfigureAwait(false);
        var suspicious = await catalogue.QueryAsync<CatalogueEntry>(
            $"SELECT {Catalogue.ReportColumns} FROM files WHERE probability_ai IS NOT NULL AND status = 'done' ORDER BY probability_ai DESC, path LIMIT @top",
            new { top }, cancellationToken).ConfigureAwait(false);
        var histogram = new long[HistogramBands];
        await foreach (var p in catalogue.ProbabilitiesAsync(cancellationToken).ConfigureAwait(false))
            histogram[Math.Clamp((int)(p * HistogramBands), 0, HistogramBands - 1)]++;

        return new CatalogueSummary
        {
            Counts = counts,
            Ai = verdicts.GetValueOrDefault("ai"),
            Human = verdicts.GetValueOrDefault("human"),
            Uncertain = verdicts.GetValueOrDefault("uncertain"),
            AudioHours = audioSeconds / 3600,
            Folders = [.. folders.Select(f => new FolderSummary(f.Folder, f.Files, f.Ai, f.Analysed, f.Failed, f.MeanProbabilityAi))],
            Generators = [.. generators.Select(g => new NamedCount(g.Name, g.Count))],
            Failures = [.. failures.Select(g => new NamedCount(g.Name, g.Count))],
            Models = [.. models.Select(g => new NamedCount(g.Name, g.Count))],
            MostSuspicious = suspicious,
            ProbabilityHistogram = histogram,
        };
    }

    private static readonly string[] CsvColumns =
    [
        "path", "folder", "status", "verdict", "probability_ai", "generator", "model_id", "discern_version", "sha256", "size_bytes",
        "modified_utc", "duration_seconds", "format", "codec", "sample_rate_hz", "channels", "result_source", "hash_ms", "analysis_ms",
        "completed_utc", "worker", "attempts", "error_code", "error",
    ];

    /// <summary>Writes every row as CSV (RFC 4180, UTF-8, header first), in path order.</summary>
    public static async Task WriteCsvAsync(Catalogue catalogue, TextWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(writer);
        await writer.WriteLineAsync(string.Join(',', CsvColumns)).ConfigureAwait(false);
        var line = new StringBuilder();
        await foreach (var e in catalogue.ReadAllAsync(includeEvidence: false, cancellationToken).ConfigureAwait(false))
        {
            line.Clear();
            string?[] cells =
            [
                e.Path, e.Folder, e.Status, e.Verdict, Number(e.ProbabilityAi), e.Generator, e.ModelId, e.DiscernVersion, e.Sha256,
                e.SizeBytes.ToString(CultureInfo.InvariantCulture), Time(e.ModifiedUnixMs), Number(e.DurationSeconds), e.Format, e.Codec,
                e.SampleRateHz?.ToString(CultureInfo.InvariantCulture), e.Channels?.ToString(CultureInfo.InvariantCulture), e.ResultSource,
                Number(e.HashMs), Number(e.AnalysisMs), Time(e.CompletedUnixMs), e.Worker, e.Attempts.ToString(CultureInfo.InvariantCulture),
                e.ErrorCode, e.Error,
            ];
            for (int i = 0; i < cells.Length; i++)
            {
                if (i > 0) line.Append(',');
                line.Append(CsvCell(cells[i]));
            }
            await writer.WriteLineAsync(line, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes <c>{"summary": …, "files": [ …every row with its evidence… ]}</c>, streamed.</summary>
    public static async Task WriteJsonAsync(Catalogue catalogue, CatalogueSummary summary, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(summary);
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        json.WriteStartObject();
        json.WritePropertyName("summary");
        JsonSerializer.Serialize(json, summary with { MostSuspicious = [.. summary.MostSuspicious.Select(e => e with { Evidence = null })] }, options);
        json.WriteStartArray("files");
        await foreach (var e in catalogue.ReadAllAsync(includeEvidence: true, cancellationToken).ConfigureAwait(false))
        {
            json.WriteStartObject();
            json.WriteString("path", e.Path);
            json.WriteString("status", e.Status);
            WriteStringOrNull(json, "verdict", e.Verdict);
            if (e.ProbabilityAi is { } p) json.WriteNumber("probabilityAi", p); else json.WriteNull("probabilityAi");
            WriteStringOrNull(json, "generator", e.Generator);
            WriteStringOrNull(json, "error", e.Error);
            WriteStringOrNull(json, "errorCode", e.ErrorCode);
            WriteStringOrNull(json, "modelId", e.ModelId);
            WriteStringOrNull(json, "sha256", e.Sha256);
            json.WriteNumber("sizeBytes", e.SizeBytes);
            WriteStringOrNull(json, "modifiedUtc", Time(e.ModifiedUnixMs));
            WriteStringOrNull(json, "resultSource", e.ResultSource);
            WriteStringOrNull(json, "completedUtc", Time(e.CompletedUnixMs));
            if (e.Evidence is { Length: > 0 } evidence)
            {
                json.WritePropertyName("evidence");
                json.WriteRawValue(evidence, skipInputValidation: false);
            }
            else json.WriteNull("evidence");
            json.WriteEndObject();
            if (json.BytesPending > 1 << 16) await json.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a self-contained HTML page (no script, no external resource): totals, charts, tables.</summary>
    public static async Task WriteHtmlAsync(CatalogueSummary summary, string database, TextWriter writer, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(writer);
        var h = new StringBuilder();
        var c = summary.Counts;
        h.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
         .Append("<title>Discern catalogue report</title><style>")
         .Append("body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1d2230}")
         .Append("h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse;width:100%;font-size:.9rem}")
         .Append("th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #dde}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}")
         .Append(".cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #dde;border-radius:.5rem;padding:.6rem 1rem;min-width:8rem}")
         .Append(".card b{display:block;font-size:1.4rem}.ai{color:#b42318}.human{color:#067647}.muted{color:#667}svg text{font:11px system-ui,sans-serif;fill:#445}")
         .Append("td.path{word-break:break-all}</style></head><body>");
        h.Append("<h1>Discern catalogue report</h1><p class=\"muted\">").Append(Enc(database)).Append(" · generated ")
         .Append(Enc(generatedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))).Append("</p>");
        h.Append("<p class=\"muted\">A verdict is evidence, not proof: read each file's evidence before acting on it.</p>");
        h.Append("<div class=\"cards\">");
        Card(h, "files", c.Total, null);
        Card(h, "judged AI", summary.Ai, "ai");
        Card(h, "judged human", summary.Human, "human");
        Card(h, "uncertain", summary.Uncertain, null);
        Card(h, "failed", c.Failed, null);
        Card(h, "pending", c.Pending, null);
        h.Append("<div class=\"card\"><b>").Append(summary.AudioHours.ToString("0.0", CultureInfo.InvariantCulture)).Append("</b>hours of audio</div></div>");

        h.Append("<h2>Distribution of the probability of AI</h2>").Append(HistogramSvg(summary.ProbabilityHistogram));
        h.Append("<h2>Share judged AI by folder</h2>");
        if (summary.Folders.Count > 0) h.Append(FolderSvg(summary.Folders.Take(20).ToList()));
        h.Append("<table><tr><th>folder</th><th class=n>files</th><th class=n>AI</th><th class=n>share AI</th><th class=n>mean P(AI)</th><th class=n>failed</th></tr>");
        foreach (var f in summary.Folders)
            h.Append("<tr><td class=path>").Append(Enc(f.Folder)).Append("</td><td class=n>").Append(f.Files).Append("</td><td class=n>").Append(f.Ai)
             .Append("</td><td class=n>").Append(f.AiShare.ToString("P0", CultureInfo.InvariantCulture)).Append("</td><td class=n>")
             .Append(Number(f.MeanProbabilityAi, "0.00")).Append("</td><td class=n>").Append(f.Failed).Append("</td></tr>");
        h.Append("</table>");

        h.Append("<h2>Most suspicious files</h2><table><tr><th>file</th><th class=n>P(AI)</th><th>verdict</th><th>likely generator</th></tr>");
        foreach (var e in summary.MostSuspicious)
            h.Append("<tr><td class=path>").Append(Enc(e.Path)).Append("</td><td class=n>").Append(Number(e.ProbabilityAi, "0.00"))
             .Append("</td><td class=\"").Append(e.Verdict == "ai" ? "ai" : "").Append("\">").Append(Enc(e.Verdict)).Append("</td><td>")
             .Append(Enc(e.Generator)).Append("</td></tr>");
        h.Append("</table>");
        NamedTable(h, "Generator families among AI verdicts", "generator", summary.Generators);
        NamedTable(h, "Failures by cause", "error", summary.Failures);
        NamedTable(h, "Models", "model", summary.Models);
        h.Append("</body></html>");
        await writer.WriteAsync(h).ConfigureAwait(false);
    }

    private static string HistogramSvg(IReadOnlyList<long> bands)
    {
        const int width = 640, height = 180, left = 40, right = 16, bottom = 24;
        long max = Math.Max(1, bands.Count == 0 ? 1 : bands.Max());
        double barWidth = (width - left - right) / (double)Math.Max(1, bands.Count);
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"Histogram of probabilities of AI\">");
        for (int i = 0; i < bands.Count; i++)
        {
            double h = (height - bottom - 10) * bands[i] / (double)max;
            string colour = i >= bands.Count * 0.8 ? "#d92d20" : i < bands.Count / 2 ? "#12b76a" : "#fdb022";
            s.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + i * barWidth + 1:0.#}\" y=\"{height - bottom - h:0.#}\" width=\"{barWidth - 2:0.#}\" height=\"{h:0.#}\" fill=\"{colour}\"><title>{i * 0.05:0.00}–{(i + 1) * 0.05:0.00}: {bands[i]} files</title></rect>");
        }
        for (int t = 0; t <= 4; t++)
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + t * (width - left - right) / 4.0:0.#}\" y=\"{height - 6}\" text-anchor=\"middle\">{t * 0.25:0.00}</text>");
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"14\" text-anchor=\"end\">{max}</text><text x=\"{left - 6}\" y=\"{height - bottom}\" text-anchor=\"end\">0</text></svg>");
        return s.ToString();
    }

    private static string FolderSvg(IReadOnlyList<FolderSummary> folders)
    {
        const int width = 640, row = 18, label = 260;
        int height = folders.Count * row + 6;
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"Share of files judged AI by folder\">");
        for (int i = 0; i < folders.Count; i++)
        {
            var f = folders[i];
            string name = f.Folder.Length > 36 ? "…" + f.Folder[^35..] : f.Folder;
            double w = (width - label - 50) * f.AiShare;
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{label - 6}\" y=\"{i * row + 14}\" text-anchor=\"end\">{Enc(name)}</text>")
             .Append(CultureInfo.InvariantCulture, $"<rect x=\"{label}\" y=\"{i * row + 3}\" width=\"{Math.Max(w, 1):0.#}\" height=\"{row - 5}\" fill=\"#d92d20\"><title>{Enc(f.Folder)}: {f.Ai} of {f.Analysed}</title></rect>")
             .Append(CultureInfo.InvariantCulture, $"<text x=\"{label + Math.Max(w, 1) + 4:0.#}\" y=\"{i * row + 14}\">{f.AiShare:P0}</text>");
        }
        return s.Append("</svg>").ToString();
    }

    private static void Card(StringBuilder h, string label, long value, string? cssClass) =>
        h.Append("<div class=\"card\"><b class=\"").Append(cssClass).Append("\">").Append(value.ToString("N0", CultureInfo.InvariantCulture)).Append("</b>").Append(label).Append("</div>");

    private static void NamedTable(StringBuilder h, string title, string column, IReadOnlyList<NamedCount> rows)
    {
        if (rows.Count == 0) return;
        h.Append("<h2>").Append(Enc(title)).Append("</h2><table><tr><th>").Append(column).Append("</th><th class=n>files</th></tr>");
        foreach (var r in rows) h.Append("<tr><td>").Append(Enc(r.Name)).Append("</td><td class=n>").Append(r.Count).Append("</td></tr>");
        h.Append("</table>");
    }

    private static string Enc(string? s) => WebUtility.HtmlEncode(s ?? "");

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name); else json.WriteString(name, value);
    }

    private static string? Number(double? value, string format = "0.######") => value?.ToString(format, CultureInfo.InvariantCulture);

    private static string? Time(long? unixMs) => unixMs is { } ms
        ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : null;

    /// <summary>Quotes when needed, and defuses text a spreadsheet would run as a formula (OWASP CSV injection).</summary>
    private static string CsvCell(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return Manifest.FormatCell(value);
    }

    private sealed record FolderRow
    {
        public string Folder { get; init; } = "";
        public long Files { get; init; }
        public long Ai { get; init; }
        public long Analysed { get; init; }
        public long Failed { get; init; }
        public double? MeanProbabilityAi { get; init; }
    }

    private sealed record NamedCountRow
    {
        public string Name { get; init; } = "";
        public long Count { get; init; }
    }
}
