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
    config.AddCommand<EvalCommand>("eval").WithDescription("Measure accuracy on a labelled manifest (path,label[,source]).")
        .WithExample("eval", "../shared/corpus/manifest.csv", "--group-by", "source");
    config.AddCommand<TrainCommand>("train").WithDescription("Train the model from a labelled manifest.")
        .WithExample("train", "../shared/corpus/manifest.csv", "-o", "models/discern-default.model.json");
    config.AddCommand<ServeCommand>("serve").WithDescription("Serve the web page and the HTTP API (/api/v1, /openapi/v1.json, /health).")
        .WithExample("serve", "--urls", "http://127.0.0.1:5080");
    config.AddCommand<BenchCommand>("bench").WithDescription("Time Discern's full analysis against ffmpeg's decoding of the same file.");
});

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
try
{
    return await app.RunAsync(args, cancel.Token);
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
