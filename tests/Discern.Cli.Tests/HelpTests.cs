namespace Discern.Cli.Tests;

/// <summary>
/// Every command's help renders: Spectre.Console reads descriptions as markup, so a stray bracket (such as
/// "path,label[,source]") turned <c>discern eval --help</c> into an unhandled exception.
/// </summary>
public sealed class HelpTests
{
    public static TheoryData<string> Commands => new() { "", "analyze", "eval", "splice", "train", "scan", "report", "serve", "bench" };

    [Theory, MemberData(nameof(Commands))]
    public async Task Help_renders_without_error(string command)
    {
        var (code, output) = await (command.Length == 0 ? DiscernProcess.RunAsync("--help") : DiscernProcess.RunAsync(command, "--help"));
        Assert.True(code == 0, $"exit code {code}: {output}");
        Assert.DoesNotContain("exception", output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("USAGE", output);
    }
}
