using System.Globalization;
using Discern.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Discern.Cli;

/// <summary><c>discern report</c>: what a catalogue holds, on the terminal and as CSV, JSON and HTML files.</summary>
internal sealed class ReportCommand : AsyncCommand<ReportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--db <DATABASE>")]
        [System.ComponentModel.Description("The catalogue: SQLite file (default discern-catalogue.db) or PostgreSQL connection string.")]
        public string Database { get; init; } = ScanCommand.DefaultDatabase;

        [CommandOption("--csv <FILE>")]
        [System.ComponentModel.Description("Export every file's row as CSV ('-' for standard output).")]
        public string? Csv { get; init; }

        [CommandOption("--json <FILE>")]
        [System.ComponentModel.Description("Export the summary and every file with its evidence as JSON ('-' for standard output).")]
        public string? Json { get; init; }

        [CommandOption("--html <FILE>")]
        [System.ComponentModel.Description("Write a self-contained HTML report with charts.")]
        public string? Html { get; init; }

        [CommandOption("--top <N>")]
        [System.ComponentModel.Description("Most suspicious files listed (default 20).")]
        public int Top { get; init; } = 20;

        [CommandOption("--folders <N>")]
        [System.ComponentModel.Description("Folders listed, most AI first (default 30).")]
        public int Folders { get; init; } = 30;

        public override ValidationResult Validate() =>
            Top <= 0 || Folders <= 0 ? ValidationResult.Error("--top and --folders must be positive") : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!Catalogue.IsPostgres(settings.Database) && !File.Exists(settings.Database))
        {
            Console.Error.WriteLine($"error: no catalogue at '{settings.Database}'; run 'discern scan' first.");
            return ExitCodes.Failed;
        }
        await using var catalogue = await Catalogue.OpenAsync(settings.Database, forScanning: false, cancellationToken);
        var summary = await CatalogueReport.SummariseAsync(catalogue, settings.Top, settings.Folders, cancellationToken);
        bool machineOutputOnStdout = settings.Csv == "-" || settings.Json == "-";

        if (settings.Csv is { } csv)
        {
            await using var writer = csv == "-" ? new StreamWriter(Console.OpenStandardOutput()) : new StreamWriter(csv);
            await CatalogueReport.WriteCsvAsync(catalogue, writer, cancellationToken);
        }
        if (settings.Json is { } json)
        {
            await using var stream = json == "-" ? Console.OpenStandardOutput() : File.Create(json);
            await CatalogueReport.WriteJsonAsync(catalogue, summary, stream, cancellationToken);
        }
        if (settings.Html is { } html)
        {
            await using var writer = new StreamWriter(html);
            await CatalogueReport.WriteHtmlAsync(summary, catalogue.Describe(), writer, DateTimeOffset.UtcNow);
        }
        if (!machineOutputOnStdout) Print(summary, catalogue.Describe(), settings);
        return ExitCodes.Ok;
    }

    private static void Print(CatalogueSummary s, string where, Settings settings)
    {
        var c = s.Counts;
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(where)}[/]: {c.Total:N0} files — [red]{s.Ai:N0} AI[/], [green]{s.Human:N0} human[/], " +
            $"{s.Uncertain:N0} uncertain, {c.Failed:N0} failed, {c.Pending:N0} pending; {s.AudioHours.ToString("0.0", CultureInfo.InvariantCulture)} h of audio.");
        var folders = new Table().Title("Folders, most AI first").AddColumns("folder", "files", "AI", "share AI", "mean P(AI)", "failed");
        foreach (var f in s.Folders)
            folders.AddRow(Markup.Escape(f.Folder), $"{f.Files:N0}", $"{f.Ai:N0}", f.AiShare.ToString("P0", CultureInfo.InvariantCulture),
                f.MeanProbabilityAi?.ToString("0.00", CultureInfo.InvariantCulture) ?? "–", $"{f.Failed:N0}");
        AnsiConsole.Write(folders);
        var top = new Table().Title("Most suspicious files").AddColumns("file", "P(AI)", "verdict", "likely generator");
        foreach (var e in s.MostSuspicious)
            top.AddRow(Markup.Escape(e.Path), e.ProbabilityAi?.ToString("0.00", CultureInfo.InvariantCulture) ?? "–", e.Verdict ?? "", Markup.Escape(e.Generator ?? ""));
        AnsiConsole.Write(top);
        if (s.Generators.Count > 0) AnsiConsole.Write(Named("Generator families among AI verdicts", s.Generators));
        if (s.Failures.Count > 0) AnsiConsole.Write(Named("Failures by cause", s.Failures));
        if (settings.Html is not null) AnsiConsole.MarkupLine($"HTML report: {Markup.Escape(settings.Html)}");
    }

    private static Table Named(string title, IReadOnlyList<NamedCount> rows)
    {
        var table = new Table().Title(title).AddColumns("", "files");
        foreach (var r in rows) table.AddRow(Markup.Escape(r.Name), $"{r.Count:N0}");
        return table;
    }
}
