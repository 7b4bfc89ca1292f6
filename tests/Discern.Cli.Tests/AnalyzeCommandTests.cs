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

    [Fact]
    public async Task A_folder_or_pattern_that_holds_no_file_is_one_failed_input_in_its_place()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName;
        var pattern = Path.Combine(_dir, "*.nothing");
        var text = Path.Combine(_dir, "notes.txt");
        await File.WriteAllTextAsync(text, "not audio");

        var (code, json) = await DiscernProcess.RunAsync("analyze", "--json", empty, pattern, text);
        Assert.Equal(1, code);
        var lines = json.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([empty, pattern, text], lines.Select(l => l.GetProperty("path").GetString()));
        Assert.Contains("holds no files", lines[0].GetProperty("error").GetString());
        Assert.Contains("No file matches", lines[1].GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_dash_reads_the_audio_from_standard_input()
    {
        var wav = Signals.Wav(Signals.MusicLike(44100, 8, seed: 3), 44100, 1);

        var (code, json) = await DiscernProcess.RunAsync(wav, "analyze", "--json", "-");
        Assert.True(code == 0, json);
        var line = JsonDocument.Parse(json.Trim()).RootElement;
        Assert.Equal("-", line.GetProperty("path").GetString());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("error").ValueKind);
        Assert.InRange(line.GetProperty("probabilityAi").GetDouble(), 0, 1);
        Assert.Equal("wav", line.GetProperty("evidence").GetProperty("input").GetProperty("format").GetString());

        var (twiceCode, twice) = await DiscernProcess.RunAsync(wav, "analyze", "--json", "-", "-");
        Assert.Equal(1, twiceCode);
        Assert.Contains("more than once", twice);
    }
}
