using Discern.Evaluation;
using Discern.Tests;

namespace Discern.Cli.Tests;

/// <summary>One clip of a manifest a test makes: its file name, class, source and mono samples at 22.05 kHz.</summary>
internal sealed record TestClip(string Name, bool IsAi, string Source, float[] Samples);

/// <summary>Writes clips as WAV files and the manifest that labels them, in the corpus's format.</summary>
internal static class TestManifest
{
    public const int SampleRateHz = 22050;

    /// <summary>Writes <paramref name="clips"/> into <paramref name="directory"/> and returns the manifest's path.</summary>
    public static string Write(string directory, IEnumerable<TestClip> clips)
    {
        var lines = new List<string> { "path,label,generator,source" };
        foreach (var clip in clips)
        {
            File.WriteAllBytes(Path.Combine(directory, clip.Name), Signals.Wav(clip.Samples, SampleRateHz, 1));
            lines.Add(string.Join(',', Manifest.FormatCell(clip.Name), clip.IsAi ? "ai" : "human", clip.IsAi ? "test-decoder" : "human",
                Manifest.FormatCell(clip.Source)));
        }
        var path = Path.Combine(directory, "manifest.csv");
        File.WriteAllLines(path, lines);
        return path;
    }
}
