using System.Text.Json;
using Discern;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Discern.Cli;

internal sealed class AnalyzeCommand : AsyncCommand<AnalyzeCommand.Settings>
{
    public sealed class Settings : AudioSettings
    {
        [CommandArgument(0, "<INPUTS>")]
        [System.ComponentModel.Description("Files, folders (searched recursively) or glob patterns.")]
        public string[] Inputs { get; init; } = [];

        [CommandOption("--json")]
        [System.ComponentModel.Description("One JSON object per input per line, in input order.")]
        public bool Json { get; init; }

        [CommandOption("--spectrum")]
        [System.ComponentModel.Description("With --json, include the residual spectrum for plotting.")]
        public bool Spectrum { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var detector = settings.LoadDetector();
        var inputs = InputExpander.Expand(settings.Inputs);
        var options = settings.ToOptions(settings.Spectrum);
        var results = new AnalysisReport?[inputs.Count];
        var ready = new SemaphoreSlim(0);
        int failures = 0;

        var work = Parallel.ForEachAsync(Enumerable.Range(0, inputs.Count),
            new ParallelOptions { MaxDegreeOfParallelism = settings.WorkerCount, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                results[i] = await AnalyzeOne(detector, inputs[i], options, ct);
                ready.Release();
            });

        // Print in input order as soon as each next result is ready.
        var table = new Table().AddColumns("file", "verdict", "P(AI)", "likely generator", "note");
        for (int next = 0; next < inputs.Count; next++)
        {
            while (Volatile.Read(ref results[next]) is null)
            {
                if (work.IsFaulted || work.IsCanceled) await work;
                await ready.WaitAsync(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
            var r = results[next]!;
            if (r.Error is not null) failures++;
            // The table says "failed" for an input that could not be analysed; the JSON keeps "uncertain" with its error, as its schema defines.
            if (settings.Json) Console.Out.WriteLine(JsonSerializer.Serialize(r, Json.Compact));
            else table.AddRow(Markup.Escape(r.Path), r.Error is null ? Colour(r.Verdict) : "[red]failed[/]", r.ProbabilityAi is { } p ? $"{p:0.00}" : "–",
                Markup.Escape(r.Generator ?? ""), Markup.Escape(r.Error ?? string.Join(" ", r.Evidence?.Reasons.Select(x => x.Message) ?? [])));
        }
        await work;
        if (!settings.Json) AnsiConsole.Write(table);
        if (inputs.Count == 0)
        {
            Console.Error.WriteLine("error: no input files matched.");
            return ExitCodes.Failed;
        }
        return failures > 0 ? ExitCodes.Failed : ExitCodes.Ok;
    }

    internal static async Task<AnalysisReport> AnalyzeOne(Detector detector, string path, AnalysisOptions options, CancellationToken ct)
    {
        try
        {
            var v = await detector.AnalyzeAsync(path, options, ct);
            return AnalysisReport.From(path, v);
        }
        catch (Exception ex) when (ex is DiscernException or IOException or UnauthorizedAccessException)
        {
            return AnalysisReport.Failed(path, ex.Message);
        }
    }

    private static string Colour(string verdict) => verdict switch
    {
        "ai" => "[red]ai[/]", "human" => "[green]human[/]", _ => "[yellow]uncertain[/]",
    };
}

/// <summary>Turns files, folders and globs into a list of files, keeping the order the user gave.</summary>
internal static class InputExpander
{
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                files.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                    .Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal));
            }
            else if (input.IndexOfAny(['*', '?']) >= 0)
            {
                var dir = Path.GetDirectoryName(input) is { Length: > 0 } d ? d : ".";
                var matcher = new Microsoft.Extensions.FileSystemGlobbing.Matcher();
                matcher.AddInclude(Path.GetFileName(input));
                var matches = matcher.Execute(new Microsoft.Extensions.FileSystemGlobbing.Abstractions.DirectoryInfoWrapper(new DirectoryInfo(dir)));
                files.AddRange(matches.Files.Select(f => Path.Combine(dir, f.Path)).Order(StringComparer.Ordinal));
            }
            else files.Add(input); // a missing file is reported as that input's error
        }
        return files;
    }
}
