using Discern.Audio;
using Discern.Evaluation;

namespace Discern.Tests;

public class SectionLocatorTests
{
    /// <summary>Segments as the detector makes them: 4.5 s long, 2.25 s apart.</summary>
    private static List<SegmentScore> Segments(double totalSeconds, Func<double, double> probabilityAt, int seed = 1)
    {
        var rng = new Random(seed);
        var list = new List<SegmentScore>();
        for (double t = 0; t + 4.5 <= totalSeconds; t += 2.25)
        {
            // A segment's score is that of the audio it covers, plus noise.
            double mean = Enumerable.Range(0, 45).Average(k => probabilityAt(t + k * 0.1));
            list.Add(new SegmentScore(t, t + 4.5, Math.Clamp(mean + (rng.NextDouble() - 0.5) * 0.1, 0, 1)));
        }
        return list;
    }

    [Fact]
    public void An_ai_section_inside_a_human_track_is_found_within_a_segment_hop()
    {
        var segments = Segments(60, t => t is >= 20 and < 35 ? 0.8 : 0.3);
        var found = SectionLocator.Locate(segments, findAi: true);
        Assert.NotNull(found);
        Assert.InRange(found.StartSeconds, 20 - 2.25, 20 + 2.25);
        Assert.InRange(found.EndSeconds, 35 - 2.25, 35 + 2.25);
        Assert.True(found.ProbabilityInside > found.ProbabilityOutside);
    }

    [Fact]
    public void A_human_section_inside_an_ai_track_is_found_looking_for_the_low_stretch()
    {
        var segments = Segments(40, t => t is >= 5 and < 15 ? 0.2 : 0.7);
        var found = SectionLocator.Locate(segments, findAi: false);
        Assert.NotNull(found);
        Assert.InRange(found.StartSeconds, 0, 5 + 2.25);
        Assert.InRange(found.EndSeconds, 15 - 2.25, 15 + 2.25);
        Assert.True(found.ProbabilityInside < found.ProbabilityOutside);
    }

    [Fact]
    public void Nothing_stands_out_in_uniform_scores_or_too_few_segments()
    {
        var flat = Enumerable.Range(0, 10).Select(i => new SegmentScore(i * 2.25, i * 2.25 + 4.5, 0.5)).ToList();
        Assert.Null(SectionLocator.Locate(flat, findAi: true));
        Assert.Null(SectionLocator.Locate([new SegmentScore(0, 4.5, 0.9)], findAi: true));
        Assert.Null(SectionLocator.Locate([new SegmentScore(0, 4.5, null), new SegmentScore(2.25, 6.75, null)], findAi: true));
    }
}

public sealed class SplicingTests : IDisposable
{
    private const int Rate = 22050;
    private readonly string _dir = Directory.CreateTempSubdirectory("discern-splice-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ManifestEntry Clip(string name, float[] samples, int rate, bool ai, string source)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, Signals.Wav(samples, rate, 1));
        return new ManifestEntry(path, name, ai, source, ai ? "test-generator" : "human");
    }

    [Fact]
    public async Task A_spliced_track_holds_the_insert_exactly_where_the_case_says()
    {
        // Host a 440 Hz tone, insert a 1 kHz tone at another rate: the splice must resample both alike and put the insert at 6–10 s.
        var host = Clip("host.wav", Signals.Sine(440, Rate, Rate * 12), Rate, ai: false, "h");
        var insert = Clip("insert.wav", Signals.Sine(1000, 16000, 16000 * 5), 16000, ai: true, "a");
        var splice = new SpliceCase(host, insert, InsertAtSeconds: 6, InsertSeconds: 4, HostSeconds: 12);
        var ffmpeg = new FfmpegDecoder();
        Assert.True(ffmpeg.IsAvailable, "ffmpeg is needed (bash scripts/setup.sh installs it)");
        var path = await Splicing.BuildAsync(splice, ffmpeg);
        try
        {
            var opened = AudioDecoders.CreateDefault().Open(File.OpenRead(path));
            using var source = opened.Source;
            Assert.Equal(44100, source.SampleRateHz);
            Assert.Equal(2, source.Channels);
            var samples = Signals.DecodeAll(source);
            Assert.Equal(16 * 44100, samples.Length / 2, 441.0);
            // Zero crossings per second of the left channel: 880 for the host's tone, 2000 for the insert's.
            double Crossings(double from, double to)
            {
                int a = (int)(from * 44100), b = (int)(to * 44100), n = 0;
                for (int i = a + 1; i < b; i++) if (samples[2 * i] >= 0 != samples[2 * (i - 1)] >= 0) n++;
                return n / (to - from);
            }
            Assert.Equal(880, Crossings(1, 5.5), 20.0);
            Assert.Equal(2000, Crossings(6.5, 9.5), 20.0);
            Assert.Equal(880, Crossings(10.5, 15.5), 20.0);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Plans_are_repeatable_balanced_and_use_long_enough_clips_of_the_other_class()
    {
        var input = new InputFacts("wav", "pcm", "test", Rate, 1, 20, 11000, null);
        MeasuredEntry Entry(string name, bool ai, string source, double seconds) =>
            new(new ManifestEntry(name, name, ai, source, ""), new Features.Measurement { Input = input with { DurationSeconds = seconds } }, null);
        var measured = new[]
        {
            Entry("h1", false, "hs", 20), Entry("h2", false, "hs", 5), Entry("a1", true, "as", 20), Entry("a2", true, "bs", 9), Entry("a3", true, "bs", 6),
        };
        var options = SpliceOptions.Default with { CasesPerDirection = 30 };
        var plan = Splicing.Plan(measured, options);
        Assert.Equal(plan, Splicing.Plan(measured, options));
        Assert.Equal(60, plan.Count);
        Assert.All(plan, c =>
        {
            Assert.NotEqual(c.Host.IsAi, c.Insert.IsAi);
            Assert.DoesNotContain(c.Host.RelativePath, new[] { "h2", "a2", "a3" }); // hosts need 19 s
            Assert.NotEqual("a3", c.Insert.RelativePath); // inserts need 8 s
            Assert.InRange(c.InsertAtSeconds, 2, c.HostSeconds - 2);
        });
        // Both AI sources are inserted, though one has a single usable clip.
        Assert.Equal(2, plan.Where(c => c.AiInserted).Select(c => c.Insert.Source).Distinct().Count());
    }

    [Fact]
    public void Chance_error_is_the_mean_error_of_a_uniformly_placed_guess()
    {
        var entry = new ManifestEntry("x", "x", false, "s", "");
        var splice = new SpliceCase(entry, entry with { IsAi = true }, InsertAtSeconds: 3, InsertSeconds: 8, HostSeconds: 19);
        // Brute force: starts spread evenly over [0, 19].
        double brute = Enumerable.Range(0, 19001).Average(k => Math.Abs(k / 1000.0 - 3));
        Assert.Equal(brute, Splicing.ChanceBoundaryError(splice), 3);
        var perfect = new SpliceResult(splice, new Section(3, 11, 0.9, 0.2), null);
        Assert.Equal(0, perfect.BoundaryErrorSeconds, 9);
        Assert.Equal(1, perfect.Overlap, 9);
        var none = new SpliceResult(splice, null, null); // nothing found counts as the whole track
        Assert.Equal(0.5 * (3 + 16), none.BoundaryErrorSeconds, 9);
    }
}
