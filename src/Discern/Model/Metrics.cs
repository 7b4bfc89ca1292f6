namespace Discern.Model;

/// <summary>Detection figures for a set of scored clips.</summary>
/// <param name="Count">Clips scored.</param>
/// <param name="Ai">AI clips.</param>
/// <param name="Human">Human clips.</param>
/// <param name="Auc">Area under the ROC curve (null when one class is missing).</param>
/// <param name="TruePositiveRate">AI clips called AI at the threshold.</param>
/// <param name="FalsePositiveRate">Human clips called AI at the threshold.</param>
/// <param name="TprAtFpr1">Best TPR with FPR ≤ 1 % over all thresholds (null when one class is missing).</param>
/// <param name="TruePositives">AI called AI.</param>
/// <param name="FalseNegatives">AI not called AI.</param>
/// <param name="TrueNegatives">Human not called AI.</param>
/// <param name="FalsePositives">Human called AI.</param>
public sealed record DetectionMetrics(int Count, int Ai, int Human, double? Auc, double? TruePositiveRate, double? FalsePositiveRate,
    double? TprAtFpr1, int TruePositives, int FalseNegatives, int TrueNegatives, int FalsePositives)
{
    /// <summary>How far the AUC could be from its value on other clips of the same kind (null when it cannot be estimated).</summary>
    public AucInterval? AucConfidence { get; init; }

    /// <summary>
    /// Computes the figures; <paramref name="calledAi"/> is each clip's decision at its threshold. With
    /// <paramref name="clusters"/> (e.g. each clip's source), the AUC's interval treats clips of one cluster as correlated
    /// (<see cref="AucInterval.Compute"/>); without, each clip is its own.
    /// </summary>
    public static DetectionMetrics Compute(IReadOnlyList<double> probabilities, IReadOnlyList<bool> isAi, IReadOnlyList<bool> calledAi,
        IReadOnlyList<string>? clusters = null)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(isAi);
        ArgumentNullException.ThrowIfNull(calledAi);
        if (probabilities.Count != isAi.Count || calledAi.Count != isAi.Count) throw new ArgumentException("one label and one decision per probability", nameof(isAi));
        int tp = 0, fn = 0, tn = 0, fp = 0;
        for (int i = 0; i < isAi.Count; i++)
        {
            if (isAi[i]) { if (calledAi[i]) tp++; else fn++; }
            else { if (calledAi[i]) fp++; else tn++; }
        }
        int pos = tp + fn, neg = tn + fp;
        double? auc = pos > 0 && neg > 0 ? AreaUnderCurve(probabilities, isAi) : null;
        double? tprAt1 = pos > 0 && neg > 0 ? TprAtFpr(probabilities, isAi, 0.01) : null;
        return new DetectionMetrics(isAi.Count, pos, neg, auc, pos > 0 ? (double)tp / pos : null, neg > 0 ? (double)fp / neg : null,
            tprAt1, tp, fn, tn, fp)
        {
            AucConfidence = auc is null ? null : AucInterval.Compute(probabilities, isAi, clusters),
        };
    }

    /// <summary>Mann–Whitney AUC with ties counted as half.</summary>
    public static double AreaUnderCurve(IReadOnlyList<double> scores, IReadOnlyList<bool> isAi)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(isAi);
        var ranks = Ranks.Mid(scores, _ => true);
        double pos = isAi.Count(a => a), neg = isAi.Count - pos;
        double sum = 0;
        for (int i = 0; i < ranks.Length; i++) if (isAi[i]) sum += ranks[i];
        return (sum - pos * (pos + 1) / 2) / (pos * neg);
    }

    /// <summary>
    /// Highest TPR over thresholds whose FPR is at most <paramref name="maxFpr"/>: one sweep down the sorted scores, so
    /// a catalogue-sized evaluation costs n log n rather than a pass over every clip per distinct score.
    /// </summary>
    public static double TprAtFpr(IReadOnlyList<double> scores, IReadOnlyList<bool> isAi, double maxFpr)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(isAi);
        double pos = isAi.Count(a => a), neg = isAi.Count - pos;
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        double best = 0;
        int tp = 0, fp = 0;
        for (int i = 0; i < order.Length;)
        {
            // Clips with equal scores fall on the same side of every threshold: take them together.
            int j = i;
            for (; j < order.Length && scores[order[j]] == scores[order[i]]; j++)
                if (isAi[order[j]]) tp++; else fp++;
            if (fp / neg <= maxFpr) best = Math.Max(best, tp / pos);
            i = j;
        }
        return best;
    }
}

/// <summary>
/// The standard error of an AUC and its 95 % interval under a normal approximation. Clips of one cluster (a source: one
/// generator, one recording chain) are not independent, and an interval that counted them as such would claim a precision
/// the corpus does not have; this is Obuchowski's nonparametric estimate for clustered data (<i>Nonparametric analysis of
/// clustered ROC curve data</i>, Biometrics 53, 1997), which with one clip per cluster is DeLong's (DeLong, DeLong and
/// Clarke-Pearson, Biometrics 44, 1988).
/// </summary>
/// <param name="StandardError">Standard error of the AUC.</param>
/// <param name="Lower">Lower end of the 95 % interval (at least 0).</param>
/// <param name="Upper">Upper end of the 95 % interval (at most 1).</param>
/// <param name="AiClusters">Clusters holding AI clips: with few, the interval is rough.</param>
/// <param name="HumanClusters">Clusters holding human clips.</param>
public sealed record AucInterval(double StandardError, double Lower, double Upper, int AiClusters, int HumanClusters)
{
    /// <summary>
    /// The interval of the AUC of <paramref name="scores"/> against <paramref name="isAi"/>, clips grouped by
    /// <paramref name="clusters"/> (null: each clip its own). Null unless each class spans at least two clusters.
    /// </summary>
    public static AucInterval? Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> isAi, IReadOnlyList<string>? clusters = null)
    {
        var c = PlacementSums.Of(scores, isAi, clusters);
        if (c is null) return null;
        double se = Math.Sqrt(Math.Max(0, c.Covariance(c)));
        return new AucInterval(se, Math.Max(0, c.Auc - Z95 * se), Math.Min(1, c.Auc + Z95 * se), c.AiClusters, c.HumanClusters);
    }

    internal const double Z95 = 1.959963984540054;
}

/// <summary>
/// How much better one scoring ranks the same clips than another: the difference of their AUCs, with the standard error
/// that the pairing allows (the two scorings err on the same hard clips, so their difference varies far less than either
/// AUC), clustered as <see cref="AucInterval"/> is. A difference whose interval holds 0 is no evidence that either ranks better.
/// </summary>
/// <param name="Baseline">AUC of the scoring compared against.</param>
/// <param name="Candidate">AUC of the scoring compared.</param>
/// <param name="StandardError">Standard error of <see cref="Difference"/>.</param>
/// <param name="Lower">Lower end of the difference's 95 % interval.</param>
/// <param name="Upper">Upper end of the difference's 95 % interval.</param>
public sealed record AucComparison(double Baseline, double Candidate, double StandardError, double Lower, double Upper)
{
    /// <summary>Candidate minus baseline.</summary>
    public double Difference => Candidate - Baseline;

    /// <summary>
    /// Compares <paramref name="candidate"/> with <paramref name="baseline"/>, two scorings of the same clips in the same
    /// order; null unless each class spans at least two clusters.
    /// </summary>
    public static AucComparison? Compute(IReadOnlyList<double> baseline, IReadOnlyList<double> candidate, IReadOnlyList<bool> isAi,
        IReadOnlyList<string>? clusters = null)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (candidate.Count != isAi?.Count) throw new ArgumentException("one score of each scoring per clip", nameof(candidate));
        var a = PlacementSums.Of(baseline, isAi, clusters);
        var b = PlacementSums.Of(candidate, isAi, clusters);
        if (a is null || b is null) return null;
        double se = Math.Sqrt(Math.Max(0, a.Covariance(a) + b.Covariance(b) - 2 * a.Covariance(b)));
        double difference = b.Auc - a.Auc;
        return new AucComparison(a.Auc, b.Auc, se, difference - AucInterval.Z95 * se, difference + AucInterval.Z95 * se);
    }
}

/// <summary>
/// Each cluster's summed placement values minus what the AUC predicts, the structural components of DeLong's and
/// Obuchowski's (co)variances. A placement value is, for an AI clip, the share of human clips it outscores (ties half)
/// and, for a human clip, the share of AI clips that outscore it; each is a difference of midranks.
/// </summary>
internal sealed class PlacementSums
{
    private double[] _ai = [], _human = [];
    private int _aiClips, _humanClips;

    public double Auc { get; private init; }
    public int AiClusters { get; private init; }
    public int HumanClusters { get; private init; }

    public static PlacementSums? Of(IReadOnlyList<double> scores, IReadOnlyList<bool> isAi, IReadOnlyList<string>? clusters)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(isAi);
        if (scores.Count != isAi.Count || (clusters is not null && clusters.Count != isAi.Count))
            throw new ArgumentException("one label and one cluster per score", nameof(isAi));
        int m = isAi.Count(a => a), n = isAi.Count - m;
        if (m == 0 || n == 0) return null;
        var all = Ranks.Mid(scores, _ => true);
        var withinAi = Ranks.Mid(scores, i => isAi[i]);
        var withinHuman = Ranks.Mid(scores, i => !isAi[i]);

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        int ClusterOf(int i) => clusters is null ? i : index.TryGetValue(clusters[i], out int c) ? c : index[clusters[i]] = index.Count;
        var clusterOf = Enumerable.Range(0, scores.Count).Select(ClusterOf).ToArray();
        int count = clusters is null ? scores.Count : index.Count;
        var aiSum = new double[count]; var humanSum = new double[count];
        var aiClips = new int[count]; var humanClips = new int[count];
        for (int i = 0; i < scores.Count; i++)
        {
            int c = clusterOf[i];
            if (isAi[i]) { aiSum[c] += (all[i] - withinAi[i]) / n; aiClips[c]++; }
            else { humanSum[c] += 1 - (all[i] - withinHuman[i]) / m; humanClips[c]++; }
        }
        int aiClusters = aiClips.Count(k => k > 0), humanClusters = humanClips.Count(k => k > 0);
        if (aiClusters < 2 || humanClusters < 2) return null;
        double auc = aiSum.Sum() / m; // the mean placement of the AI clips is the Mann–Whitney AUC
        for (int c = 0; c < count; c++)
        {
            aiSum[c] -= aiClips[c] * auc;
            humanSum[c] -= humanClips[c] * auc;
        }
        return new PlacementSums
        {
            _ai = aiSum, _human = humanSum, _aiClips = m, _humanClips = n,
            Auc = auc, AiClusters = aiClusters, HumanClusters = humanClusters,
        };
    }

    /// <summary>Covariance of this scoring's AUC with <paramref name="other"/>'s, over the same clips and clusters (the variance when the same).</summary>
    public double Covariance(PlacementSums other)
    {
        double s10 = 0, s01 = 0, s11 = 0, s11Other = 0;
        for (int c = 0; c < _ai.Length; c++)
        {
            s10 += _ai[c] * other._ai[c];
            s01 += _human[c] * other._human[c];
            s11 += _ai[c] * other._human[c];
            s11Other += other._ai[c] * _human[c];
        }
        double m = _aiClips, n = _humanClips;
        s10 *= AiClusters / ((AiClusters - 1.0) * m);
        s01 *= HumanClusters / ((HumanClusters - 1.0) * n);
        double scale = _ai.Length / (_ai.Length - 1.0);
        return s10 / m + s01 / n + scale * (s11 + s11Other) / (m * n);
    }
}

/// <summary>Midranks (ties share the mean of their ranks), the basis of the Mann–Whitney AUC and of its variance.</summary>
internal static class Ranks
{
    /// <summary>1-based midranks of the scores <paramref name="include"/> selects, among themselves; 0 for the others.</summary>
    public static double[] Mid(IReadOnlyList<double> scores, Func<int, bool> include)
    {
        var order = Enumerable.Range(0, scores.Count).Where(include).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Count];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]]) j++;
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = rank;
            i = j + 1;
        }
        return ranks;
    }
}

/// <summary>One band of probabilities in a reliability table.</summary>
/// <param name="FromProbability">Lower edge (inclusive).</param>
/// <param name="ToProbability">Upper edge (exclusive, but 1 is in the last band).</param>
/// <param name="Clips">Clips whose probability lies in the band.</param>
/// <param name="AiClips">Of those, the AI clips.</param>
/// <param name="MeanProbabilityAi">Their mean probability, each class weighed equally.</param>
/// <param name="AiShare">The share of them that is AI, each class weighed equally: what the probability claims to be.</param>
public sealed record ReliabilityBin(double FromProbability, double ToProbability, int Clips, int AiClips, double MeanProbabilityAi, double AiShare);

/// <summary>
/// Whether probabilities mean what they say — of clips given 0.9, nine in ten AI — measured on scores the model did not
/// train on. Each class is weighed equally, as the calibration was fitted (<see cref="LogisticRegression.Calibrate"/>): with this
/// corpus's 111 AI and 84 human clips, raw shares would read the class ratio into every band.
/// </summary>
/// <param name="Bins">The reliability table, bands of equal width; empty bands are left out.</param>
/// <param name="BrierScore">Mean squared difference between probability and label, each class weighed equally (0 perfect, 0.25 for a constant 0.5).</param>
/// <param name="ExpectedCalibrationError">Mean |AI share − mean probability| over the bands, each band weighed by its share of the clips (each class weighed equally).</param>
public sealed record CalibrationCheck(IReadOnlyList<ReliabilityBin> Bins, double BrierScore, double ExpectedCalibrationError)
{
    /// <summary>
    /// Checks <paramref name="probabilities"/> against <paramref name="isAi"/> in <paramref name="bands"/> bands of equal
    /// width; null unless both classes are present.
    /// </summary>
    public static CalibrationCheck? Compute(IReadOnlyList<double> probabilities, IReadOnlyList<bool> isAi, int bands = 10)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(isAi);
        if (probabilities.Count != isAi.Count) throw new ArgumentException("one label per probability", nameof(isAi));
        ArgumentOutOfRangeException.ThrowIfLessThan(bands, 1);
        int ai = isAi.Count(a => a), human = isAi.Count - ai;
        if (ai == 0 || human == 0) return null;
        double Weight(int i) => isAi[i] ? 0.5 / ai : 0.5 / human; // each class sums to one half
        var weight = new double[bands];
        var probabilitySum = new double[bands];
        var aiWeight = new double[bands];
        var clips = new int[bands];
        var aiClips = new int[bands];
        double brier = 0;
        for (int i = 0; i < probabilities.Count; i++)
        {
            double p = Math.Clamp(probabilities[i], 0, 1), w = Weight(i);
            int band = Math.Min(bands - 1, (int)(p * bands));
            weight[band] += w;
            probabilitySum[band] += w * p;
            clips[band]++;
            if (isAi[i]) { aiWeight[band] += w; aiClips[band]++; }
            double error = p - (isAi[i] ? 1 : 0);
            brier += w * error * error;
        }
        var bins = new List<ReliabilityBin>();
        double calibrationError = 0;
        for (int b = 0; b < bands; b++)
        {
            if (clips[b] == 0) continue;
            double meanProbability = probabilitySum[b] / weight[b], share = aiWeight[b] / weight[b];
            bins.Add(new ReliabilityBin((double)b / bands, (double)(b + 1) / bands, clips[b], aiClips[b], meanProbability, share));
            calibrationError += weight[b] * Math.Abs(share - meanProbability);
        }
        return new CalibrationCheck(bins, brier, calibrationError);
    }
}
