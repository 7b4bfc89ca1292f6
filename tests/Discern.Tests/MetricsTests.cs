using Discern.Model;
using Xunit;

namespace Discern.Tests;

public class MetricsTests
{
    /// <summary>Scores with ties inside and across classes, as calibrated probabilities have.</summary>
    private static (double[] Scores, bool[] IsAi) Sample(int seed, int ai, int human)
    {
        var random = new Random(seed);
        var scores = Enumerable.Range(0, ai + human).Select(i => Math.Round(random.NextDouble() + (i < ai ? 0.4 : 0), 1)).ToArray();
        return (scores, [.. Enumerable.Range(0, ai + human).Select(i => i < ai)]);
    }

    /// <summary>DeLong's variance written out from its definition: every AI clip against every human clip.</summary>
    private static double DeLongVarianceByPairs(double[] scores, bool[] isAi)
    {
        var ai = scores.Where((_, i) => isAi[i]).ToArray();
        var human = scores.Where((_, i) => !isAi[i]).ToArray();
        static double Kernel(double x, double y) => x > y ? 1 : x == y ? 0.5 : 0;
        var v10 = ai.Select(x => human.Average(y => Kernel(x, y))).ToArray();
        var v01 = human.Select(y => ai.Average(x => Kernel(x, y))).ToArray();
        double auc = v10.Average();
        double s10 = v10.Sum(v => (v - auc) * (v - auc)) / (ai.Length - 1);
        double s01 = v01.Sum(v => (v - auc) * (v - auc)) / (human.Length - 1);
        return s10 / ai.Length + s01 / human.Length;
    }

    [Theory]
    [InlineData(1, 30, 20)]
    [InlineData(2, 7, 40)]
    [InlineData(3, 3, 3)]
    public void The_interval_of_independent_clips_is_DeLongs(int seed, int ai, int human)
    {
        var (scores, isAi) = Sample(seed, ai, human);

        var interval = AucInterval.Compute(scores, isAi)!;

        double auc = DetectionMetrics.AreaUnderCurve(scores, isAi);
        Assert.Equal(Math.Sqrt(DeLongVarianceByPairs(scores, isAi)), interval.StandardError, 12);
        Assert.Equal(Math.Max(0, auc - 1.959964 * interval.StandardError), interval.Lower, 5);
        Assert.Equal(Math.Min(1, auc + 1.959964 * interval.StandardError), interval.Upper, 5);
        Assert.Equal((ai, human), (interval.AiClusters, interval.HumanClusters));
    }

    [Fact]
    public void Copies_of_a_clip_in_its_own_cluster_add_no_precision()
    {
        var (scores, isAi) = Sample(4, 25, 25);
        double[] copied = [.. scores.SelectMany(s => Enumerable.Repeat(s, 4))];
        bool[] copiedIsAi = [.. isAi.SelectMany(a => Enumerable.Repeat(a, 4))];
        string[] original = [.. Enumerable.Range(0, scores.Length).SelectMany(i => Enumerable.Repeat($"clip{i}", 4))];

        var once = AucInterval.Compute(scores, isAi)!;
        var clustered = AucInterval.Compute(copied, copiedIsAi, original)!;
        var counted = AucInterval.Compute(copied, copiedIsAi)!;

        // Four copies counted as independent clips would claim twice the precision; clustered, they claim none more.
        Assert.Equal(once.StandardError, clustered.StandardError, 12);
        Assert.True(counted.StandardError < 0.6 * once.StandardError, $"{counted.StandardError} against {once.StandardError}");
    }

    [Fact]
    public void A_source_of_alike_clips_widens_the_interval_as_one_sample_would()
    {
        // Three AI sources: two well apart from the human clips, one that overlaps them. Each source's clips are alike.
        var random = new Random(5);
        var scores = new List<double>(); var isAi = new List<bool>(); var source = new List<string>();
        void Add(string name, bool ai, double centre)
        {
            for (int i = 0; i < 10; i++) { scores.Add(centre + 0.05 * random.NextDouble()); isAi.Add(ai); source.Add(name); }
        }
        Add("a", true, 0.9); Add("b", true, 0.8); Add("c", true, 0.3);
        Add("h1", false, 0.2); Add("h2", false, 0.35); Add("h3", false, 0.1);

        var byClip = AucInterval.Compute(scores, isAi)!;
        var bySource = AucInterval.Compute(scores, isAi, source)!;

        Assert.True(bySource.StandardError > 2 * byClip.StandardError, $"{bySource.StandardError} against {byClip.StandardError}");
        Assert.Equal((3, 3), (bySource.AiClusters, bySource.HumanClusters));
    }

    [Fact]
    public void No_interval_without_two_clusters_of_each_class()
    {
        Assert.Null(AucInterval.Compute([0.9, 0.8, 0.1], [true, true, false]));
        Assert.Null(AucInterval.Compute([0.9, 0.8, 0.1, 0.2], [true, true, false, false], ["a", "a", "h", "k"]));
        Assert.Null(DetectionMetrics.Compute([0.9, 0.8], [true, true], [true, true]).AucConfidence);

        var perfect = AucInterval.Compute([0.9, 0.8, 0.1, 0.2], [true, true, false, false])!;
        Assert.Equal((0.0, 1.0, 1.0), (perfect.StandardError, perfect.Lower, perfect.Upper));
    }

    [Fact]
    public void Tpr_at_fpr_sweeps_thresholds_as_counting_at_each_would()
    {
        var (scores, isAi) = Sample(6, 60, 140);
        static double ByCounting(double[] scores, bool[] isAi, double maxFpr)
        {
            double pos = isAi.Count(a => a), neg = isAi.Length - pos, best = 0;
            foreach (var t in scores.Distinct())
            {
                double tp = scores.Where((s, i) => s >= t && isAi[i]).Count(), fp = scores.Where((s, i) => s >= t && !isAi[i]).Count();
                if (fp / neg <= maxFpr) best = Math.Max(best, tp / pos);
            }
            return best;
        }

        foreach (var maxFpr in new[] { 0.0, 0.01, 0.05, 0.2, 1.0 })
            Assert.Equal(ByCounting(scores, isAi, maxFpr), DetectionMetrics.TprAtFpr(scores, isAi, maxFpr), 12);
    }

    [Fact]
    public void A_comparison_of_two_scorings_of_the_same_clips_uses_their_covariance()
    {
        var (scores, isAi) = Sample(7, 40, 30);
        var random = new Random(8);
        double[] other = [.. scores.Select(s => s + 0.3 * random.NextDouble())];

        var comparison = AucComparison.Compute(scores, other, isAi)!;

        // DeLong's paired variance from its definition: Var(A) + Var(B) − 2 Cov(A, B), the covariance from the placements.
        static (double[] V10, double[] V01) Placements(double[] s, bool[] isAi)
        {
            var ai = s.Where((_, i) => isAi[i]).ToArray(); var human = s.Where((_, i) => !isAi[i]).ToArray();
            static double Kernel(double x, double y) => x > y ? 1 : x == y ? 0.5 : 0;
            return ([.. ai.Select(x => human.Average(y => Kernel(x, y)))], [.. human.Select(y => ai.Average(x => Kernel(x, y)))]);
        }
        var (a10, a01) = Placements(scores, isAi);
        var (b10, b01) = Placements(other, isAi);
        static double Cov(double[] x, double[] y) { double mx = x.Average(), my = y.Average(); return x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my)) / (x.Length - 1); }
        double variance = (Cov(a10, a10) + Cov(b10, b10) - 2 * Cov(a10, b10)) / 40 + (Cov(a01, a01) + Cov(b01, b01) - 2 * Cov(a01, b01)) / 30;
        Assert.Equal(Math.Sqrt(variance), comparison.StandardError, 12);
        Assert.Equal(DetectionMetrics.AreaUnderCurve(other, isAi) - DetectionMetrics.AreaUnderCurve(scores, isAi), comparison.Difference, 12);
        Assert.InRange(comparison.Difference, comparison.Lower, comparison.Upper);

        // A scoring that ranks the clips alike (any increasing function of the first) differs by nothing, with no doubt.
        var same = AucComparison.Compute(scores, [.. scores.Select(s => Math.Exp(3 * s))], isAi)!;
        Assert.Equal((0.0, 0.0), (same.Difference, same.StandardError));
    }
}
