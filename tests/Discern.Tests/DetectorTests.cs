using Discern.Evaluation;
using Discern.Features;
using Discern.Model;

namespace Discern.Tests;

public class DetectorTests
{
    private static readonly Detector Detector = Detector.Load();

    private static Task<Verdict> Analyze(byte[] bytes, AnalysisOptions? options = null) => Detector.AnalyzeAsync(new MemoryStream(bytes), options);

    [Fact]
    public async Task Music_gets_a_probability_segments_and_its_input_facts()
    {
        var music = Signals.MusicLike(44100, 15, seed: 2);
        var v = await Analyze(Signals.Wav(Signals.Interleave(music, music), 44100, 2));
        Assert.NotNull(v.ProbabilityAi);
        Assert.InRange(v.ProbabilityAi!.Value, 0, 1);
        if (v.Label == VerdictLabel.Uncertain) Assert.NotEmpty(v.Reasons); // an uncertain verdict always says why
        Assert.Equal(44100, v.Input.SampleRateHz);
        Assert.Equal(2, v.Input.Channels);
        Assert.Equal(15, v.Input.DurationSeconds, 0.01);
        Assert.True(v.Segments.Count >= 3, $"{v.Segments.Count} segments");
        Assert.Equal(Detector.Model.ModelId, v.Model.ModelId);
        Assert.Equal(FeatureConfig.Default.Id, v.Model.FeatureConfigId);
        Assert.Equal(FeatureExtractor.FeatureNames.Count, v.Features.Count);
    }

    [Fact]
    public async Task Silence_is_uncertain_with_a_reason()
    {
        var v = await Analyze(Signals.Wav(new float[44100 * 10], 44100, 1));
        Assert.Equal(VerdictLabel.Uncertain, v.Label);
        Assert.Null(v.ProbabilityAi);
        Assert.Contains(v.Reasons, r => r.Code == Reason.SilentCode && r.Message.Contains("silent", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(0.1)] // shorter than one analysis frame: too short, not "silent"
    public async Task Too_short_is_uncertain_with_a_reason(double seconds)
    {
        var v = await Analyze(Signals.Wav(Signals.MusicLike(44100, seconds, 4), 44100, 1));
        Assert.Equal(VerdictLabel.Uncertain, v.Label);
        var reason = Assert.Single(v.Reasons);
        Assert.Equal(Reason.TooShortCode, reason.Code);
        Assert.Contains("too short", reason.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(32000)]
    [InlineData(44100)]
    [InlineData(48000)]
    public async Task Six_seconds_hold_a_segment_at_every_common_rate(int rate)
    {
        // The corpus's diffusion clips last 6 s; with 0.51 s frames at 32 kHz they held no whole segment.
        var v = await Analyze(Signals.Wav(Signals.MusicLike(rate, 6, 4), rate, 1));
        Assert.DoesNotContain(v.Reasons, r => r.Code == Reason.TooShortCode);
        Assert.NotEmpty(v.Segments);
        Assert.InRange(v.Segments[0].EndSeconds - v.Segments[0].StartSeconds, 4.2, 4.7); // 24 half-overlapping frames
    }

    [Fact]
    public async Task Telephone_band_audio_is_uncertain_as_band_limited()
    {
        var v = await Analyze(Signals.Wav(Signals.MusicLike(8000, 12, 5), 8000, 1));
        Assert.Equal(VerdictLabel.Uncertain, v.Label);
        Assert.Contains(v.Reasons, r => r.Code == Reason.BandLimitedCode && r.Message.Contains("band-limited", StringComparison.OrdinalIgnoreCase) && double.Parse(r.Values["bandwidthHz"], System.Globalization.CultureInfo.InvariantCulture) <= 4001);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public async Task Mono_and_surround_are_accepted(int channels)
    {
        var music = Signals.MusicLike(48000, 8, 6);
        var v = await Analyze(Signals.Wav(Signals.Interleave(Enumerable.Repeat(music, channels).ToArray()), 48000, channels));
        Assert.Equal(channels, v.Input.Channels);
        Assert.NotNull(v.ProbabilityAi);
    }

    [Fact]
    public async Task High_sample_rates_work()
    {
        var v = await Analyze(Signals.Wav(Signals.MusicLike(192000, 6, 7), 192000, 1));
        Assert.Equal(192000, v.Input.SampleRateHz);
        Assert.NotNull(v.ProbabilityAi);
    }

    [Fact]
    public async Task Limits_are_enforced()
    {
        var wav = Signals.Wav(Signals.MusicLike(44100, 10, 8), 44100, 1);
        await Assert.ThrowsAsync<InputLimitExceededException>(() => Analyze(wav, AnalysisOptions.Default with { MaxDurationSeconds = 5 }));
        await Assert.ThrowsAsync<InputLimitExceededException>(() => Analyze(wav, AnalysisOptions.Default with { MaxInputBytes = 1000 }));
        var six = Signals.Wav(Signals.Interleave(Enumerable.Repeat(Signals.MusicLike(44100, 1, 1), 6).ToArray()), 44100, 6);
        await Assert.ThrowsAsync<InputLimitExceededException>(() => Analyze(six, AnalysisOptions.Default with { MaxChannels = 2 }));
    }

    [Fact]
    public async Task Corrupt_bytes_after_a_valid_header_do_not_crash()
    {
        var flac = Signals.Encode(Signals.Wav(Signals.MusicLike(44100, 8, 9), 44100, 1), "flac", "-c:a", "flac");
        var rng = new Random(1);
        for (int i = 200; i < flac.Length; i += 97) flac[i] = (byte)rng.Next(256);
        var ex = await Record.ExceptionAsync(() => Analyze(flac));
        Assert.True(ex is null or DiscernException, $"unexpected {ex?.GetType().Name}: {ex?.Message}");
    }

    [Fact]
    public void A_model_for_another_feature_configuration_is_refused()
    {
        var model = Detector.Model with { FeatureConfigId = "fp0-other" };
        Assert.Throws<ModelFormatException>(() => new Detector(model));
    }

    [Fact]
    public void Features_far_outside_the_training_range_make_the_verdict_uncertain_and_say_which()
    {
        int d = FeatureExtractor.FeatureNames.Count;
        int weighed = Enumerable.Range(0, d).First(i => Detector.Model.Weights[i] > 0);
        var model = Detector.Model with { TrainingRanges = Enumerable.Repeat(new FeatureRange(0, 1), d).ToList() };
        var detector = new Detector(model);
        var input = new InputFacts("wav", "pcm_s16le", "test", 44100, 2, 20, 20000, null);
        var inside = Enumerable.Repeat(0.5, d).ToArray();
        var plain = detector.Decide(new Measurement { Input = input, Features = inside });
        Assert.DoesNotContain(plain.Reasons, r => r.Code == Reason.OutOfTrainingRangeCode);

        var outside = (double[])inside.Clone();
        outside[weighed] = 1.3; // beyond the range widened by a quarter of its width
        var v = detector.Decide(new Measurement { Input = input, Features = outside });
        Assert.Equal(VerdictLabel.Uncertain, v.Label);
        Assert.NotNull(v.ProbabilityAi); // the probability is still shown, with the reason not to trust it
        Assert.Contains(v.Reasons, r => r.Code == Reason.OutOfTrainingRangeCode && r.Values["feature"] == FeatureExtractor.FeatureNames[weighed] && r.Values["value"] == "1.3" && r.Message.Contains("not trusted"));

        // A feature the model does not weigh cannot move the probability, so it does not make the verdict uncertain.
        int unweighed = Enumerable.Range(0, d).First(i => Detector.Model.Weights[i] == 0);
        var ignored = (double[])inside.Clone();
        ignored[unweighed] = 100;
        Assert.Empty(model.OutOfRange(ignored));
        Assert.True(new FeatureRange(0, 1).Excludes(1.26, 0.25));
        Assert.False(new FeatureRange(0, 1).Excludes(1.24, 0.25));
    }

    [Fact]
    public void Band_limited_audio_is_never_called_ai_whatever_the_probability()
    {
        // A model that would call anything AI: only the bandwidth rule stands between a narrow-band recording and "ai".
        var model = Detector.Model with { AiThreshold = 0.001, HumanThreshold = 0.0005, TrainingRanges = [] };
        var detector = new Detector(model);
        var features = model.Mean.ToArray(); // the training clips' average: a probability well above 0.001
        Verdict Judge(double bandwidthHz) => detector.Decide(new Measurement
        {
            Input = new InputFacts("mp3", "mp3", "test", 44100, 2, 20, bandwidthHz, null),
            Features = features,
        });
        Assert.Equal(VerdictLabel.Ai, Judge(16000).Label);
        var narrow = Judge(8000);
        Assert.Equal(VerdictLabel.Uncertain, narrow.Label);
        Assert.Null(narrow.Generator);
        var reason = Assert.Single(narrow.Reasons, r => r.Code == Reason.NarrowBandForAiCode);
        Assert.Equal("8000", reason.Values["bandwidthHz"]);
        Assert.Equal("10000", reason.Values["minimumHz"]);
    }

    [Fact]
    public void A_decoder_grid_keeps_audio_the_model_would_call_human_from_being_cleared()
    {
        // A model that would call anything human: only the grid rule stands between decoded audio and "human".
        var model = Detector.Model with { AiThreshold = 0.9999, HumanThreshold = 0.9998, TrainingRanges = [] };
        var detector = new Detector(model);
        Verdict Judge(double gridScore) => detector.Decide(new Measurement
        {
            Input = new InputFacts("wav", "pcm_s16le", "test", 44100, 2, 20, 20000, null),
            Features = model.Mean.ToArray(),
            Grid = new Dsp.GridComb(44100.0 / 512, 44100, 512, gridScore),
        });
        var weak = Judge(Attribution.MinGridScore - 1);
        Assert.Equal(VerdictLabel.Human, weak.Label);
        Assert.False(weak.DecoderGridFound);
        var decoded = Judge(Attribution.MinGridScore + 2);
        Assert.Equal(VerdictLabel.Uncertain, decoded.Label);
        // The report says so itself, so the page and other readers need not repeat the threshold.
        Assert.True(decoded.DecoderGridFound);
        Assert.Contains("\"decoderGridFound\":true", System.Text.Json.JsonSerializer.Serialize(decoded, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));
        Assert.Null(decoded.Generator);
        var reason = Assert.Single(decoded.Reasons, r => r.Code == Reason.DecoderGridCode);
        Assert.Equal("86.13", reason.Values["spacingHz"]);
        Assert.Equal("44100", reason.Values["sampleRateHz"]);
        Assert.Equal("512", reason.Values["upsampling"]);
    }

    [Fact]
    public void Comb_rarity_interpolates_the_human_percentiles_the_model_records()
    {
        var model = Detector.Model with { HumanCombStrengthPercentiles = [0.1, 0.2, 0.4] };
        Assert.Equal(0, model.HumanShareBelow(0.05));
        Assert.Equal(0.25, model.HumanShareBelow(0.15)!.Value, 9);
        Assert.Equal(0.75, model.HumanShareBelow(0.3)!.Value, 9);
        Assert.Equal(1, model.HumanShareBelow(0.5));
        Assert.Null((model with { HumanCombStrengthPercentiles = [] }).HumanShareBelow(0.3));
        // The shipped model records them from its human training clips.
        Assert.Equal(21, Detector.Model.HumanCombStrengthPercentiles.Count);
        Assert.Throws<ModelFormatException>(() => DetectorModel.FromJson((Detector.Model with { HumanCombStrengthPercentiles = [0.4, 0.1] }).ToJson()));
    }

    [Fact]
    public void Model_file_round_trips()
    {
        var json = Detector.Model.ToJson();
        var again = DetectorModel.FromJson(json);
        Assert.Equal(json, again.ToJson());
        Assert.Throws<ModelFormatException>(() => DetectorModel.FromJson("{\"format\":\"something-else\"}"));
        Assert.Throws<ModelFormatException>(() => DetectorModel.FromJson("not json"));
    }
}

public class TrainerTests
{
    [Fact]
    public void Separable_data_is_learned_and_calibrated_on_held_out_sources()
    {
        var rng = new Random(1);
        var examples = Enumerable.Range(0, 240).Select(i =>
        {
            bool ai = i % 2 == 0;
            return new LabeledExample($"{i}", [(ai ? 1 : 0) + rng.NextDouble(), rng.NextDouble()], ai, $"{(ai ? "a" : "h")}{i % 3}");
        }).ToList();
        var model = Trainer.Train(examples, ["signal", "noise"], "cfg");
        Assert.True(model.Weights[0] > 1, "the informative feature gets weight");
        Assert.True(model.CalibrationA > 0);
        var p = examples.Select(e => model.Probability(e.Features)).ToList();
        Assert.True(DetectionMetrics.AreaUnderCurve(p, examples.Select(e => e.IsAi).ToList()) > 0.99);
        Assert.Equal(model.ToJson(), Trainer.Train(examples, ["signal", "noise"], "cfg").ToJson()); // reproducible bytes
        // The training range spans the middle 98 % of each feature.
        var range = model.TrainingRanges[0];
        double share = examples.Count(e => e.Features[0] >= range.Low && e.Features[0] <= range.High) / (double)examples.Count;
        Assert.InRange(share, 0.97, 0.99);
    }

    [Fact]
    public void The_threshold_counts_each_recording_once_however_many_copies_it_has()
    {
        // 100 human and 100 AI recordings, each trained on as three copies (as it is and two re-encodings) that differ a little.
        var rng = new Random(5);
        var examples = new List<LabeledExample>();
        for (int i = 0; i < 200; i++)
        {
            bool ai = i % 2 == 0;
            double level = (ai ? 0.8 : 0) + rng.NextDouble();
            for (int copy = 0; copy < 3; copy++)
                examples.Add(new LabeledExample($"{i}#{copy}", [level + 0.3 * rng.NextDouble()], ai, $"{(ai ? "a" : "h")}{i % 4}") { Recording = $"{i}" });
        }
        int RecordingsPassing(DetectorModel model, IReadOnlyList<LabeledExample> set)
        {
            var heldOut = Trainer.HeldOutScores(set, TrainingOptions.Default)!;
            return set.Select((e, k) => (e, p: LogisticRegression.Sigmoid(model.CalibrationA * heldOut[k] + model.CalibrationB)))
                .Where(t => !t.e.IsAi && t.p >= model.AiThreshold).Select(t => t.e.Recording).Distinct().Count();
        }

        var byRecording = Trainer.Train(examples, ["signal"], "cfg");
        Assert.True(RecordingsPassing(byRecording, examples) <= 1, "at most 1 % of the 100 human recordings pass the threshold");
        // Counting copies as recordings lets more recordings through: 1 % of 300 examples is 3 of them.
        var copiesAsRecordings = examples.Select(e => e with { Recording = e.Id }).ToList();
        var byCopy = Trainer.Train(copiesAsRecordings, ["signal"], "cfg");
        Assert.True(byCopy.AiThreshold < byRecording.AiThreshold, $"{byCopy.AiThreshold} vs {byRecording.AiThreshold}");
        Assert.True(RecordingsPassing(byCopy, examples) > 1);
    }

    [Fact]
    public void Threshold_only_copies_move_the_threshold_and_nothing_else()
    {
        // 100 human and 100 AI recordings; each human one also as a manipulated copy that reads more "AI" (as a pitch
        // shift makes a recording look re-synthesised), given only to set the threshold.
        var rng = new Random(6);
        var examples = new List<LabeledExample>();
        var copies = new List<LabeledExample>();
        for (int i = 0; i < 200; i++)
        {
            bool ai = i % 2 == 0;
            double level = (ai ? 1.0 : 0) + rng.NextDouble();
            var example = new LabeledExample($"{i}", [level], ai, $"{(ai ? "a" : "h")}{i % 4}");
            examples.Add(example);
            if (!ai) copies.Add(example with { Id = $"{i}#shifted", Features = [level + 0.15 * rng.NextDouble()], ThresholdOnly = true });
        }
        var plain = Trainer.Train(examples, ["signal"], "cfg");
        var guarded = Trainer.Train([.. examples, .. copies], ["signal"], "cfg");

        Assert.Equal(plain.Weights, guarded.Weights);
        Assert.Equal(plain.Bias, guarded.Bias);
        Assert.Equal((plain.CalibrationA, plain.CalibrationB), (guarded.CalibrationA, guarded.CalibrationB));
        Assert.Equal(plain.Training.Examples, guarded.Training.Examples);
        Assert.Equal(100, guarded.Training.ThresholdExamples);
        Assert.True(guarded.AiThreshold > plain.AiThreshold, $"{guarded.AiThreshold} vs {plain.AiThreshold}");
        Assert.True(guarded.AiThreshold < 0.95, "the threshold must be the 1 % rule's, not its ceiling");
        // On the held-out scores the threshold is set on, at most 1 % of the human recordings pass it, each at the higher of
        // its two probabilities; without the copies, more of them would.
        var scored = examples.Concat(copies).ToList();
        var heldOut = Trainer.HeldOutScores(examples, TrainingOptions.Default, null, copies)!;
        int Passing(DetectorModel model) => scored.Select((e, k) => (e, p: LogisticRegression.Sigmoid(model.CalibrationA * heldOut[k] + model.CalibrationB)))
            .Where(t => !t.e.IsAi).GroupBy(t => t.e.Recording).Count(g => g.Max(t => t.p) >= model.AiThreshold);
        Assert.InRange(Passing(guarded), 0, 1);
        Assert.True(Passing(plain) > 1, $"{Passing(plain)} human recordings pass the plain threshold");
        Assert.Contains("manipulated", guarded.ThresholdRule, StringComparison.Ordinal);
    }

    [Fact]
    public void Uninformative_features_give_even_odds_not_reversed_ones()
    {
        var rng = new Random(2);
        var examples = Enumerable.Range(0, 120).Select(i => new LabeledExample($"{i}", [rng.NextDouble()], i % 3 == 0, $"s{i % 6}")).ToList();
        var model = Trainer.Train(examples, ["noise"], "cfg");
        Assert.True(model.CalibrationA >= 0);
    }

    [Fact]
    public void Weights_stay_non_negative_and_only_chosen_features_are_weighed()
    {
        var rng = new Random(3);
        var examples = Enumerable.Range(0, 240).Select(i =>
        {
            bool ai = i % 2 == 0;
            // "reversed" is informative the wrong way round (higher for human), as peaky game music is in the corpus.
            return new LabeledExample($"{i}", [(ai ? 1 : 0) + rng.NextDouble(), (ai ? 0 : 1) + rng.NextDouble(), rng.NextDouble()], ai, $"{(ai ? "a" : "h")}{i % 3}");
        }).ToList();
        var model = Trainer.Train(examples, ["signal", "reversed", "noise"], "cfg");
        Assert.True(model.Weights[0] > 0);
        Assert.Equal(0, model.Weights[1]);
        Assert.All(model.Weights, w => Assert.True(w >= 0));
        var free = Trainer.Train(examples, ["signal", "reversed", "noise"], "cfg", TrainingOptions.Default with { NonNegativeWeights = false });
        Assert.True(free.Weights[1] < 0, "without the constraint the reversed feature is used");
        var subset = Trainer.Train(examples, ["signal", "reversed", "noise"], "cfg", TrainingOptions.Default with { Features = ["noise"] });
        Assert.Equal(0, subset.Weights[0]);
        Assert.Equal(["noise"], subset.Training.Features);
        Assert.Throws<ArgumentException>(() => Trainer.Train(examples, ["signal", "reversed", "noise"], "cfg", TrainingOptions.Default with { Features = ["missing"] }));
    }

    [Fact]
    public void Calibration_of_nearly_separable_scores_stays_finite()
    {
        // Plain Newton steps used to overshoot to slopes of 1e10 here and turn every probability into 0 or 1.
        var scores = new List<double>();
        var labels = new List<int>();
        for (int i = 0; i < 40; i++) { scores.Add(i < 20 ? -1 - i * 0.01 : 1 + i * 0.01); labels.Add(i < 20 ? 0 : 1); }
        scores.Add(1.5); labels.Add(0);
        var (a, b) = LogisticRegression.Calibrate(scores, labels);
        Assert.InRange(a, 0.1, 50);
        Assert.True(double.IsFinite(b));
        Assert.InRange(LogisticRegression.Sigmoid(a * 1.2 + b), 0.5, 0.99);
    }

    [Fact]
    public void Auc_is_computed_with_ties()
    {
        Assert.Equal(1.0, DetectionMetrics.AreaUnderCurve([0.1, 0.2, 0.8, 0.9], [false, false, true, true]));
        Assert.Equal(0.5, DetectionMetrics.AreaUnderCurve([0.5, 0.5], [false, true]));
    }

    [Fact]
    public void Platt_calibration_weighs_examples_as_it_is_told()
    {
        // Eight human clips of one large source at −2, two of a small one at 0, five AI clips at 1.
        double[] scores = [.. Enumerable.Repeat(-2.0, 8), 0, 0, .. Enumerable.Repeat(1.0, 5)];
        int[] labels = [.. Enumerable.Repeat(0, 10), .. Enumerable.Repeat(1, 5)];
        double[] classWeights = [.. Enumerable.Repeat(15 / 20.0, 10), .. Enumerable.Repeat(15 / 10.0, 5)];
        double[] sourceWeights = [.. Enumerable.Repeat(15 / 4.0 / 8, 8), 15 / 4.0 / 2, 15 / 4.0 / 2, .. Enumerable.Repeat(15 / 10.0, 5)];

        Assert.Equal(LogisticRegression.Calibrate(scores, labels), LogisticRegression.Calibrate(scores, labels, classWeights));
        // Weighed by source, the small source's human clips at 0 count as much as the large one's eight: a score of 0 is
        // then less likely AI than when the large source's many clips far below make 0 look high.
        var (a, b) = LogisticRegression.Calibrate(scores, labels, sourceWeights);
        var (a0, b0) = LogisticRegression.Calibrate(scores, labels);
        Assert.True(LogisticRegression.Sigmoid(b) < LogisticRegression.Sigmoid(b0) - 0.05, $"{a},{b} against {a0},{b0}");
    }

    [Fact]
    public void Calibration_weighs_each_class_equally()
    {
        // 2 AI and 8 human clips all at 0.5: for equal priors, as the calibration states them, 0.5 is exactly right;
        // counted clip by clip the band would hold 20 % AI and look overconfident by 0.3.
        var check = CalibrationCheck.Compute([.. Enumerable.Repeat(0.5, 10)], [true, true, .. Enumerable.Repeat(false, 8)])!;

        var band = Assert.Single(check.Bins);
        Assert.Equal((0.5, 0.6, 10, 2), (band.FromProbability, band.ToProbability, band.Clips, band.AiClips));
        Assert.Equal(0.5, band.AiShare, 12);
        Assert.Equal(0, check.ExpectedCalibrationError, 12);
        Assert.Equal(0.25, check.BrierScore, 12);
    }

    [Fact]
    public void Calibration_error_is_the_gap_between_what_probabilities_claim_and_what_is_found()
    {
        // Every human clip at 0.1 and every AI clip at 0.9: right in the ranking, each band 0.1 too timid.
        var check = CalibrationCheck.Compute([.. Enumerable.Repeat(0.1, 10), .. Enumerable.Repeat(0.9, 5)],
            [.. Enumerable.Repeat(false, 10), .. Enumerable.Repeat(true, 5)])!;

        Assert.Equal([0.1, 0.9], check.Bins.Select(b => b.FromProbability));
        Assert.Equal([0.0, 1.0], check.Bins.Select(b => b.AiShare));
        Assert.Equal(0.1, check.ExpectedCalibrationError, 12);
        Assert.Equal(0.01, check.BrierScore, 12);
        Assert.Null(CalibrationCheck.Compute([0.2, 0.7], [true, true])); // one class says nothing about calibration
    }

    [Fact]
    public void A_robustness_row_says_how_far_each_clip_moved_and_how_well_calibrated_the_moved_probabilities_are()
    {
        static EvaluationReport Report(string transform, double[] probabilities)
        {
            bool[] isAi = [true, true, false, false];
            var rows = probabilities.Select((p, i) => new EvaluationRow($"clip{i}.wav", isAi[i], isAi[i] ? "a" : "h", p, p >= 0.5 ? "ai" : "human", "f", null)).ToList();
            var metrics = DetectionMetrics.Compute(probabilities, isAi, [.. probabilities.Select(p => p >= 0.5)]);
            return new EvaluationReport("test", transform, metrics, [], 0, rows) { Calibration = CalibrationCheck.Compute(probabilities, isAi) };
        }

        var table = Robustness.Summarise([Report("none", [0.95, 0.95, 0.05, 0.05]), Report("pitch-2", [0.75, 0.95, 0.25, 0.05])]);

        Assert.Equal(0.1, table[1].MeanProbabilityShift!.Value, 12); // (0.2 + 0 + 0.2 + 0) / 4
        Assert.Equal(0.05, table[0].CalibrationError!.Value, 12);   // every band 0.05 from its share
        Assert.Equal(0.15, table[1].CalibrationError!.Value, 12);   // 0.75 and 0.25 are a quarter from certainty each
    }

    [Fact]
    public void Manifest_lines_with_quoted_commas_parse()
    {
        var cells = Manifest.ParseLine("a.mp3,ai,gen,src,mp3,44100,2,20.0,abc,\"CC-BY, see \"\"x\"\"\"");
        Assert.Equal(10, cells.Count);
        Assert.Equal("CC-BY, see \"x\"", cells[9]);
    }
}
