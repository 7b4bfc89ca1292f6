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
    /// <summary>Computes the figures; <paramref name="calledAi"/> is each clip's decision at its threshold.</summary>
    public static DetectionMetrics Compute(IReadOnlyList<double> probabilities, IReadOnlyList<bool> isAi, IReadOnlyList<bool> calledAi)
    {
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
            tprAt1, tp, fn, tn, fp);
    }

    /// <summary>Mann–Whitney AUC with ties counted as half.</summary>
    public static double AreaUnderCurve(IReadOnlyList<double> scores, IReadOnlyList<bool> isAi)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Count];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]]) j++;
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = rank;
            i = j + 1;
        }
        double pos = isAi.Count(a => a), neg = isAi.Count - pos;
        double sum = 0;
        for (int i = 0; i < ranks.Length; i++) if (isAi[i]) sum += ranks[i];
        return (sum - pos * (pos + 1) / 2) / (pos * neg);
    }

    /// <summary>Highest TPR over thresholds whose FPR is at most <paramref name="maxFpr"/>.</summary>
    public static double TprAtFpr(IReadOnlyList<double> scores, IReadOnlyList<bool> isAi, double maxFpr)
    {
        double pos = isAi.Count(a => a), neg = isAi.Count - pos;
        var thresholds = scores.Distinct().OrderDescending();
        double best = 0;
        foreach (var t in thresholds)
        {
            int fp = 0, tp = 0;
            for (int i = 0; i < scores.Count; i++) if (scores[i] >= t) { if (isAi[i]) tp++; else fp++; }
            if (fp / neg <= maxFpr) best = Math.Max(best, tp / pos);
        }
        return best;
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
