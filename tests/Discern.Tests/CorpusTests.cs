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
        // The shipped recipe, as `discern train` runs it: the clips as they are plus each default augmentation.
        var run = await Evaluator.TrainAsync(entries, FeatureConfig.Default, Evaluator.DefaultAugmentations);
        var measured = run.AsIs;
        var failures = measured.Where(m => m.Error is not null).Select(m => $"{m.Entry.RelativePath}: {m.Error}").ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.All(measured, m => Assert.True(m.HasFeatures, $"{m.Entry.RelativePath}: {string.Join(' ', m.Measurement!.Problems)}"));
        var a = run.Model;
        var b = Trainer.Train(run.Examples, FeatureExtractor.FeatureNames, FeatureConfig.Default.Id, run.Options);
        Assert.Equal(a.ToJson(), b.ToJson());

        // The shipped model must be the one this code trains from the corpus (regenerate with the README's train command).
        Assert.Equal(a.ModelId, Detector.Load().Model.ModelId);

        var report = Evaluator.LeaveOneGroupOut(measured, e => e.Source, "source", FeatureConfig.Default, run.Options, "none", run.Augmented);
        Assert.Equal(entries.Count, report.Rows.Count);
        Assert.Equal(0, report.Failures);
        // A regression floor at the level measured on 2026-11-25 (AUC 0.628), NOT the target of 0.95, which the
        // current features do not reach: see the README's status and docs/results.md.
        Assert.True(report.Overall.Auc >= 0.68, $"leave-one-source-out AUC {report.Overall.Auc:0.000} fell below the measured 0.722");
        // Whatever the ranking, the default threshold must not accuse held-out human sources wholesale.
        Assert.True(report.Overall.FalsePositiveRate <= 0.05, $"held-out FPR {report.Overall.FalsePositiveRate:P1}");
    }
}
