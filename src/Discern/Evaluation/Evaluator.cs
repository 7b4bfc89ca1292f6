using Discern.Audio;
using Discern.Features;
using Discern.Model;

namespace Discern.Evaluation;

/// <summary>A manifest entry after measuring: its measurement, or why it failed.</summary>
/// <param name="Entry">The clip.</param>
/// <param name="Measurement">What was measured, or null on failure.</param>
/// <param name="Error">The failure, or null.</param>
public sealed record MeasuredEntry(ManifestEntry Entry, Measurement? Measurement, string? Error)
{
    /// <summary>Whether the clip has clip-level features.</summary>
    public bool HasFeatures => Measurement?.Features is not null;

    /// <summary>
    /// The source group a training example from this clip is weighed in: its manifest source unless set (synthetic
    /// positives keep their recording's source, so that a fold holding that source out leaves them out too, but are
    /// weighed as one source of their own).
    /// </summary>
    public string? TrainingSource { get; init; }

    /// <summary>Whether this clip only sets the AI threshold (a human recording's manipulated copy) and is not fitted on.</summary>
    public bool ThresholdOnly { get; init; }

    /// <summary>As a training example.</summary>
    public LabeledExample ToExample() =>
        new(Entry.RelativePath, Measurement!.Features!, Entry.IsAi, TrainingSource ?? Entry.Source) { ThresholdOnly = ThresholdOnly };
}

/// <summary>One clip's outcome in an evaluation.</summary>
/// <param name="Path">Path as in the manifest.</param>
/// <param name="IsAi">Label.</param>
/// <param name="Source">Source group.</param>
/// <param name="ProbabilityAi">Probability, or null on failure or when the clip could not be judged.</param>
/// <param name="Verdict">ai, human or uncertain.</param>
/// <param name="Fold">The held-out group that scored it ("" with a fixed model).</param>
/// <param name="Error">Failure message.</param>
public sealed record EvaluationRow(string Path, bool IsAi, string Source, double? ProbabilityAi, string Verdict, string Fold, string? Error)
{
    /// <summary>The generator named in the manifest ("human" for human clips).</summary>
    public string Generator { get; init; } = "";

    /// <summary>The decoder family that an exact decoder grid, or else the comb of residual peaks, points to (<see cref="Attribution"/>), "none" without either, null on failure.</summary>
    public string? Attributed { get; init; }
}

/// <summary>Figures for one source.</summary>
/// <param name="Source">Source group.</param>
/// <param name="Label">The class of its clips (ai, human or mixed).</param>
/// <param name="Metrics">Its clips against every clip of the other class (so a one-class source still gets an AUC).</param>
public sealed record SourceReport(string Source, string Label, DetectionMetrics Metrics);

/// <summary>An evaluation's results.</summary>
/// <param name="Method">How scores were obtained.</param>
/// <param name="Transform">Manipulation applied to every clip.</param>
/// <param name="Overall">Figures on every scored clip.</param>
/// <param name="PerSource">Figures per source.</param>
/// <param name="Failures">Clips that could not be scored.</param>
/// <param name="Rows">Every clip.</param>
public sealed record EvaluationReport(string Method, string Transform, DetectionMetrics Overall, IReadOnlyList<SourceReport> PerSource,
    int Failures, IReadOnlyList<EvaluationRow> Rows)
{
    /// <summary>Whether the probabilities mean what they say on these clips (null without both classes).</summary>
    public CalibrationCheck? Calibration { get; init; }
}

/// <summary>What <see cref="Evaluator.TrainAsync"/> trained, and from what.</summary>
/// <param name="Model">The trained model.</param>
/// <param name="Options">The training options used.</param>
/// <param name="Examples">Every example trained on (clips as they are, then each augmentation).</param>
/// <param name="AsIs">The clips measured as they are.</param>
/// <param name="Augmented">The clips measured after each augmentation, in order.</param>
/// <param name="ClipsWithoutFeatures">Measurements left out for having no usable features.</param>
public sealed record TrainingRun(DetectorModel Model, TrainingOptions Options, IReadOnlyList<LabeledExample> Examples,
    IReadOnlyList<MeasuredEntry> AsIs, IReadOnlyList<IReadOnlyList<MeasuredEntry>> Augmented, int ClipsWithoutFeatures);

/// <summary>Measures corpora and evaluates detectors on them.</summary>
public static class Evaluator
{
    /// <summary>
    /// Prefix of an augmentation whose copies only set the AI threshold ("threshold:pitch+2"): every human clip after the
    /// transform, each counted with its recording, at its highest (<see cref="DefaultAugmentations"/>).
    /// </summary>
    public const string ThresholdPrefix = "threshold:";

    /// <summary>The transform of a threshold-only augmentation ("threshold:pitch+2" → "pitch+2"), or null when <paramref name="augmentation"/> is not one.</summary>
    public static string? ThresholdTransform(string augmentation) =>
        augmentation.StartsWith(ThresholdPrefix, StringComparison.OrdinalIgnoreCase) ? augmentation[ThresholdPrefix.Length..] : null;

    /// <summary>The entries <see cref="MeasureAsync"/> measures for <paramref name="transform"/> (for a progress bar's length).</summary>
    public static IReadOnlyList<ManifestEntry> EntriesMeasuredFor(IReadOnlyList<ManifestEntry> entries, string transform) =>
        SyntheticDecoder.IsAugmentation(transform) || ThresholdTransform(transform) is not null ? [.. entries.Where(e => !e.IsAi)] : entries;

    /// <summary>
    /// Measures every entry in parallel (results in manifest order), after <paramref name="transform"/> when not "none".
    /// A failing clip becomes a row with its error; it never stops the run. <see cref="SyntheticDecoder.AugmentationName"/>
    /// measures only the human entries, each through its own <see cref="SyntheticDecoder"/>, as AI examples, and keeps
    /// those whose lines it can see (<see cref="SyntheticDecoder.LeftVisibleLines"/>). A <see cref="ThresholdPrefix"/>
    /// augmentation measures only the human entries, after its transform, as <see cref="MeasuredEntry.ThresholdOnly"/>.
    /// </summary>
    public static async Task<IReadOnlyList<MeasuredEntry>> MeasureAsync(IReadOnlyList<ManifestEntry> entries, FeatureConfig config,
        string transform = "none", int workers = 0, AnalysisOptions? options = null, IProgress<int>? progress = null, TransformOptions? transformOptions = null,
        CancellationToken cancellationToken = default)
    {
        options ??= AnalysisOptions.Default;
        bool synthetic = SyntheticDecoder.IsAugmentation(transform);
        entries = EntriesMeasuredFor(entries, transform);
        var thresholdTransform = ThresholdTransform(transform);
        bool thresholdOnly = thresholdTransform is not null;
        transform = thresholdTransform ?? transform;
        var results = new MeasuredEntry?[entries.Count];
        var ffmpeg = new FfmpegDecoder(options.FfmpegPath);
        bool transformed = !synthetic && !transform.Equals("none", StringComparison.OrdinalIgnoreCase);
        if (transformed && !ffmpeg.IsAvailable) throw new DecoderUnavailableException($"Transform '{transform}' needs ffmpeg, which was not found on PATH.");
        int done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = workers > 0 ? workers : Environment.ProcessorCount, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, entries.Count), parallel, async (i, ct) =>
        {
            var entry = entries[i];
            string? temp = null;
            try
            {
                var path = entry.Path;
                if (transformed) path = temp = await AudioTransforms.ApplyAsync(entry.Path, transform, ffmpeg, transformOptions, ct).ConfigureAwait(false);
                var decoders = AudioDecoders.CreateDefault(options.FfmpegPath, options.PreferFfmpeg, options.UseNativeDecoders);
                if (synthetic) decoders = SyntheticDecoder.Wrap(decoders, entry.RelativePath);
                var measurer = new AudioMeasurer(config, decoders);
                var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                var measurement = measurer.Measure(stream, options, ct);
                if (!synthetic) results[i] = new MeasuredEntry(entry, measurement, null) { ThresholdOnly = thresholdOnly };
                else if (SyntheticDecoder.LeftVisibleLines(measurement))
                    results[i] = new MeasuredEntry(entry with { IsAi = true }, measurement, null) { TrainingSource = SyntheticDecoder.SourceName };
            }
            catch (Exception ex) when (ex is DiscernException or IOException or UnauthorizedAccessException)
            {
                results[i] = new MeasuredEntry(entry, null, ex.Message) { ThresholdOnly = thresholdOnly };
            }
            finally
            {
                if (temp is not null) try { File.Delete(temp); } catch (IOException) { }
                progress?.Report(Interlocked.Increment(ref done));
            }
        }).ConfigureAwait(false);
        // Synthetic examples whose lines the music buried are left out (null here): nothing in them says "decoder".
        return [.. results.OfType<MeasuredEntry>()];
    }

    /// <summary>
    /// Re-encodings the shipped model is also trained on. Most AI clips in the corpus are WAV-born and most human ones
    /// Vorbis/Opus/MP3, so a model trained on the files as they are learns each source's codec; adding every clip again
    /// after the same MP3 encode gives both classes that codec and leaves the fingerprint as the difference
    /// (leave-one-source-out AUC 0.16 → 0.63 on the corpus, see docs/results.md). Low-bitrate Opus (YouTube's lowest
    /// audio stream, and this corpus's warzone2100 soundtrack) fills bands with noise, which blurs a human recording's
    /// fine structure towards a generator's; training on every clip at Opus 48 kbps as well teaches the model and its
    /// threshold how far a codec alone moves it (held-out false positives 7.1 % → 4.8 %). Last, every human clip through a
    /// <see cref="SyntheticDecoder"/> as an AI example: the corpus's generators leave no comb a human recording lacks, so
    /// only these examples teach the model that a decoder's comb of lines is evidence. And every human clip pitch-shifted
    /// two semitones up and down, not fitted on but counted in the threshold: a pitch shift that keeps the tempo is a time
    /// stretch, which re-synthesises partials as a decoder does, and is the manipulation that moves human recordings
    /// furthest towards "AI" (docs/results.md), so the threshold is set where their shifted copies stay under it too.
    /// </summary>
    public static IReadOnlyList<string> DefaultAugmentations { get; } =
        ["mp3-128k", "opus-48k", SyntheticDecoder.AugmentationName, ThresholdPrefix + "pitch+2", ThresholdPrefix + "pitch-2"];

    /// <summary>Training options of the shipped model: weights kept non-negative, only <see cref="FeatureExtractor.ScoredFeatures"/> weighed.</summary>
    public static TrainingOptions ShippedTrainingOptions { get; } = TrainingOptions.Default with { Features = FeatureExtractor.ScoredFeatures };

    /// <summary>
    /// The recipe of the shipped model, in one place for <c>discern train</c> and the test that checks the shipped model:
    /// measures the clips as they are and after each of <paramref name="augmentations"/>, and trains on all of them.
    /// </summary>
    /// <param name="entries">The labelled clips.</param>
    /// <param name="config">Feature configuration.</param>
    /// <param name="augmentations">Transforms whose outputs are also trained on (<see cref="DefaultAugmentations"/> for the shipped model).</param>
    /// <param name="measure">Measures the clips after a transform ("none": as they are); default <see cref="MeasureAsync"/>. Hosts pass one that shows progress.</param>
    /// <param name="cancellationToken">Cancels measuring.</param>
    public static async Task<TrainingRun> TrainAsync(IReadOnlyList<ManifestEntry> entries, FeatureConfig config, IReadOnlyList<string> augmentations,
        Func<string, CancellationToken, Task<IReadOnlyList<MeasuredEntry>>>? measure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(augmentations);
        measure ??= (transform, ct) => MeasureAsync(entries, config, transform, cancellationToken: ct);
        var asIs = await measure("none", cancellationToken).ConfigureAwait(false);
        var examples = TrainingExamples(asIs, "none").ToList();
        int withoutFeatures = asIs.Count(m => !m.HasFeatures);
        var augmented = new List<IReadOnlyList<MeasuredEntry>>();
        foreach (var transform in augmentations)
        {
            var measured = await measure(transform, cancellationToken).ConfigureAwait(false);
            augmented.Add(measured);
            withoutFeatures += measured.Count(m => !m.HasFeatures);
            examples.AddRange(TrainingExamples(measured, transform));
        }
        var options = ShippedTrainingOptions with { Transforms = [.. augmentations] };
        var model = Trainer.Train(examples, FeatureExtractor.FeatureNames, config.Id, options);
        return new TrainingRun(model, options, examples, asIs, augmented, withoutFeatures);
    }

    /// <summary>Training examples from clips measured after <paramref name="transform"/> ("none" for as they are); clips without features are left out.</summary>
    public static IEnumerable<LabeledExample> TrainingExamples(IReadOnlyList<MeasuredEntry> measured, string transform) =>
        measured.Where(m => m.HasFeatures).Select(m => m.ToExample() with
        {
            Id = transform.Equals("none", StringComparison.OrdinalIgnoreCase) ? m.Entry.RelativePath : $"{m.Entry.RelativePath}#{transform}",
            Recording = m.Entry.RelativePath,
        });

    /// <summary>Scores every clip with a fixed <paramref name="detector"/>.</summary>
    public static EvaluationReport WithModel(IReadOnlyList<MeasuredEntry> measured, Detector detector, string transform)
    {
        var rows = measured.Select(m =>
        {
            if (m.Measurement is null) return new EvaluationRow(m.Entry.RelativePath, m.Entry.IsAi, m.Entry.Source, null, "error", "", m.Error);
            var v = detector.Decide(m.Measurement);
            return Scored(m, v, "");
        }).ToList();
        return Report($"model {detector.Model.ModelId}", transform, rows);
    }

    /// <summary>
    /// Leave-one-group-out: for each group, trains on the others (with <see cref="Trainer"/>, calibration and threshold included)
    /// and scores the held-out group, so each figure is that of a source the model never saw.
    /// </summary>
    /// <param name="measured">The clips to score, each in the fold of its group.</param>
    /// <param name="group">The group (source or generator) of an entry.</param>
    /// <param name="groupName">Name of the grouping, for the report ("source").</param>
    /// <param name="config">Feature configuration the measurements were made with.</param>
    /// <param name="options">Training options for every fold.</param>
    /// <param name="transform">Transform the scored clips went through, for the report.</param>
    /// <param name="augmented">The same entries measured after other transforms: added to each fold's training data (never scored),
    /// so that the model learns what survives re-encoding rather than each source's codec.</param>
    public static EvaluationReport LeaveOneGroupOut(IReadOnlyList<MeasuredEntry> measured, Func<ManifestEntry, string> group, string groupName,
        FeatureConfig config, TrainingOptions? options, string transform, IReadOnlyList<IReadOnlyList<MeasuredEntry>>? augmented = null)
    {
        var rows = new EvaluationRow?[measured.Count];
        for (int i = 0; i < measured.Count; i++)
        {
            var m = measured[i];
            if (m.Measurement is null) rows[i] = new EvaluationRow(m.Entry.RelativePath, m.Entry.IsAi, m.Entry.Source, null, "error", group(m.Entry), m.Error);
            else if (!m.HasFeatures) rows[i] = new EvaluationRow(m.Entry.RelativePath, m.Entry.IsAi, m.Entry.Source, null, "uncertain", group(m.Entry), null);
        }
        var usable = measured.Select((m, i) => (m, i)).Where(t => t.m.HasFeatures).ToList();
        foreach (var fold in usable.Select(t => group(t.m.Entry)).Distinct().Order(StringComparer.Ordinal))
        {
            var detector = TrainWithout(measured, augmented, e => group(e) == fold, config, options);
            if (detector is null) continue;
            foreach (var (m, i) in usable.Where(t => group(t.m.Entry) == fold))
            {
                rows[i] = Scored(m, detector.Decide(m.Measurement!), fold);
            }
        }
        var complete = rows.Select((r, i) => r ?? new EvaluationRow(measured[i].Entry.RelativePath, measured[i].Entry.IsAi, measured[i].Entry.Source,
            null, "error", "", "no fold could train without this group")).ToList();
        return Report($"leave-one-{groupName}-out", transform, complete);
    }

    /// <summary>
    /// A detector trained on the clips of <paramref name="measured"/> and <paramref name="augmented"/> that
    /// <paramref name="exclude"/> does not hold out; null when what is left lacks a class.
    /// </summary>
    public static Detector? TrainWithout(IReadOnlyList<MeasuredEntry> measured, IReadOnlyList<IReadOnlyList<MeasuredEntry>>? augmented,
        Func<ManifestEntry, bool> exclude, FeatureConfig config, TrainingOptions? options)
    {
        ArgumentNullException.ThrowIfNull(measured);
        ArgumentNullException.ThrowIfNull(exclude);
        var train = measured.Concat((augmented ?? []).SelectMany(a => a))
            .Where(m => m.HasFeatures && !exclude(m.Entry)).Select(m => m.ToExample()).ToList();
        if (train.All(e => e.IsAi) || train.All(e => !e.IsAi)) return null;
        return new Detector(Trainer.Train(train, FeatureExtractor.FeatureNames, config.Id, options), config);
    }

    private static EvaluationRow Scored(MeasuredEntry m, Verdict v, string fold) =>
        new(m.Entry.RelativePath, m.Entry.IsAi, m.Entry.Source, v.ProbabilityAi, AnalysisReport.LabelName(v.Label), fold, null)
        {
            Generator = m.Entry.Generator,
            Attributed = Attribution.Guess(m.Measurement!.Grid, m.Measurement.Comb)?.Family ?? "none",
        };

    /// <summary>
    /// How much better <paramref name="candidate"/> ranks the clips that both reports scored than <paramref name="baseline"/>
    /// (e.g. two feature sets held out alike), clustered by source as the overall AUC's interval is; null when the
    /// shared clips do not span two sources (or clips) of each class.
    /// </summary>
    public static AucComparison? Compare(EvaluationReport baseline, EvaluationReport candidate)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        var other = candidate.Rows.Where(r => r.Error is null).ToDictionary(r => r.Path, StringComparer.Ordinal);
        var pairs = baseline.Rows.Where(r => r.Error is null && other.ContainsKey(r.Path)).Select(r => (A: r, B: other[r.Path])).ToList();
        return AucComparison.Compute(pairs.Select(p => p.A.ProbabilityAi ?? 0.5).ToList(), pairs.Select(p => p.B.ProbabilityAi ?? 0.5).ToList(),
            pairs.Select(p => p.A.IsAi).ToList(), Clusters(pairs.Select(p => p.A).ToList()));
    }

    /// <summary>
    /// Clips of one source share a generator and a recording chain, so an AUC's interval counts sources, not clips, as its
    /// samples whenever the manifest names more than one (<see cref="AucInterval"/>); null (each clip its own) otherwise.
    /// </summary>
    private static List<string>? Clusters(IReadOnlyList<EvaluationRow> rows) =>
        rows.Select(r => r.Source).Distinct(StringComparer.Ordinal).Skip(1).Any() ? rows.Select(r => r.Source).ToList() : null;

    private static EvaluationReport Report(string method, string transform, List<EvaluationRow> rows)
    {
        // A clip that could not be judged counts as "not called AI", so its probability for ranking is 0.5 (no evidence).
        var scored = rows.Where(r => r.Error is null).ToList();
        // The overall AUC's interval counts sources as samples (Clusters). A source's own row has one source on its side,
        // so its interval is over clips: how precisely these clips were ranked, not how another source would be.
        DetectionMetrics Metrics(IEnumerable<EvaluationRow> set, bool clustered = false)
        {
            var list = set.ToList();
            return DetectionMetrics.Compute(list.Select(r => r.ProbabilityAi ?? 0.5).ToList(), list.Select(r => r.IsAi).ToList(),
                list.Select(r => r.Verdict == "ai").ToList(), clustered ? Clusters(list) : null);
        }
        var perSource = scored.GroupBy(r => r.Source).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            bool allAi = g.All(r => r.IsAi), allHuman = g.All(r => !r.IsAi);
            var others = allAi ? scored.Where(r => !r.IsAi) : allHuman ? scored.Where(r => r.IsAi) : [];
            return new SourceReport(g.Key, allAi ? "ai" : allHuman ? "human" : "mixed", Metrics(g.Concat(others)) with
            {
                Count = g.Count(),
                TruePositiveRate = allHuman ? null : (double)g.Count(r => r.IsAi && r.Verdict == "ai") / Math.Max(1, g.Count(r => r.IsAi)),
                FalsePositiveRate = allAi ? null : (double)g.Count(r => !r.IsAi && r.Verdict == "ai") / Math.Max(1, g.Count(r => !r.IsAi)),
            });
        }).ToList();
        var judged = scored.Where(r => r.ProbabilityAi is not null).ToList();
        return new EvaluationReport(method, transform, Metrics(scored, clustered: true), perSource, rows.Count(r => r.Error is not null), rows)
        {
            Calibration = CalibrationCheck.Compute(judged.Select(r => r.ProbabilityAi!.Value).ToList(), judged.Select(r => r.IsAi).ToList()),
        };
    }
}

/// <summary>One manipulation's line in a robustness table.</summary>
/// <param name="Transform">Transform name ("none" for the clips as they are).</param>
/// <param name="Kind">What kind of manipulation it is.</param>
/// <param name="Auc">AUC over every scored clip.</param>
/// <param name="TruePositiveRate">Share of AI clips called AI.</param>
/// <param name="FalsePositiveRate">Share of human clips called AI.</param>
/// <param name="UncertainRate">Share of scored clips left "uncertain".</param>
/// <param name="MeanProbabilityShift">Mean |P(AI) after − P(AI) as they are| over clips scored in both (null without a "none" report).</param>
/// <param name="Failures">Clips that could not be transformed or measured.</param>
/// <param name="CalibrationError">Expected calibration error of the probabilities under this manipulation (<see cref="CalibrationCheck"/>).</param>
public sealed record RobustnessRow(string Transform, string Kind, double? Auc, double? TruePositiveRate, double? FalsePositiveRate, double UncertainRate,
    double? MeanProbabilityShift, int Failures, double? CalibrationError)
{
    /// <summary>The AUC's 95 % interval, as the report's overall figures have it (<see cref="DetectionMetrics.AucConfidence"/>).</summary>
    public AucInterval? AucConfidence { get; init; }
}

/// <summary>Summaries of evaluations under several manipulations.</summary>
public static class Robustness
{
    /// <summary>One row per report, with probability shifts measured against the "none" report when there is one.</summary>
    public static IReadOnlyList<RobustnessRow> Summarise(IReadOnlyList<EvaluationReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var reference = reports.FirstOrDefault(r => r.Transform.Equals("none", StringComparison.OrdinalIgnoreCase))?.Rows
            .Where(r => r.ProbabilityAi is not null).ToDictionary(r => r.Path, r => r.ProbabilityAi!.Value);
        return reports.Select(r =>
        {
            var scored = r.Rows.Where(x => x.Error is null).ToList();
            double? shift = null;
            if (reference is not null)
            {
                var pairs = r.Rows.Where(x => x.ProbabilityAi is not null && reference.ContainsKey(x.Path))
                    .Select(x => Math.Abs(x.ProbabilityAi!.Value - reference[x.Path])).ToList();
                if (pairs.Count > 0) shift = pairs.Average();
            }
            string kind = AudioTransforms.IsKnown(r.Transform) && !r.Transform.Equals("none", StringComparison.OrdinalIgnoreCase)
                ? AudioTransforms.Get(r.Transform).Kind : "as they are";
            return new RobustnessRow(r.Transform, kind, r.Overall.Auc, r.Overall.TruePositiveRate, r.Overall.FalsePositiveRate,
                scored.Count == 0 ? 0 : (double)scored.Count(x => x.Verdict == "uncertain") / scored.Count, shift, r.Failures,
                r.Calibration?.ExpectedCalibrationError) { AucConfidence = r.Overall.AucConfidence };
        }).ToList();
    }
}
