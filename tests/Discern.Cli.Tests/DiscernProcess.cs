using System.Diagnostics;

namespace Discern.Cli.Tests;

/// <summary>Runs the real <c>discern</c> command, built beside the tests, as a user would.</summary>
internal static class DiscernProcess
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "discern.dll");

    public static ProcessStartInfo Info(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Cli);
        foreach (var a in args) info.ArgumentList.Add(a);
        return info;
    }

    public static Process Start(params string[] args)
    {
        var process = Process.Start(Info(args))!;
        // Drain the pipes so the child never blocks on a full one.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static Task<(int Code, string Output)> RunAsync(params string[] args) => RunAsync(null, args);

    /// <summary>Runs discern with <paramref name="standardInput"/> piped to it (null: none) and returns its exit code and output.</summary>
    public static async Task<(int Code, string Output)> RunAsync(byte[]? standardInput, params string[] args)
    {
        var info = Info(args);
        info.RedirectStandardInput = true;
        using var process = Process.Start(info)!;
        var feed = Task.Run(async () =>
        {
            // A program may exit without reading all its input (as `head` does); that is its answer, not the test's failure.
            try
            {
                if (standardInput is not null) await process.StandardInput.BaseStream.WriteAsync(standardInput);
                process.StandardInput.Close();
            }
            catch (IOException) { }
        });
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        await feed;
        return (process.ExitCode, await stdout + await stderr);
    }
}
