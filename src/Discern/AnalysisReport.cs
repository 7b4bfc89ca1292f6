namespace Discern;

/// <summary>
/// One input's outcome in the shape every host prints (CLI JSON lines, HTTP API, catalogue exports), so a program
/// that reads one can read them all: the headline fields first, the full <see cref="Verdict"/> as evidence.
/// </summary>
/// <param name="Path">The input as the caller named it (path, or uploaded file name).</param>
/// <param name="ProbabilityAi">Calibrated probability of AI generation; null when the input could not be analysed.</param>
/// <param name="Verdict">"ai", "human" or "uncertain".</param>
/// <param name="Generator">Likely generator family, or null.</param>
/// <param name="Error">Why the input could not be analysed, or null.</param>
/// <param name="Evidence">The full verdict, or null on error.</param>
public sealed record AnalysisReport(string Path, double? ProbabilityAi, string Verdict, string? Generator, string? Error, Verdict? Evidence)
{
    /// <summary>The report of a finished analysis.</summary>
    public static AnalysisReport From(string path, Verdict verdict) =>
        new(path, verdict.ProbabilityAi, LabelName(verdict.Label), verdict.Generator?.Family, null, verdict);

    /// <summary>The report of an input that could not be analysed.</summary>
    public static AnalysisReport Failed(string path, string error) => new(path, null, "uncertain", null, error, null);

    /// <summary>The lower-case name of a verdict label, as written in JSON and tables.</summary>
    public static string LabelName(VerdictLabel label) => label switch
    {
        VerdictLabel.Ai => "ai",
        VerdictLabel.Human => "human",
        _ => "uncertain",
    };
}
