using System.Diagnostics;
using System.Reflection;
using Discern.Audio;
using Discern.Features;
using Discern.Model;

namespace Discern;

/// <summary>
/// The entry point: <c>var detector = Detector.Load(); var verdict = await detector.AnalyzeAsync(stream);</c>.
/// A detector is immutable and thread-safe; analyse many files in parallel with one instance.
/// </summary>
public sealed class Detector
{
    private const string DefaultModelResource = "Discern.DefaultModel.json";

    /// <summary>Creates a detector from a trained model and the configuration it was trained with.</summary>
    /// <exception cref="ModelFormatException">The model was trained with another feature configuration.</exception>
    public Detector(DetectorModel model, FeatureConfig? featureConfig = null)
    {
        Model = Guard.NotNull(model);
        FeatureConfig = featureConfig ?? FeatureConfig.Default;
        if (model.FeatureConfigId != FeatureConfig.Id)
            throw new ModelFormatException($"The model was trained with feature configuration {model.FeatureConfigId}, but this detector uses {FeatureConfig.Id}; retrain it with 'discern train'.");
    }

    /// <summary>The model in use.</summary>
    public DetectorModel Model { get; }

    /// <summary>The feature configuration in use.</summary>
    public FeatureConfig FeatureConfig { get; }

    /// <summary>Loads the model shipped inside the library.</summary>
    public static Detector Load()
    {
        using var stream = typeof(Detector).Assembly.GetManifestResourceStream(DefaultModelResource)
            ?? throw new ModelFormatException("This build of Discern ships no default model; train one with 'discern train' and load it with Detector.Load(path).");
        using var reader = new StreamReader(stream);
        return new Detector(DetectorModel.FromJson(reader.ReadToEnd()));
    }

    /// <summary>Loads a model file written by <c>discern train</c>.</summary>
    public static Detector Load(string modelPath)
    {
        Guard.NotNull(modelPath);
        if (!File.Exists(modelPath)) throw new ModelFormatException($"Model file '{modelPath}' does not exist.");
        return new Detector(DetectorModel.FromJson(File.ReadAllText(modelPath)));
    }

    /// <summary>The library's version, as reported in verdicts.</summary>
    public static string Version { get; } =
        typeof(Detector).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Analyses the file at <paramref name="path"/>.</summary>
    public Task<Verdict> AnalyzeAsync(string path, AnalysisOptions? options = null, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"File '{path}' does not exist.", path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return AnalyzeAsync(stream, options, cancellationToken);
    }

    /// <summary>
    /// Analyses audio or video in <paramref name="stream"/> (format sniffed from the bytes). The stream is read to its
    /// end and disposed. Inputs that cannot be judged (silent, too short, too band-limited) give an
    /// <see cref="VerdictLabel.Uncertain"/> verdict with reasons; unreadable ones throw a <see cref="DiscernException"/>.
    /// </summary>
    /// <exception cref="UnsupportedFormatException">The bytes are not audio or video that can be decoded.</exception>
    /// <exception cref="NoAudioTrackException">A video (or other container) without an audio track.</exception>
    /// <exception cref="CorruptAudioException">The data is damaged or empty.</exception>
    /// <exception cref="InputLimitExceededException">The input breaks a limit in <paramref name="options"/>.</exception>
    /// <exception cref="DecoderUnavailableException">The format needs ffmpeg and it is not installed.</exception>
    public Task<Verdict> AnalyzeAsync(Stream stream, AnalysisOptions? options = null, CancellationToken cancellationToken = default)
    {
        Guard.Readable(stream);
        options ??= AnalysisOptions.Default;
        // Decoding and FFTs are CPU-bound: run them off the caller's thread so a UI or request thread is not held.
        return Task.Run(() => Analyze(stream, options, cancellationToken), cancellationToken);
    }

    private Verdict Analyze(Stream stream, AnalysisOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var measurer = new AudioMeasurer(FeatureConfig, AudioDecoders.CreateDefault(options.FfmpegPath, options.PreferFfmpeg, options.UseNativeDecoders));
        var m = measurer.Measure(stream, options, cancellationToken);
        return Decide(m) with { AnalysisSeconds = clock.Elapsed.TotalSeconds };
    }

    /// <summary>
    /// The decoder an exact grid names, or else the family the comb points to, with how rare so regular a comb is in the
    /// training's human music.
    /// </summary>
    private GeneratorGuess Attribute(Measurement measurement)
    {
        var guess = Attribution.Guess(measurement.Grid, measurement.Comb);
        if (guess is null)
            return new GeneratorGuess("unknown AI", 0, "The fingerprint features point to AI, but the residual peaks form no clear comb.");
        if (Attribution.IsDecoderGrid(measurement.Grid)) return guess;
        int comb = Model.FeatureNames.ToList().IndexOf("comb_strength");
        return comb < 0 || measurement.Features is null ? guess : guess with { Confidence = Model.HumanShareBelow(measurement.Features[comb]) };
    }

    /// <summary>Applies the model to a measurement (used by evaluation to score without decoding twice).</summary>
    public Verdict Decide(Measurement measurement)
    {
        Guard.NotNull(measurement);
        var identity = new ModelIdentity(Model.ModelId, FeatureConfig.Id, Version);
        var segments = measurement.Segments
            .Select(s => new SegmentScore(s.StartSeconds, s.EndSeconds, s.Values is null ? null : Model.Probability(s.Values)))
            .ToList();
        var verdict = new Verdict
        {
            Input = measurement.Input,
            Model = identity,
            AiThreshold = Model.AiThreshold,
            HumanThreshold = Model.HumanThreshold,
            ThresholdRule = Model.ThresholdRule,
            Peaks = measurement.Peaks,
            Comb = measurement.Comb,
            Grid = measurement.Grid,
            Segments = segments,
            Spectrum = measurement.Spectrum,
        };
        if (measurement.Features is null)
        {
            var reasons = measurement.Problems.Count > 0 ? measurement.Problems : [Reason.Unmeasured()];
            return verdict with { Label = VerdictLabel.Uncertain, Reasons = reasons };
        }

        double score = Model.Score(measurement.Features);
        double probability = Model.Calibrate(score);
        var label = probability >= Model.AiThreshold ? VerdictLabel.Ai
            : probability < Model.HumanThreshold ? VerdictLabel.Human : VerdictLabel.Uncertain;
        var reasonsList = new List<Reason>(measurement.Problems);
        if (label == VerdictLabel.Uncertain)
            reasonsList.Add(Reason.BetweenThresholds(probability, Model.HumanThreshold, Model.AiThreshold));
        // Outside the training data a logistic model extrapolates with confidence it has not earned: say so instead of deciding.
        foreach (int i in Model.OutOfRange(measurement.Features))
        {
            var name = Model.FeatureNames[i];
            var range = Model.TrainingRanges[i];
            reasonsList.Add(Reason.OutOfTrainingRange(name, FeatureExtractor.Descriptions.GetValueOrDefault(name, name), measurement.Features[i], range.Low, range.High));
            label = VerdictLabel.Uncertain;
        }
        if (label == VerdictLabel.Ai && measurement.Input.EffectiveBandwidthHz < Model.MinAiBandwidthHz)
        {
            reasonsList.Add(Reason.NarrowBandForAi(measurement.Input.EffectiveBandwidthHz, Model.MinAiBandwidthHz));
            label = VerdictLabel.Uncertain;
        }
        // The grid is not weighed (pitch shifts move it, and the development corpus labels decoded prompts human), but a
        // decoder's exact lines contradict "made by people": say so rather than clear the audio.
        if (label == VerdictLabel.Human && Attribution.IsDecoderGrid(measurement.Grid))
        {
            reasonsList.Add(Reason.DecoderGrid(measurement.Grid));
            label = VerdictLabel.Uncertain;
        }
        var contributions = Model.Contributions(measurement.Features);
        return verdict with
        {
            Label = label,
            ProbabilityAi = probability,
            Score = score,
            Reasons = reasonsList,
            Generator = label == VerdictLabel.Ai ? Attribute(measurement) : null,
            Features = Model.FeatureNames.Select((n, i) => (n, v: measurement.Features[i])).ToDictionary(t => t.n, t => t.v),
            Contributions = Model.FeatureNames.Select((n, i) => (n, v: contributions[i])).ToDictionary(t => t.n, t => t.v),
        };
    }
}
