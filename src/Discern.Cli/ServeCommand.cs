using Discern.Web;
using Microsoft.Extensions.Hosting;
using Spectre.Console.Cli;

namespace Discern.Cli;

/// <summary><c>discern serve</c>: the web page and HTTP API in this process (no other server to start).</summary>
internal sealed class ServeCommand : AsyncCommand<ServeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--urls <URLS>")]
        [System.ComponentModel.Description("Addresses to listen on (default http://127.0.0.1:5080; use http://0.0.0.0:5080 to serve other machines).")]
        public string Urls { get; init; } = "http://127.0.0.1:5080";

        [CommandOption("--model <PATH>")]
        [System.ComponentModel.Description("Model file to use instead of the shipped one.")]
        public string? ModelPath { get; init; }

        [CommandOption("--max-upload-mb <MB>")]
        [System.ComponentModel.Description("Largest accepted upload, in MB (default 200).")]
        public int? MaxUploadMegabytes { get; init; }

        [CommandOption("--max-duration <SECONDS>")]
        [System.ComponentModel.Description("Longest audio analysed, in seconds (default 1200).")]
        public double? MaxDurationSeconds { get; init; }

        [CommandOption("--workers <N>")]
        [System.ComponentModel.Description("Analyses run at once (default: one per core).")]
        public int? Workers { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var args = new List<string> { "--urls", settings.Urls };
        void Set(string key, object? value)
        {
            if (value is not null) args.Add(FormattableString.Invariant($"--{DiscernWebOptions.Section}:{key}={value}"));
        }
        Set(nameof(DiscernWebOptions.ModelPath), settings.ModelPath);
        Set(nameof(DiscernWebOptions.MaxUploadBytes), settings.MaxUploadMegabytes * 1024L * 1024);
        Set(nameof(DiscernWebOptions.MaxDurationSeconds), settings.MaxDurationSeconds);
        Set(nameof(DiscernWebOptions.MaxConcurrentAnalyses), settings.Workers);
        await using var app = DiscernWebApp.Build([.. args]);
        // The IHost overload: Ctrl-C (the token) stops the server gracefully instead of throwing.
        await ((IHost)app).RunAsync(cancellationToken);
        return ExitCodes.Ok;
    }
}
