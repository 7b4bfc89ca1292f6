using Discern.Evaluation;
using Discern.Features;
using Discern.Model;

namespace Discern.Tests;

/// <summary>The shipped recipe run once on the development corpus, shared by the tests that need its measurements.</summary>
public sealed class CorpusFixture : IAsyncLifetime
{
    public IReadOnlyList<ManifestEntry> Entries { get; private set; } = [];

    public TrainingRun Run { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Entries = Manifest.Read(CorpusTests.ManifestPath());
        // The shipped recipe, as `discern train` runs it: the clips as they are plus each default augmentation.
        Run = await Evaluator.TrainAsync(Entries, FeatureConfig.Default, Evaluator.DefaultAugmentations);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>End-to-end on the development corpus in ../shared/corpus (fails clearly when it is missing).</summary>
public class CorpusTests(CorpusFixture corpus) : IClassFixture<CorpusFixture>
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
    public void Every_corpus_clip_is_measured_and_training_is_reproducible()
    {
        var run = corpus.Run;
        var measured = run.AsIs;
        Assert.True(corpus.Entries.Count > 100);
        var failures = measured.Where(m => m.Error is not null).Select(m => $"{m.Entry.RelativePath}: {m.Error}").ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.All(measured, m => Assert.True(m.HasFeatures, $"{m.Entry.RelativePath}: {string.Join(' ', m.Measurement!.Problems.Select(r => r.Message))}"));
        var a = run.Model;
        var b = Trainer.Train(run.Examples, FeatureExtractor.FeatureNames, FeatureConfig.Default.Id, run.Options);
        Assert.Equal(a.ToJson(), b.ToJson());

        // The shipped model must be the one this code trains from the corpus (regenerate with the README's train command).
        Assert.Equal(a.ModelId, Detector.Load().Model.ModelId);

        var report = Evaluator.LeaveOneGroupOut(measured, e => e.Source, "source", FeatureConfig.Default, run.Options, "none", run.Augmented);
        Assert.Equal(corpus.Entries.Count, report.Rows.Count);
        Assert.Equal(0, report.Failures);
        // A regression floor under the level measured on 2026-11-30 (AUC 0.943, clip features the mean over segments), NOT the issue's
        // target of 0.95, which the current features do not reach: see the README's status and docs/results.md.
        Assert.True(report.Overall.Auc >= 0.93, $"leave-one-source-out AUC {report.Overall.Auc:0.000} fell below the measured 0.943");
        // Whatever the ranking, the default threshold must not accuse held-out human sources: the issue's 1 % (0 of 84
        // measured since the threshold also counts each human recording's pitch-shifted copies).
        Assert.True(report.Overall.FalsePositiveRate <= 0.01, $"held-out FPR {report.Overall.FalsePositiveRate:P1}");
    }

    [Fact]
    public void Decoder_lines_over_music_of_a_source_held_out_are_called_AI()
    {
        // The synthetic examples of each human source, scored by a model trained without that source (nor its synthetic
        // copies): the comb must count as evidence on music the model never heard, or the mechanism is not learnt.
        var synthetic = corpus.Run.Augmented.SelectMany(a => a).Where(m => m.TrainingSource == SyntheticDecoder.SourceName).ToList();
        Assert.True(synthetic.Count >= 30, $"only {synthetic.Count} synthetic examples showed their lines");
        int called = 0, leaning = 0;
        var perSource = new List<string>();
        foreach (var fold in synthetic.Select(m => m.Entry.Source).Distinct().Order(StringComparer.Ordinal))
        {
            var detector = Evaluator.TrainWithout(corpus.Run.AsIs, corpus.Run.Augmented, e => e.Source == fold, FeatureConfig.Default, corpus.Run.Options)!;
            var scored = synthetic.Where(m => m.Entry.Source == fold).Select(m => detector.Decide(m.Measurement!)).ToList();
            int ai = scored.Count(v => v.Label == VerdictLabel.Ai);
            called += ai;
            leaning += scored.Count(v => v.ProbabilityAi > 0.5);
            perSource.Add($"{fold}: {ai} of {scored.Count}, mean P {scored.Average(v => v.ProbabilityAi ?? 0.5):0.00}");
        }
        // Measured 2026-11-30 (model discern-lr-8d6f3c7663d6's recipe): 13 of 43 called AI at the default threshold and
        // 36 of 43 above 0.5 (14 and 37 before the prominence and the drift were weighed on ratio scales; the model
        // before synthetic decoders called 2 % of such clips AI, scratch harness). Most of the rest are warzone2100's, which its fold's model scores at 1.00 on average but leaves
        // uncertain because that source's features lie outside the other sources' ranges; supertuxkart's (mean 0.33) are
        // the ones the comb does not carry.
        var summary = $"{called} called AI, {leaning} above 0.5, of {synthetic.Count} ({string.Join(", ", perSource)})";
        Assert.True(called >= 0.2 * synthetic.Count, summary);
        Assert.True(leaning >= 0.6 * synthetic.Count, summary);
    }

    [Fact]
    public async Task A_spliced_section_is_located_better_than_chance_by_models_that_never_saw_its_sources()
    {
        var run = corpus.Run;
        var options = SpliceOptions.Default with { CasesPerDirection = 12, Seed = 7 };
        var cases = Splicing.Plan(run.AsIs, options);
        Assert.Equal(24, cases.Count);
        var detectors = cases.Select(c => (c.Host.Source, c.Insert.Source)).Distinct().ToDictionary(k => k, k =>
            Evaluator.TrainWithout(run.AsIs, run.Augmented, e => e.Source == k.Item1 || e.Source == k.Item2, FeatureConfig.Default, run.Options)!);
        var report = await Splicing.EvaluateAsync(cases, c => detectors[(c.Host.Source, c.Insert.Source)], "held out", options);
        Assert.All(report.Results, r => Assert.Null(r.Error));
        foreach (var s in report.Summaries)
        {
            // Measured 2026-11-29 on 40 tracks each way: 2.4 s (AI in human) and 3.5 s (human in AI) against 5.8 s by chance.
            Assert.True(s.MeanBoundaryErrorSeconds < s.ChanceBoundaryErrorSeconds,
                $"{s.Direction}: mean boundary error {s.MeanBoundaryErrorSeconds:0.0} s is no better than chance ({s.ChanceBoundaryErrorSeconds:0.0} s)");
        }
    }

    [Fact]
    public void Deezer_reconstructions_drift_more_than_their_originals()
    {
        // Deezer's examples are matched pairs: the same FMA excerpt as released (fma-deezer) and after each autoencoder or
        // Griffin-Lim. What differs within a pair is the generator alone, so this is the drift feature's evidence that it
        // measures generation rather than genre or mix (all 28 pairs on 2026-11-29).
        int drift = FeatureExtractor.FeatureNames.ToList().IndexOf("fine_structure_drift_low");
        static string Track(ManifestEntry e) => System.Text.RegularExpressions.Regex.Match(e.RelativePath, @"__(\d{6})").Groups[1].Value;
        var deezer = corpus.Run.AsIs.Where(m => m.Entry.Source.StartsWith("deezer-", StringComparison.Ordinal) || m.Entry.Source == "fma-deezer").ToList();
        var originals = deezer.Where(m => m.Entry.Source == "fma-deezer").ToDictionary(m => Track(m.Entry), m => m.Measurement!.Features![drift]);
        var pairs = deezer.Where(m => m.Entry.IsAi).Select(m => (m.Entry.RelativePath, Reconstruction: m.Measurement!.Features![drift], Original: originals[Track(m.Entry)])).ToList();
        Assert.Equal(28, pairs.Count);
        var exceptions = pairs.Where(p => p.Reconstruction <= p.Original).Select(p => $"{p.RelativePath}: {p.Reconstruction:0.000} ≤ {p.Original:0.000}").ToList();
        Assert.True(exceptions.Count <= 2, "reconstructions that do not drift more than their original:\n" + string.Join("\n", exceptions));
    }

    [Fact]
    public void Codec_reconstructions_carry_an_exact_decoder_grid_that_their_originals_lack()
    {
        // The same matched pairs: an EnCodec or LAC decoder leaves lines at an exact sub-multiple of 44.1 kHz that the FMA
        // original does not have (15 of the 20 reconstructions, none of the 4 originals, on 2026-12-01); Griffin-Lim, which
        // has no decoder, and the diffusion samples, whose U-Nets end in no upsampling stack, show none.
        bool Grid(MeasuredEntry m) => Attribution.IsDecoderGrid(m.Measurement!.Grid);
        var measured = corpus.Run.AsIs;
        var codecs = measured.Where(m => m.Entry.Source.StartsWith("deezer-encodec", StringComparison.Ordinal) || m.Entry.Source.StartsWith("deezer-lac", StringComparison.Ordinal)).ToList();
        Assert.Equal(20, codecs.Count);
        Assert.True(codecs.Count(Grid) >= 12, $"{codecs.Count(Grid)} of 20 codec reconstructions show a decoder grid");
        Assert.All(codecs.Where(Grid), m => Assert.Equal(44100, m.Measurement!.Grid.SampleRateHz));
        var without = measured.Where(m => m.Entry.Source is "fma-deezer" || m.Entry.Source.StartsWith("diffusion-", StringComparison.Ordinal) || m.Entry.Source.StartsWith("deezer-griffin", StringComparison.Ordinal)).ToList();
        Assert.Equal(72, without.Count);
        Assert.True(without.Count(Grid) <= 1, "grids where no decoder upsampled: " + string.Join(", ", without.Where(Grid).Select(m => m.Entry.RelativePath)));
    }
}
