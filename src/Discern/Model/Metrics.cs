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
