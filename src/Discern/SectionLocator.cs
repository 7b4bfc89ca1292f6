namespace Discern;

/// <summary>A stretch of the audio that stands out from the rest.</summary>
/// <param name="StartSeconds">Where it begins.</param>
/// <param name="EndSeconds">Where it ends.</param>
/// <param name="ProbabilityInside">Mean per-segment probability of AI inside the stretch.</param>
/// <param name="ProbabilityOutside">Mean per-segment probability of AI in the rest of the audio.</param>
public sealed record Section(double StartSeconds, double EndSeconds, double ProbabilityInside, double ProbabilityOutside);

/// <summary>
/// Finds the one stretch of a track whose per-segment scores differ most from the rest: an AI section spliced into a
/// human song, or a human one into a generated track. Segments overlap (4.5 s long, 2.2 s apart by default), so
/// the scores are first spread onto a fine time grid, each instant taking the mean of the segments that cover it; the
/// stretch is then the contiguous run of instants with the largest summed excess over the track's mean
/// (Kadane's maximum-sum subarray), which needs no threshold and finds a section of any length.
/// </summary>
public static class SectionLocator
{
    /// <summary>
    /// The stretch most likely AI (<paramref name="findAi"/> true) or most likely human (false) in
    /// <paramref name="segments"/>; null with fewer than two scored segments, or when every instant scores alike.
    /// </summary>
    /// <param name="segments">Per-segment scores of one input, as in <see cref="Verdict.Segments"/>.</param>
    /// <param name="findAi">Look for the stretch that scores higher than the rest (true) or lower (false).</param>
    /// <param name="stepSeconds">Time grid; a tenth of a segment hop or finer keeps the rounding below the segments' own resolution.</param>
    public static Section? Locate(IReadOnlyList<SegmentScore> segments, bool findAi, double stepSeconds = 0.1)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSeconds);
        var scored = segments.Where(s => s.ProbabilityAi is not null && s.EndSeconds > s.StartSeconds).ToList();
        if (scored.Count < 2) return null;
        double start = scored.Min(s => s.StartSeconds), end = scored.Max(s => s.EndSeconds);
        int steps = Math.Max(1, (int)Math.Ceiling((end - start) / stepSeconds));
        // Each segment adds its score to the grid points it covers: difference arrays make that linear in the
        // track's length (a two-hour track has 72,000 points and 3,200 segments).
        var sumChange = new double[steps + 1];
        var countChange = new int[steps + 1];
        foreach (var s in scored)
        {
            // Grid point k sits at start + (k + 0.5) · step; it is covered when StartSeconds ≤ t < EndSeconds.
            int first = Math.Clamp((int)Math.Ceiling((s.StartSeconds - start) / stepSeconds - 0.5), 0, steps);
            int last = Math.Clamp((int)Math.Ceiling((s.EndSeconds - start) / stepSeconds - 0.5), 0, steps);
            sumChange[first] += s.ProbabilityAi!.Value;
            sumChange[last] -= s.ProbabilityAi!.Value;
            countChange[first]++;
            countChange[last]--;
        }
        var curve = new double[steps];
        var covered = new bool[steps];
        double runningSum = 0;
        int runningCount = 0;
        for (int k = 0; k < steps; k++)
        {
            runningSum += sumChange[k];
            runningCount += countChange[k];
            covered[k] = runningCount > 0;
            curve[k] = covered[k] ? runningSum / runningCount : double.NaN;
        }
        double mean = curve.Where(double.IsFinite).DefaultIfEmpty(0).Average();
        double sign = findAi ? 1 : -1;

        double best = 0, running = 0;
        int bestFrom = -1, bestTo = -1, from = 0;
        for (int k = 0; k < steps; k++)
        {
            double gain = covered[k] ? sign * (curve[k] - mean) : 0;
            if (running <= 0) { running = gain; from = k; }
            else running += gain;
            if (running > best) { best = running; bestFrom = from; bestTo = k; }
        }
        if (bestFrom < 0 || bestTo - bestFrom + 1 == steps) return null;
        double inside = 0, outside = 0;
        int nIn = 0, nOut = 0;
        for (int k = 0; k < steps; k++)
        {
            if (!covered[k]) continue;
            if (k >= bestFrom && k <= bestTo) { inside += curve[k]; nIn++; }
            else { outside += curve[k]; nOut++; }
        }
        return new Section(start + bestFrom * stepSeconds, Math.Min(end, start + (bestTo + 1) * stepSeconds),
            nIn > 0 ? inside / nIn : mean, nOut > 0 ? outside / nOut : mean);
    }
}
