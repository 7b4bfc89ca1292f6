using Discern.Evaluation;
using Discern.Features;
using Discern.Model;

namespace Discern.Tests;

/// <summary>End-to-end on the development corpus in ../shared/corpus (fails clearly when it is missing).</summary>
public class CorpusTests
{
    internal static string ManifestPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "corpus", "manifest.csv");
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        throw new InvalidOperationException("The development corpus was not found: expected ../shared/corpus/manifest.csv beside the repository.");
    }

    [Fact]
    public async Task Every_corpus_clip_is_measured_and_training_is_reproducible()
    {
        var entries = Manifest.Read(ManifestPath());
        Assert.True(entries.Count > 100);
        var measured = await Evaluator.MeasureAsync(entries, FeatureConfig.Default);
        var failures = measured.Where(m => m.Error is not null).Select(m => $"{m.Entry.RelativePath}: {m.Error}").ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.All(measured, m => Assert.True(m.HasFeatures, $"{m.Entry.RelativePath}: {string.Join(' ', m.Measurement!.Problems)}"));

        var examples = measured.Select(m => m.ToExample()).ToList();
        var a = Trainer.Train(examples, FeatureExtractor.FeatureNames, FeatureConfig.Default.Id);
        var b = Trainer.Train(examples, FeatureExtractor.FeatureNames, FeatureConfig.Default.Id);
        Assert.Equal(a.ToJson(), b.ToJson());

        // The shipped model must be the one this code trains from the corpus (regenerate with the README's train command).
        Assert.Equal(a.ModelId, Detector.Load().Model.ModelId);

        var report = Evaluator.LeaveOneGroupOut(measured, e => e.Source, "source", FeatureConfig.Default, TrainingOptions.Default, "none");
        Assert.Equal(entries.Count, report.Rows.Count);
        Assert.Equal(0, report.Failures);
        Assert.NotNull(report.Overall.Auc);
    }
}
