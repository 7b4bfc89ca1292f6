namespace Discern.Model;

/// <summary>
/// Weighted L2-regularised logistic regression fitted by Newton's method (IRLS). Chosen over ML.NET's SDCA
/// trainers because with a handful of features Newton converges exactly in a few steps, the result does not
/// depend on thread scheduling or shuffling (the model file is the same bytes twice), and every weight can be read.
/// </summary>
public static class LogisticRegression
{
    /// <summary>Fitted weights on standardised features.</summary>
    /// <param name="Weights">One per feature.</param>
    /// <param name="Bias">Intercept.</param>
    public sealed record Fit(double[] Weights, double Bias);

    /// <summary>Fits <paramref name="x"/> (rows of standardised features) to <paramref name="y"/> (0/1) with example weights <paramref name="w"/>.</summary>
    /// <param name="x">Rows of features.</param>
    /// <param name="y">Labels, 0 or 1.</param>
    /// <param name="w">Example weights (positive).</param>
    /// <param name="l2">Penalty on the weights (not the bias), in units of total example weight.</param>
    /// <param name="iterations">Newton steps at most.</param>
    public static Fit Train(IReadOnlyList<double[]> x, IReadOnlyList<int> y, IReadOnlyList<double> w, double l2 = 1.0, int iterations = 50)
    {
        int n = x.Count;
        if (n == 0) throw new ArgumentException("no training examples", nameof(x));
        int d = x[0].Length;
        int p = d + 1;
        var beta = new double[p]; // [bias, w1..wd]
        double totalWeight = w.Sum();
        for (int iter = 0; iter < iterations; iter++)
        {
            var gradient = new double[p];
            var hessian = new double[p, p];
            for (int i = 0; i < n; i++)
            {
                double z = beta[0];
                for (int j = 0; j < d; j++) z += beta[j + 1] * x[i][j];
                double prob = Sigmoid(z);
                double r = (prob - y[i]) * w[i];
                double s = Math.Max(prob * (1 - prob), 1e-9) * w[i];
                gradient[0] += r;
                for (int j = 0; j < d; j++) gradient[j + 1] += r * x[i][j];
                for (int a = 0; a < p; a++)
                {
                    double xa = a == 0 ? 1 : x[i][a - 1];
                    for (int b = a; b < p; b++) hessian[a, b] += s * xa * (b == 0 ? 1 : x[i][b - 1]);
                }
            }
            for (int a = 0; a < p; a++) for (int b = 0; b < a; b++) hessian[a, b] = hessian[b, a];
            for (int j = 1; j < p; j++)
            {
                gradient[j] += l2 * totalWeight / n * beta[j];
                hessian[j, j] += l2 * totalWeight / n;
            }
            hessian[0, 0] += 1e-9;
            var step = Solve(hessian, gradient);
            double change = 0;
            for (int j = 0; j < p; j++) { beta[j] -= step[j]; change = Math.Max(change, Math.Abs(step[j])); }
            if (change < 1e-10) break;
        }
        return new Fit(beta[1..], beta[0]);
    }

    /// <summary>
    /// Platt scaling: fits p = σ(a·score + b) to labels, with Platt's target smoothing against overconfidence.
    /// The slope is kept ≥ 0: a calibration may say "these scores carry no information" (a = 0), never reverse them;
    /// a negative slope on held-out scores is the known leave-one-out artefact of weak features, not a signal.
    /// Classes are weighted equally, so the probability is stated for equal priors: otherwise the share of AI clips in
    /// the training data (and, in leave-one-out, the share left after holding some out) would shift every answer.
    /// <paramref name="weights"/>, when given, replace those class weights (each class should sum to half the total).
    /// </summary>
    public static (double A, double B) Calibrate(IReadOnlyList<double> scores, IReadOnlyList<int> labels, IReadOnlyList<double>? weights = null)
    {
        int positives = labels.Count(l => l == 1), negatives = labels.Count - positives;
        double hi = (positives + 1.0) / (positives + 2.0), lo = 1.0 / (negatives + 2.0);
        double wPos = positives == 0 ? 0 : labels.Count / (2.0 * positives), wNeg = negatives == 0 ? 0 : labels.Count / (2.0 * negatives);
        double Weight(int i) => weights is not null ? weights[i] : labels[i] == 1 ? wPos : wNeg;
        // Newton's method with a backtracking line search on the smoothed log-loss (Lin, Lin & Weng, "A note on Platt's
        // probabilistic outputs", 2007): a plain Newton step can overshoot to absurd slopes when held-out scores are
        // nearly separable.
        double Loss(double sa, double sb)
        {
            double total = 0;
            for (int i = 0; i < scores.Count; i++)
            {
                double t = labels[i] == 1 ? hi : lo, w = Weight(i), z = sa * scores[i] + sb;
                // −[t·log σ(z) + (1−t)·log(1−σ(z))], written to stay finite for large |z|.
                total += w * (z >= 0 ? t * double.LogP1(Math.Exp(-z)) + (1 - t) * (z + double.LogP1(Math.Exp(-z)))
                                     : t * (-z + double.LogP1(Math.Exp(z))) + (1 - t) * double.LogP1(Math.Exp(z)));
            }
            return total;
        }
        double a = 0, b = 0, loss = Loss(a, b);
        for (int iter = 0; iter < 100; iter++)
        {
            double ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
            for (int i = 0; i < scores.Count; i++)
            {
                double t = labels[i] == 1 ? hi : lo;
                double w = Weight(i);
                double prob = Sigmoid(a * scores[i] + b);
                double r = (prob - t) * w, s = Math.Max(prob * (1 - prob), 1e-12) * w;
                ga += r * scores[i]; gb += r;
                haa += s * scores[i] * scores[i]; hab += s * scores[i]; hbb += s;
            }
            if (Math.Abs(ga) + Math.Abs(gb) < 1e-9) break;
            double det = haa * hbb - hab * hab;
            if (Math.Abs(det) < 1e-18) break;
            double da = -(hbb * ga - hab * gb) / det, db = -(haa * gb - hab * ga) / det;
            double step = 1, next = double.PositiveInfinity;
            for (; step >= 1e-10; step /= 2)
            {
                next = Loss(a + step * da, b + step * db);
                if (next < loss + 1e-4 * step * (ga * da + gb * db)) break;
            }
            if (step < 1e-10) break;
            a += step * da; b += step * db;
            if (loss - next < 1e-12 * Math.Max(1, loss)) { loss = next; break; }
            loss = next;
        }
        return a >= 0 ? (a, b) : (0, 0); // no information: even odds
    }

    /// <summary>The logistic function, safe for large |z|.</summary>
    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    private static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++) if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col])) pivot = r;
            if (pivot != col)
            {
                for (int c = 0; c < n; c++) (m[col, c], m[pivot, c]) = (m[pivot, c], m[col, c]);
                (x[col], x[pivot]) = (x[pivot], x[col]);
            }
            double diag = m[col, col];
            if (Math.Abs(diag) < 1e-15) continue;
            for (int r = col + 1; r < n; r++)
            {
                double f = m[r, col] / diag;
                if (f == 0) continue;
                for (int c = col; c < n; c++) m[r, c] -= f * m[col, c];
                x[r] -= f * x[col];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double sum = x[r];
            for (int c = r + 1; c < n; c++) sum -= m[r, c] * x[c];
            x[r] = Math.Abs(m[r, r]) < 1e-15 ? 0 : sum / m[r, r];
        }
        return x;
    }
}
