using System.Globalization;
using Discern.Audio;

namespace Discern.Evaluation;

/// <summary>How spliced test tracks are made.</summary>
public sealed record SpliceOptions
{
    /// <summary>Defaults: 40 tracks each way, 8 s inserted into 19 s of the host.</summary>
    public static SpliceOptions Default { get; } = new();

    /// <summary>Tracks made in each direction (AI into human, human into AI).</summary>
    public int CasesPerDirection { get; init; } = 40;

    /// <summary>Seconds of the host used (hosts shorter than this are not used).</summary>
    public double HostSeconds { get; init; } = 19;

    /// <summary>Seconds of the inserted clip (clips shorter than this are not inserted): two segments' worth, so a section can be found at all.</summary>
    public double InsertSeconds { get; init; } = 8;

    /// <summary>Seed of the choice of clips and insertion points, so a run can be repeated exactly.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Transform applied to each finished track (both parts alike), e.g. "mp3-128k" as an upload would be; "none" keeps it lossless.</summary>
    public string Transform { get; init; } = "none";
}

/// <summary>One spliced track: <see cref="Insert"/>'s first seconds placed inside <see cref="Host"/>.</summary>
/// <param name="Host">The clip that surrounds the insert.</param>
/// <param name="Insert">The clip of the other class placed inside it.</param>
/// <param name="InsertAtSeconds">Where the insert begins in the spliced track.</param>
/// <param name="InsertSeconds">How long the insert is.</param>
/// <param name="HostSeconds">Seconds of the host used.</param>
public sealed record SpliceCase(ManifestEntry Host, ManifestEntry Insert, double InsertAtSeconds, double InsertSeconds, double HostSeconds)
{
    /// <summary>Whether an AI section sits inside a human track (false: a human section inside an AI track).</summary>
    public bool AiInserted => Insert.IsAi;

    /// <summary>Length of the spliced track.</summary>
    public double TotalSeconds => HostSeconds + InsertSeconds;

    /// <summary>"ai-in-human" or "human-in-ai".</summary>
    public string Direction => AiInserted ? "ai-in-human" : "human-in-ai";
}

/// <summary>What the locator found in one spliced track.</summary>
/// <param name="Case">The track.</param>
/// <param name="Found">The section found (null: none stood out, counted as the whole track).</param>
/// <param name="Error">Why the track could not be made or analysed, or null.</param>
public sealed record SpliceResult(SpliceCase Case, Section? Found, string? Error)
{
    /// <summary>The section as judged: the one found, or the whole track when none stood out.</summary>
    public (double Start, double End) Judged => Found is { } f ? (f.StartSeconds, f.EndSeconds) : (0, Case.TotalSeconds);

    /// <summary>Mean distance in seconds of the found start and end from the true ones.</summary>
    public double BoundaryErrorSeconds =>
        0.5 * (Math.Abs(Judged.Start - Case.InsertAtSeconds) + Math.Abs(Judged.End - (Case.InsertAtSeconds + Case.InsertSeconds)));

    /// <summary>Intersection over union of the found and true sections.</summary>
    public double Overlap
    {
        get
        {
            double trueEnd = Case.InsertAtSeconds + Case.InsertSeconds;
            double intersection = Math.Max(0, Math.Min(Judged.End, trueEnd) - Math.Max(Judged.Start, Case.InsertAtSeconds));
            double union = Math.Max(Judged.End, trueEnd) - Math.Min(Judged.Start, Case.InsertAtSeconds);
            return union > 0 ? intersection / union : 0;
        }
    }
}

/// <summary>Localisation figures for one direction.</summary>
/// <param name="Direction">"ai-in-human" or "human-in-ai".</param>
/// <param name="Cases">Tracks analysed.</param>
/// <param name="Found">Tracks where a section stood out.</param>
/// <param name="MeanBoundaryErrorSeconds">Mean of <see cref="SpliceResult.BoundaryErrorSeconds"/>.</param>
/// <param name="MedianBoundaryErrorSeconds">Median of it.</param>
/// <param name="HitRate">Share of tracks whose found section overlaps the true one with intersection over union ≥ 0.5.</param>
/// <param name="ChanceBoundaryErrorSeconds">
/// The mean boundary error of a guess that knew the insert's length but placed it uniformly at random: what the figures
/// must beat for the per-segment scores to carry any information about where the splice is.
/// </param>
/// <param name="Failures">Tracks that could not be made or analysed.</param>
public sealed record SpliceSummary(string Direction, int Cases, int Found, double? MeanBoundaryErrorSeconds, double? MedianBoundaryErrorSeconds,
    double? HitRate, double? ChanceBoundaryErrorSeconds, int Failures);

/// <summary>A splice evaluation's results.</summary>
/// <param name="Method">How the segments were scored.</param>
/// <param name="Options">How the tracks were made.</param>
/// <param name="Summaries">One line per direction.</param>
/// <param name="Results">Every track.</param>
public sealed record SpliceReport(string Method, SpliceOptions Options, IReadOnlyList<SpliceSummary> Summaries, IReadOnlyList<SpliceResult> Results);

/// <summary>
/// Tests per-segment analysis on tracks spliced from labelled clips: a stretch of one class placed inside a clip of
/// the other, at a random point, and the error in seconds of <see cref="SectionLocator"/> in finding it.
/// </summary>
public static class Splicing
{
    /// <summary>
    /// Chooses the tracks: for each, a host source then a clip of it, and an insert source of the other class then a
    /// clip of it (sources first, so a source with many clips does not dominate), and an insertion point.
    /// </summary>
    /// <param name="measured">Measured clips (their decoded durations decide which are long enough).</param>
    /// <param name="options">Lengths, count and seed.</param>
    public static IReadOnlyList<SpliceCase> Plan(IReadOnlyList<MeasuredEntry> measured, SpliceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(measured);
        options ??= SpliceOptions.Default;
        var random = new Random(options.Seed);
        var cases = new List<SpliceCase>();
        foreach (bool aiInserted in new[] { true, false })
        {
            var hosts = BySource(measured.Where(m => m.Entry.IsAi != aiInserted && m.Measurement?.Input.DurationSeconds >= options.HostSeconds));
            var inserts = BySource(measured.Where(m => m.Entry.IsAi == aiInserted && m.Measurement?.Input.DurationSeconds >= options.InsertSeconds));
            if (hosts.Count == 0 || inserts.Count == 0) continue;
            for (int i = 0; i < options.CasesPerDirection; i++)
            {
                var host = Pick(random, hosts);
                var insert = Pick(random, inserts);
                // Half-second steps, at least 2 s from either end so each side of the insert has some host around it.
                double at = 2 + Math.Round(random.NextDouble() * (options.HostSeconds - 4) * 2) / 2;
                cases.Add(new SpliceCase(host, insert, at, options.InsertSeconds, options.HostSeconds));
            }
        }
        return cases;
    }

    /// <summary>
    /// Writes the spliced track to a temporary FLAC file (both parts resampled to 44.1 kHz stereo alike), then applies
    /// <paramref name="transform"/> to it; returns its path, which the caller deletes.
    /// </summary>
    public static async Task<string> BuildAsync(SpliceCase splice, FfmpegDecoder ffmpeg, string transform = "none", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(splice);
        ArgumentNullException.ThrowIfNull(ffmpeg);
        string S(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
        const string Format = "aformat=sample_fmts=flt:sample_rates=44100:channel_layouts=stereo";
        var graph = $"[0:a:0]{Format},asplit=2[h1][h2];[h1]atrim=0:{S(splice.InsertAtSeconds)},asetpts=PTS-STARTPTS[a];" +
                    $"[h2]atrim={S(splice.InsertAtSeconds)}:{S(splice.HostSeconds)},asetpts=PTS-STARTPTS[c];" +
                    $"[1:a:0]{Format},atrim=0:{S(splice.InsertSeconds)},asetpts=PTS-STARTPTS[b];[a][b][c]concat=n=3:v=0:a=1[out]";
        var output = Path.Combine(Path.GetTempPath(), $"discern-splice-{Guid.NewGuid():N}.flac");
        var (code, error) = await ffmpeg.RunAsync(["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", splice.Host.Path, "-i", splice.Insert.Path,
            "-filter_complex", graph, "-map", "[out]", "-c:a", "flac", output], cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            TryDelete(output);
            throw new CorruptAudioException($"Splicing '{splice.Insert.RelativePath}' into '{splice.Host.RelativePath}' failed: {error.Trim()}");
        }
        if (transform.Equals("none", StringComparison.OrdinalIgnoreCase)) return output;
        try { return await AudioTransforms.ApplyAsync(output, transform, ffmpeg, null, cancellationToken).ConfigureAwait(false); }
        finally { TryDelete(output); }
    }

    /// <summary>
    /// Makes, analyses and locates every track in parallel, scoring each with the detector <paramref name="detectorFor"/>
    /// gives for it (one trained without either of its sources, for a held-out figure). A failing track becomes a result
    /// with its error.
    /// </summary>
    public static async Task<SpliceReport> EvaluateAsync(IReadOnlyList<SpliceCase> cases, Func<SpliceCase, Detector> detectorFor, string method,
        SpliceOptions? options = null, AnalysisOptions? analysisOptions = null, int workers = 0, IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(detectorFor);
        options ??= SpliceOptions.Default;
        analysisOptions ??= AnalysisOptions.Default;
        var ffmpeg = new FfmpegDecoder(analysisOptions.FfmpegPath);
        if (!ffmpeg.IsAvailable) throw new DecoderUnavailableException("Splicing needs ffmpeg, which was not found on PATH.");
        var results = new SpliceResult[cases.Count];
        int done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = workers > 0 ? workers : Environment.ProcessorCount, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, cases.Count), parallel, async (i, ct) =>
        {
            var splice = cases[i];
            string? path = null;
            try
            {
                path = await BuildAsync(splice, ffmpeg, options.Transform, ct).ConfigureAwait(false);
                var verdict = await detectorFor(splice).AnalyzeAsync(path, analysisOptions, ct).ConfigureAwait(false);
                results[i] = new SpliceResult(splice, SectionLocator.Locate(verdict.Segments, splice.AiInserted), null);
            }
            catch (Exception ex) when (ex is DiscernException or IOException or UnauthorizedAccessException)
            {
                results[i] = new SpliceResult(splice, null, ex.Message);
            }
            finally
            {
                if (path is not null) TryDelete(path);
                progress?.Report(Interlocked.Increment(ref done));
            }
        }).ConfigureAwait(false);
        var summaries = results.GroupBy(r => r.Case.Direction).OrderBy(g => g.Key, StringComparer.Ordinal).Select(Summarise).ToList();
        return new SpliceReport(method, options, summaries, results);
    }

    /// <summary>The figures of one direction's results.</summary>
    public static SpliceSummary Summarise(IGrouping<string, SpliceResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var ok = results.Where(r => r.Error is null).ToList();
        if (ok.Count == 0) return new SpliceSummary(results.Key, 0, 0, null, null, null, null, results.Count());
        var errors = ok.Select(r => r.BoundaryErrorSeconds).Order().ToList();
        double median = errors.Count % 2 == 1 ? errors[errors.Count / 2] : 0.5 * (errors[errors.Count / 2 - 1] + errors[errors.Count / 2]);
        return new SpliceSummary(results.Key, ok.Count, ok.Count(r => r.Found is not null), errors.Average(), median,
            (double)ok.Count(r => r.Overlap >= 0.5) / ok.Count, ok.Average(r => ChanceBoundaryError(r.Case)), results.Count() - ok.Count);
    }

    /// <summary>
    /// Expected boundary error of a section of the right length placed uniformly at random: for a start U uniform on
    /// [0, T] and the true start a, E|U − a| = (a² + (T − a)²) / 2T, and both boundaries err by the same amount.
    /// </summary>
    public static double ChanceBoundaryError(SpliceCase splice)
    {
        ArgumentNullException.ThrowIfNull(splice);
        double t = splice.TotalSeconds - splice.InsertSeconds, a = splice.InsertAtSeconds;
        return t <= 0 ? 0 : (a * a + (t - a) * (t - a)) / (2 * t);
    }

    private static List<List<ManifestEntry>> BySource(IEnumerable<MeasuredEntry> measured) =>
        measured.GroupBy(m => m.Entry.Source).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Select(m => m.Entry).OrderBy(e => e.RelativePath, StringComparer.Ordinal).ToList()).ToList();

    private static ManifestEntry Pick(Random random, List<List<ManifestEntry>> bySource)
    {
        var source = bySource[random.Next(bySource.Count)];
        return source[random.Next(source.Count)];
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { }
    }
}
