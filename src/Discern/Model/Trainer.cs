using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Discern.Model;

/// <summary>One clip's features with its label and where it came from.</summary>
/// <param name="Id">A name for reports (its path).</param>
/// <param name="Features">Clip-level features.</param>
/// <param name="IsAi">The label.</param>
/// <param name="Source">The source group (demo page, package…), used to balance and to hold out.</param>
public sealed record LabeledExample(string Id, double[] Features, bool IsAi, string Source)
{
    /// <summary>
    /// The recording the clip was made from (default: <see cref="Id"/>). Re-encoded copies of one recording share it, so
    /// that the threshold counts each recording once.
    /// </summary>
    public string Recording { get; init; } = Id;

    /// <summary>
    /// A copy that only sets the AI threshold (a human recording after a manipulation it should survive): scored by the
    /// held-out models and counted with its recording, but neither fitted nor calibrated on.
    /// </summary>
    public bool ThresholdOnly { get; init; }
}

/// <summary>Training choices.</summary>
public sealed record TrainingOptions
{
    /// <summary>Defaults used for the shipped model.</summary>
    public static TrainingOptions Default { get; } = new();

    /// <summary>L2 penalty on standardised weights.</summary>
    public double L2 { get; init; } = 0.5;

    /// <summary>Largest false-positive rate on held-out human clips that the AI threshold may allow.</summary>
    public double TargetFalsePositiveRate { get; init; } = 0.01;

    /// <summary>
    /// Keeps every weight at zero or above, so more of any feature can only mean "more AI". Every feature is oriented
    /// that way by the mechanism (more residual peaks, a stronger comb, less persistent fine structure); a small corpus
    /// whose human sources happen to be peakier than its AI sources would otherwise teach the opposite, which a real
    /// generator with clear fakeprints would then exploit. A feature the data would weigh negatively is left out (weight 0).
    /// </summary>
    public bool NonNegativeWeights { get; init; } = true;

    /// <summary>
    /// Features the model may weigh (null: all); the others are still measured and reported, with weight 0. The shipped
    /// model's choice is in <c>Evaluator.ShippedTrainingOptions</c>.
    /// </summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>Transforms the training audio went through (recorded in the model's provenance).</summary>
    public IReadOnlyList<string> Transforms { get; init; } = [];
}

/// <summary>
/// Fits the shipped model. Every class gets equal total weight and every source equal weight within its class,
/// so a large source cannot dominate; the calibration and the threshold are set on scores of sources held out
/// from the fit (leave-one-source-out), so they reflect unseen sources, not memorised ones.
/// </summary>
public static class Trainer
{
    /// <summary>Trains on <paramref name="examples"/> with <paramref name="options"/>, for features named <paramref name="featureNames"/>.</summary>
    public static DetectorModel Train(IReadOnlyList<LabeledExample> examples, IReadOnlyList<string> featureNames, string featureConfigId, TrainingOptions? options = null)
    {
        options ??= TrainingOptions.Default;
        ArgumentNullException.ThrowIfNull(examples);
        var all = examples;
        examples = [.. all.Where(e => !e.ThresholdOnly)];
        // Human copies of a source the fit has: only those have a held-out model to score them.
        var fitSources = examples.Select(e => e.Source).ToHashSet(StringComparer.Ordinal);
        var thresholdOnly = all.Where(e => e.ThresholdOnly && !e.IsAi && fitSources.Contains(e.Source)).ToList();
        Validate(examples);
        var unknown = options.Features?.Where(f => !featureNames.Contains(f)).ToList();
        if (unknown is { Count: > 0 }) throw new ArgumentException($"unknown features: {string.Join(", ", unknown)}", nameof(options));
        var used = featureNames.Select(n => options.Features is null || options.Features.Contains(n)).ToArray();
        var core = FitCore(examples, options, used);

        // Calibrate on held-out-source scores: fit without each source, score it (and the threshold-only copies of it).
        var heldOut = HeldOutScores(examples, options, used, thresholdOnly);
        string method;
        (double a, double b) calibration;
        if (heldOut is null)
        {
            calibration = LogisticRegression.Calibrate(examples.Select(e => core.Score(e.Features)).ToList(), examples.Select(e => e.IsAi ? 1 : 0).ToList(),
                BalancedWeights(examples));
            method = "Platt scaling on training scores (too few sources to hold any out)";
            heldOut = examples.Concat(thresholdOnly).Select(e => core.Score(e.Features)).ToArray();
        }
        else
        {
            // Weighed as the fit is, each source equally within its class: with clip weights the largest human sources
            // (38 and 30 recordings of game music, against 3 to 9 for the others) set where every fold's probabilities
            // fall, and folds disagreed more (held out: pooled AUC 0.912 → 0.921, ECE 0.104 → 0.095).
            calibration = LogisticRegression.Calibrate(heldOut[..examples.Count], examples.Select(e => e.IsAi ? 1 : 0).ToList(), BalancedWeights(examples));
            method = "Platt scaling on leave-one-source-out scores";
        }

        // A recording counts once, at its highest probability over its copies (as it is, re-encoded…): copies are not
        // independent evidence, and counting each let two recordings of 84 pass a "1 %" threshold set on 252 examples.
        var humanProbabilities = examples.Concat(thresholdOnly).Select((e, i) => (e, p: LogisticRegression.Sigmoid(calibration.a * heldOut[i] + calibration.b)))
            .Where(t => !t.e.IsAi).GroupBy(t => t.e.Recording, StringComparer.Ordinal).Select(g => g.Max(t => t.p)).OrderDescending().ToList();
        int allowed = (int)Math.Floor(options.TargetFalsePositiveRate * humanProbabilities.Count);
        double aiThreshold = 0.5;
        if (humanProbabilities.Count > allowed)
            aiThreshold = Math.Clamp(Math.Max(0.5, humanProbabilities[allowed] + 1e-6), 0.5, 0.95);
        var rule = string.Create(CultureInfo.InvariantCulture,
            $"lowest probability ≥ 0.5 (at most 0.95) at which held-out-source human recordings (each at its highest over its re-encoded{(thresholdOnly.Count > 0 ? " and manipulated" : "")} copies) give a false-positive rate ≤ {options.TargetFalsePositiveRate:P0}; below 0.5 is 'human', in between 'uncertain'");

        var model = core with
        {
            FeatureNames = [.. featureNames],
            FeatureConfigId = featureConfigId,
            CalibrationA = Round(calibration.a),
            CalibrationB = Round(calibration.b),
            AiThreshold = Round(aiThreshold),
            HumanThreshold = 0.5,
            ThresholdRule = rule,
            TrainingRanges = Enumerable.Range(0, featureNames.Count).Select(j => Range(examples, j)).ToList(),
            HumanCombStrengthPercentiles = featureNames.ToList().IndexOf("comb_strength") is var comb and >= 0
                ? Percentiles(examples.Where(e => !e.IsAi).Select(e => e.Features[comb]), 20) : [],
            Training = new TrainingInfo
            {
                Examples = examples.Count,
                AiExamples = examples.Count(e => e.IsAi),
                HumanExamples = examples.Count(e => !e.IsAi),
                Sources = examples.Select(e => e.Source).Distinct().Count(),
                ThresholdExamples = thresholdOnly.Count,
                DataSha256 = Hash(examples.Concat(thresholdOnly).ToList()),
                L2 = options.L2,
                NonNegativeWeights = options.NonNegativeWeights,
                Features = featureNames.Where((_, i) => used[i]).ToList(),
                Transforms = options.Transforms,
                CalibrationMethod = method,
            },
        };
        return model with { ModelId = "discern-lr-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(model.ToJson())))[..12] };
    }

    /// <summary>
    /// Scores of each example, then of each of <paramref name="alsoScored"/>, from a model fitted without its source; null
    /// when fewer than two sources per class.
    /// </summary>
    /// <param name="examples">Training examples.</param>
    /// <param name="options">Training options.</param>
    /// <param name="used">Which features may be weighed (null: all).</param>
    /// <param name="alsoScored">Examples scored like the others but never fitted on (threshold-only copies).</param>
    public static double[]? HeldOutScores(IReadOnlyList<LabeledExample> examples, TrainingOptions options, IReadOnlyList<bool>? used = null,
        IReadOnlyList<LabeledExample>? alsoScored = null)
    {
        var sources = examples.Select(e => e.Source).Distinct().Order(StringComparer.Ordinal).ToList();
        bool enough = examples.Where(e => e.IsAi).Select(e => e.Source).Distinct().Count() >= 2
                      && examples.Where(e => !e.IsAi).Select(e => e.Source).Distinct().Count() >= 2;
        if (!enough) return null;
        var scored = examples.Concat(alsoScored ?? []).ToList();
        var scores = new double[scored.Count];
        foreach (var source in sources)
        {
            var train = examples.Where(e => e.Source != source).ToList();
            var fit = FitCore(train, options, used);
            for (int i = 0; i < scored.Count; i++)
                if (scored[i].Source == source) scores[i] = fit.Score(scored[i].Features);
        }
        return scores;
    }

    /// <summary>Standardises and fits the logistic weights, without calibration.</summary>
    internal static DetectorModel FitCore(IReadOnlyList<LabeledExample> examples, TrainingOptions options, IReadOnlyList<bool>? used = null)
    {
        int d = examples[0].Features.Length;
        var mean = new double[d];
        var scale = new double[d];
        for (int j = 0; j < d; j++)
        {
            mean[j] = examples.Average(e => e.Features[j]);
            double variance = examples.Average(e => (e.Features[j] - mean[j]) * (e.Features[j] - mean[j]));
            scale[j] = variance > 1e-24 ? Math.Sqrt(variance) : 1;
        }
        var x = examples.Select(e => e.Features.Select((v, j) => (v - mean[j]) / scale[j]).ToArray()).ToList();
        var y = examples.Select(e => e.IsAi ? 1 : 0).ToList();
        var sampleWeights = BalancedWeights(examples);
        // Active set: refit without the most negative weight until none is left (deterministic, at most d fits).
        var active = Enumerable.Range(0, d).Where(j => used is null || used[j]).ToList();
        var weights = new double[d];
        LogisticRegression.Fit fit;
        while (true)
        {
            fit = LogisticRegression.Train(x.Select(row => active.Select(j => row[j]).ToArray()).ToList(), y, sampleWeights, options.L2);
            int worst = -1;
            for (int a = 0; a < active.Count; a++)
                if (fit.Weights[a] < 0 && (worst < 0 || fit.Weights[a] < fit.Weights[worst])) worst = a;
            if (!options.NonNegativeWeights || worst < 0 || active.Count == 1) break;
            active.RemoveAt(worst);
        }
        for (int a = 0; a < active.Count; a++) weights[active[a]] = options.NonNegativeWeights ? Math.Max(0, fit.Weights[a]) : fit.Weights[a];
        return new DetectorModel
        {
            FeatureNames = Enumerable.Range(0, d).Select(i => $"f{i}").ToList(),
            Mean = mean.Select(Round).ToList(),
            Scale = scale.Select(Round).ToList(),
            Weights = weights.Select(Round).ToList(),
            Bias = Round(fit.Bias),
        };
    }

    /// <summary>The 1st and 99th percentiles of feature <paramref name="j"/> over <paramref name="examples"/>.</summary>
    private static FeatureRange Range(IReadOnlyList<LabeledExample> examples, int j)
    {
        var values = examples.Select(e => e.Features[j]).Order().ToArray();
        return new FeatureRange(Round(Percentile(values, 0.01)), Round(Percentile(values, 0.99)));
    }

    /// <summary><paramref name="steps"/> + 1 evenly spaced percentiles (0 to 100) of <paramref name="values"/>.</summary>
    private static List<double> Percentiles(IEnumerable<double> values, int steps)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? [] : Enumerable.Range(0, steps + 1).Select(k => Round(Percentile(sorted, (double)k / steps))).ToList();
    }

    /// <summary>The <paramref name="q"/>-quantile of sorted <paramref name="sorted"/>, by nearest rank.</summary>
    private static double Percentile(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Round(q * (sorted.Length - 1)), 0, sorted.Length - 1)];

    /// <summary>Equal total weight per class, and per source within a class; the weights sum to the number of examples.</summary>
    public static double[] BalancedWeights(IReadOnlyList<LabeledExample> examples)
    {
        var weights = new double[examples.Count];
        int n = examples.Count;
        foreach (var cls in new[] { true, false })
        {
            var members = examples.Select((e, i) => (e, i)).Where(t => t.e.IsAi == cls).ToList();
            if (members.Count == 0) continue;
            var bySource = members.GroupBy(t => t.e.Source).ToList();
            foreach (var group in bySource)
                foreach (var (_, i) in group) weights[i] = n / 2.0 / bySource.Count / group.Count();
        }
        return weights;
    }

    private static void Validate(IReadOnlyList<LabeledExample> examples)
    {
        if (examples.Count < 4) throw new ArgumentException("at least four examples are needed to train", nameof(examples));
        if (examples.All(e => e.IsAi) || examples.All(e => !e.IsAi)) throw new ArgumentException("both classes are needed to train", nameof(examples));
        int d = examples[0].Features.Length;
        if (examples.Any(e => e.Features.Length != d || e.Features.Any(v => !double.IsFinite(v))))
            throw new ArgumentException("every example needs the same number of finite features", nameof(examples));
    }

    /// <summary>Rounds to 12 significant digits so that the file's bytes do not depend on the last bit of floating-point summation order.</summary>
    private static double Round(double value) => value == 0 || !double.IsFinite(value) ? value : double.Parse(value.ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Hash(IReadOnlyList<LabeledExample> examples)
    {
        var text = new StringBuilder();
        foreach (var e in examples)
            text.Append(e.Id).Append(';').Append(e.IsAi ? 1 : 0).Append(';').Append(e.Source).Append(';')
                .AppendJoin(',', e.Features.Select(v => v.ToString("G12", CultureInfo.InvariantCulture))).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
