using System.Text.Json;

namespace Discern.Cli.Tests;

/// <summary>What <c>discern analyze</c> prints for inputs it cannot analyse: every input reported, in order, exit code 1.</summary>
public sealed class AnalyzeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("discern-analyze-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Inputs_that_cannot_be_analysed_are_reported_as_failed_with_their_error()
    {
        var text = Path.Combine(_dir, "notes.mp3");
        await File.WriteAllTextAsync(text, "not audio at all, whatever the name says");
        var missing = Path.Combine(_dir, "missing.flac");

        var (code, table) = await DiscernProcess.RunAsync("analyze", text, missing);
        Assert.Equal(1, code);
        Assert.Equal(2, table.Split("failed").Length - 1);

        var (jsonCode, json) = await DiscernProcess.RunAsync("analyze", "--json", text, missing);
        Assert.Equal(1, jsonCode);
        var lines = json.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([text, missing], lines.Select(l => l.GetProperty("path").GetString()));
        Assert.All(lines, l =>
        {
            Assert.Equal(JsonValueKind.Null, l.GetProperty("probabilityAi").ValueKind);
            Assert.Equal("uncertain", l.GetProperty("verdict").GetString());
            Assert.False(string.IsNullOrWhiteSpace(l.GetProperty("error").GetString()));
        });
    }
}
