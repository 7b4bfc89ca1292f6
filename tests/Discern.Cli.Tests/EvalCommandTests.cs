using System.Globalization;
using System.Text.Json;
using Discern.Evaluation;
using Discern.Tests;

namespace Discern.Cli.Tests;

/// <summary><c>discern eval</c> end to end on a manifest of clips the test makes, scored by the shipped model.</summary>
public sealed class EvalCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("discern-eval-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Rows_of_a_robustness_run_name_each_clip_once_per_transform()
    {
        // A comma in a name must survive the CSV.
        var manifest = TestManifest.Write(_dir, Enumerable.Range(0, 4).Select(i => new TestClip(
            $"clip {i}, {(i % 2 == 0 ? "ai" : "human")}.wav", i % 2 == 0, i % 2 == 0 ? "a" : "h", Signals.MusicLike(TestManifest.SampleRateHz, 8, seed: 40 + i))));
        var rowsPath = Path.Combine(_dir, "rows.csv");

        var (code, output) = await DiscernProcess.RunAsync("eval", manifest, "--transform", "none,lowpass-8k", "--rows", rowsPath);

        Assert.True(code == 0, output);
        Assert.Contains("measured 4 clips (lowpass-8k) in ", output); // a log, with no terminal, says what it is doing
        var rows = File.ReadAllLines(rowsPath);
        Assert.Equal("path,label,source,transform,probability_ai,verdict,fold,error", rows[0]);
        var cells = rows.Skip(1).Select(Manifest.ParseLine).ToList();
        Assert.Equal(8, cells.Count);
        Assert.Equal(["lowpass-8k", "none"], cells.Select(c => c[3]).Distinct().Order(StringComparer.Ordinal));
        foreach (var transform in cells.GroupBy(c => c[3]))
            Assert.Equal(Enumerable.Range(0, 4).Select(i => $"clip {i}, {(i % 2 == 0 ? "ai" : "human")}.wav"), transform.Select(c => c[0]).Order(StringComparer.Ordinal));
        Assert.All(cells, c => Assert.InRange(double.Parse(c[4], CultureInfo.InvariantCulture), 0, 1));
    }

    /// <summary>Eight clips, two AI and two human sources of two clips each.</summary>
    private string FourSourceManifest() => TestManifest.Write(_dir, Enumerable.Range(0, 8).Select(i => new TestClip(
        $"clip{i}.wav", i % 2 == 0, $"{(i % 2 == 0 ? "a" : "h")}{i / 4}", Signals.MusicLike(TestManifest.SampleRateHz, 8, seed: 60 + i))));

    [Fact]
    public async Task The_overall_auc_comes_with_an_interval_that_counts_sources_not_clips()
    {
        var (code, output) = await DiscernProcess.RunAsync("eval", FourSourceManifest(), "--json");

        Assert.True(code == 0, output);
        var overall = JsonDocument.Parse(output[output.IndexOf('{')..]).RootElement.GetProperty("overall");
        var interval = overall.GetProperty("aucConfidence");
        Assert.Equal(2, interval.GetProperty("aiClusters").GetInt32());   // sources a0 and a1, four clips
        Assert.Equal(2, interval.GetProperty("humanClusters").GetInt32());
        double auc = overall.GetProperty("auc").GetDouble();
        Assert.InRange(auc, interval.GetProperty("lower").GetDouble(), interval.GetProperty("upper").GetDouble());
    }

    [Fact]
    public async Task Two_feature_sets_held_out_alike_are_compared_on_the_same_clips()
    {
        var manifest = FourSourceManifest();

        var (code, output) = await DiscernProcess.RunAsync("eval", manifest, "--group-by", "source", "--no-augment",
            "--features", "detail_excess,partial_loss_low", "--compare-features", "fine_structure_change_low", "--json");

        Assert.True(code == 0, output);
        var root = JsonDocument.Parse(output[output.IndexOf('{')..]).RootElement;
        var comparison = root.GetProperty("comparison");
        Assert.Equal(["detail_excess", "partial_loss_low"], comparison.GetProperty("baseline").EnumerateArray().Select(e => e.GetString()));
        var result = comparison.GetProperty("result");
        Assert.Equal(root.GetProperty("overall").GetProperty("auc").GetDouble(), result.GetProperty("baseline").GetDouble(), 9);
        Assert.Equal(result.GetProperty("candidate").GetDouble() - result.GetProperty("baseline").GetDouble(), result.GetProperty("difference").GetDouble(), 9);

        var (badCode, badOutput) = await DiscernProcess.RunAsync("eval", manifest, "--compare-features", "detail_excess");
        Assert.True(badCode == 2, badOutput); // a fixed model weighs what it was trained on
        var (unknownCode, unknownOutput) = await DiscernProcess.RunAsync("eval", manifest, "--group-by", "source", "--features", "loudness");
        Assert.True(unknownCode == 2, unknownOutput);
        Assert.Contains("unknown feature 'loudness'", unknownOutput);
    }
}
