// The library in one page: load the shipped model, analyse a file (or standard input), read the verdict's evidence.
//   dotnet run --project samples/Discern.Samples.Library -- samples/warzone2100-aftermath-track25-excerpt.ogg
using Discern;

var detector = Detector.Load();
// Options are records: change what differs from the defaults (here, refuse anything longer than 20 minutes).
var options = AnalysisOptions.Default with { MaxDurationSeconds = 20 * 60 };

await using Stream input = args is [var path] && path != "-" ? File.OpenRead(path) : Console.OpenStandardInput();
Verdict verdict;
try
{
    verdict = await detector.AnalyzeAsync(input, options);
}
catch (DiscernException ex) // unreadable, unsupported, over a limit, or ffmpeg missing for this format
{
    Console.Error.WriteLine($"cannot analyse: {ex.Message}");
    return 1;
}

Console.WriteLine($"{verdict.Label}: P(AI) = {verdict.ProbabilityAi?.ToString("0.00") ?? "–"} " +
                  $"(AI from {verdict.AiThreshold:0.00}, human below {verdict.HumanThreshold:0.00})");
foreach (var reason in verdict.Reasons) Console.WriteLine($"  {reason.Message}");
if (verdict.Generator is { } generator) Console.WriteLine($"likely generator: {generator.Family} ({generator.Explanation})");

Console.WriteLine($"comb: {verdict.Comb.SpacingHz:0.0} Hz apart, strength {verdict.Comb.Strength:0.00}");
foreach (var peak in verdict.Peaks.Take(5)) Console.WriteLine($"  peak at {peak.FrequencyHz:0} Hz, {peak.ProminenceDb:0.0} dB above the envelope");

// Per-segment scores show where in the track the evidence is (null: that stretch could not be judged).
foreach (var segment in verdict.Segments)
    Console.WriteLine($"  {segment.StartSeconds,6:0.0}–{segment.EndSeconds,6:0.0} s  {segment.ProbabilityAi?.ToString("0.00") ?? "–"}");

var facts = verdict.Input;
Console.WriteLine($"{facts.Format} ({facts.Codec}), {facts.SampleRateHz} Hz, {facts.Channels} ch, {facts.DurationSeconds:0.0} s; " +
                  $"model {verdict.Model.ModelId}, features {verdict.Model.FeatureConfigId}");
return 0;
