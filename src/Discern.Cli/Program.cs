using Discern.Cli;
using Spectre.Console;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("discern");
    config.PropagateExceptions();
    config.AddCommand<AnalyzeCommand>("analyze").WithDescription("Tell AI-generated from human-made music, file by file.")
        .WithExample("analyze", "song.mp3").WithExample("analyze", "--json", "music/", "*.flac");
    config.AddCommand<EvalCommand>("eval").WithDescription("Measure accuracy on a labelled manifest (columns path, label and optionally source, generator).")
        .WithExample("eval", "../shared/corpus/manifest.csv", "--group-by", "source");
    config.AddCommand<SpliceCommand>("splice").WithDescription("Splice clips of one class into clips of the other and measure how well per-segment scores locate the section.")
        .WithExample("splice", "../shared/corpus/manifest.csv", "--held-out");
    config.AddCommand<TrainCommand>("train").WithDescription("Train the model from a labelled manifest.")
        .WithExample("train", "../shared/corpus/manifest.csv", "-o", "models/discern-default.model.json");
    config.AddCommand<ScanCommand>("scan").WithDescription("Scan a catalogue into SQLite or PostgreSQL: resumable, cached by content hash, shareable by many scanner processes.")
        .WithExample("scan", "/srv/music", "--db", "catalogue.db")
        .WithExample("scan", "/srv/music", "--db", "\"Host=db;Database=discern;Username=discern;Password=…\"");
    config.AddCommand<ReportCommand>("report").WithDescription("Summarise a catalogue; export it as CSV, JSON or a self-contained HTML report.")
        .WithExample("report", "--db", "catalogue.db", "--html", "report.html", "--csv", "all.csv");
    config.AddCommand<ServeCommand>("serve").WithDescription("Serve the web page and the HTTP API (/api/v1, /openapi/v1.json, /health).")
        .WithExample("serve", "--urls", "http://127.0.0.1:5080");
    config.AddCommand<BenchCommand>("bench").WithDescription("Time Discern's full analysis against ffmpeg's decoding of the same file.");
});

using var cancel = new CancellationTokenSource();
// First Ctrl-C (or SIGTERM, as sent by systemd or docker stop): stop cleanly, keeping finished work. A second Ctrl-C ends the process at once.
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !cancel.IsCancellationRequested;
    if (e.Cancel) Console.Error.WriteLine("stopping… (Ctrl-C again to quit at once)");
    cancel.Cancel();
};
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});
try
{
    return await app.RunAsync(InputExpander.RewriteStandardInput(args), cancel.Token);
}
catch (CommandAppException ex)
{
    AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(ex.Message)}");
    return ExitCodes.Usage;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("cancelled");
    return ExitCodes.Failed;
}
catch (Exception ex) when (ex is Discern.DiscernException or IOException or UnauthorizedAccessException or FormatException or ArgumentException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return ExitCodes.Failed;
}
