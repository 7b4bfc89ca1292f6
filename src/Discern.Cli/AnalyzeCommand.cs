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
        [System.ComponentModel.Description("Files, folders (searched recursively) or glob patterns; - reads one file from standard input.")]
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
                results[i] = inputs[i].Error is { } error ? AnalysisReport.Failed(inputs[i].Path, error) : await AnalyzeOne(detector, inputs[i], options, ct);
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
        return failures > 0 ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private static async Task<AnalysisReport> AnalyzeOne(Detector detector, CliInput input, AnalysisOptions options, CancellationToken ct)
    {
        try
        {
            var verdict = input.IsStandardInput
                ? await detector.AnalyzeAsync(Console.OpenStandardInput(), options, ct) // the detector reads the stream to its end and disposes it
                : await detector.AnalyzeAsync(input.Path, options, ct);
            return AnalysisReport.From(input.Path, verdict);
        }
        catch (Exception ex) when (ex is DiscernException or IOException or UnauthorizedAccessException)
        {
            return AnalysisReport.Failed(input.Path, ex.Message);
        }
    }

    private static string Colour(string verdict) => verdict switch
    {
        "ai" => "[red]ai[/]", "human" => "[green]human[/]", _ => "[yellow]uncertain[/]",
    };
}

/// <summary>A file to analyse (or standard input, path "-"), or an input that named none (<see cref="Error"/> says why).</summary>
internal readonly record struct CliInput(string Path, string? Error = null, bool IsStandardInput = false);

/// <summary>Turns files, folders and globs into a list of files, keeping the order the user gave.</summary>
internal static class InputExpander
{
    /// <summary>
    /// What a lone <c>-</c>, standard input as in most Unix tools (<c>yt-dlp -o - URL | discern analyze -</c>), becomes
    /// before Spectre parses the arguments: it reads "-" as an option without a name (<see cref="RewriteStandardInput"/>).
    /// </summary>
    public const string StandardInput = "<stdin>";

    /// <summary>The arguments with a lone <c>-</c> after <c>analyze</c> replaced by <see cref="StandardInput"/>.</summary>
    public static string[] RewriteStandardInput(string[] args) =>
        args.Length > 0 && args[0] == "analyze" ? [args[0], .. args[1..].Select(a => a == "-" ? StandardInput : a)] : args;

    /// <summary>
    /// Each file in order; a folder or pattern that holds no file becomes one failed input rather than nothing, so that
    /// a mistyped pattern among others is reported, not silently dropped.
    /// </summary>
    public static IReadOnlyList<CliInput> Expand(IEnumerable<string> inputs)
    {
        var files = new List<CliInput>();
        bool standardInputTaken = false;
        foreach (var input in inputs)
        {
            int before = files.Count;
            if (input == StandardInput)
            {
                files.Add(standardInputTaken ? new CliInput("-", "Standard input can be read once; '-' was given more than once.") : new CliInput("-", IsStandardInput: true));
                standardInputTaken = true;
            }
            else if (Directory.Exists(input))
            {
                files.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                    .Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal).Select(f => new CliInput(f)));
                if (files.Count == before) files.Add(new CliInput(input, $"The folder '{input}' holds no files."));
            }
            else if (input.IndexOfAny(['*', '?']) >= 0)
            {
                var dir = Path.GetDirectoryName(input) is { Length: > 0 } d ? d : ".";
                var matcher = new Microsoft.Extensions.FileSystemGlobbing.Matcher();
                matcher.AddInclude(Path.GetFileName(input));
                var matches = matcher.Execute(new Microsoft.Extensions.FileSystemGlobbing.Abstractions.DirectoryInfoWrapper(new DirectoryInfo(dir)));
                files.AddRange(matches.Files.Select(f => Path.Combine(dir, f.Path)).Order(StringComparer.Ordinal).Select(f => new CliInput(f)));
                if (files.Count == before) files.Add(new CliInput(input, $"No file matches '{input}'."));
            }
            else files.Add(new CliInput(input)); // a missing file is reported as that input's error
        }
        return files;
    }
}
