using System.Text.Json;
using System.Text.Json.Serialization;

namespace Discern.Model;

/// <summary>Where a model came from, so a figure can be traced to the data that produced it.</summary>
public sealed record TrainingInfo
{
    /// <summary>Clips used.</summary>
    public int Examples { get; init; }
    /// <summary>Clips labelled AI.</summary>
    public int AiExamples { get; init; }
    /// <summary>Clips labelled human.</summary>
    public int HumanExamples { get; init; }
    /// <summary>Distinct sources.</summary>
    public int Sources { get; init; }
    /// <summary>Manipulated copies of human clips that only set the threshold (<see cref="LabeledExample.ThresholdOnly"/>).</summary>
    public int ThresholdExamples { get; init; }
    /// <summary>SHA-256 of the feature table the model was fitted on (clip order, labels and values).</summary>
    public string DataSha256 { get; init; } = "";
    /// <summary>L2 penalty.</summary>
    public double L2 { get; init; }
    /// <summary>Whether weights were kept non-negative (see <see cref="TrainingOptions.NonNegativeWeights"/>).</summary>
    public bool NonNegativeWeights { get; init; }
    /// <summary>Features the model was allowed to weigh (the others have weight 0).</summary>
    public IReadOnlyList<string> Features { get; init; } = [];
    /// <summary>Transforms applied to the training audio (augmentation), if any.</summary>
    public IReadOnlyList<string> Transforms { get; init; } = [];
    /// <summary>How calibration and threshold scores were obtained.</summary>
    public string CalibrationMethod { get; init; } = "";
}

/// <summary>The span of one feature over the clips a model was trained on.</summary>
/// <param name="Low">1st percentile.</param>
/// <param name="High">99th percentile.</param>
public sealed record FeatureRange(double Low, double High)
{
    /// <summary>
    /// Whether <paramref name="value"/> lies beyond the range widened by <paramref name="margin"/> of its width on each side.
    /// </summary>
    public bool Excludes(double value, double margin)
    {
        double slack = margin * (High - Low);
        return value < Low - slack || value > High + slack;
    }
}

/// <summary>
/// The trained detector: standardisation, logistic weights, Platt calibration and decision thresholds,
/// stored as readable JSON so anyone can see what each feature weighs.
/// </summary>
public sealed record DetectorModel
{
    /// <summary>Value of <see cref="Format"/> in every Discern model file.</summary>
    public const string FormatName = "discern-model";

    /// <summary>File format marker.</summary>
    public string Format { get; init; } = FormatName;
    /// <summary>File format version.</summary>
    public int FormatVersion { get; init; } = 1;
    /// <summary>Identifier of this model (derived from its content).</summary>
    public string ModelId { get; init; } = "";
    /// <summary>The <see cref="Features.FeatureConfig.Id"/> the model was trained with.</summary>
    public string FeatureConfigId { get; init; } = "";
    /// <summary>Feature names, in the order of the weights.</summary>
    public IReadOnlyList<string> FeatureNames { get; init; } = [];
    /// <summary>Per-feature mean used to standardise.</summary>
    public IReadOnlyList<double> Mean { get; init; } = [];
    /// <summary>Per-feature standard deviation used to standardise.</summary>
    public IReadOnlyList<double> Scale { get; init; } = [];
    /// <summary>Logistic weights on standardised features.</summary>
    public IReadOnlyList<double> Weights { get; init; } = [];
    /// <summary>Logistic intercept.</summary>
    public double Bias { get; init; }
    /// <summary>Platt slope: probability = σ(A·score + B).</summary>
    public double CalibrationA { get; init; } = 1;
    /// <summary>Platt offset.</summary>
    public double CalibrationB { get; init; }
    /// <summary>Probability at or above which the verdict is "ai".</summary>
    public double AiThreshold { get; init; } = 0.5;
    /// <summary>Probability below which the verdict is "human"; between the two it is "uncertain".</summary>
    public double HumanThreshold { get; init; } = 0.5;
    /// <summary>How <see cref="AiThreshold"/> was chosen, in words.</summary>
    public string ThresholdRule { get; init; } = "";
    /// <summary>
    /// Per-feature span of the training clips (as they are and augmented). A weighed feature far outside it means the
    /// input is unlike anything the model learnt from (heavy processing, added noise, a kind of music the corpus lacks),
    /// where a logistic model extrapolates with confidence it has not earned. Empty in models trained before it existed.
    /// </summary>
    public IReadOnlyList<FeatureRange> TrainingRanges { get; init; } = [];
    /// <summary>
    /// How far beyond <see cref="TrainingRanges"/>, as a share of each range's width, a weighed feature may lie before the
    /// verdict is "uncertain": a quarter keeps the ordinary spread of unseen sources in and flags only clear outliers.
    /// </summary>
    public double RangeMargin { get; init; } = 0.25;
    /// <summary>
    /// Effective bandwidth below which the verdict is never "ai", whatever the probability: 10 kHz, under half of the
    /// published recipe's 5–16 kHz fingerprint band. Old, lo-fi and low-bitrate human recordings live below it, and
    /// without the band the evidence cannot tell them from generated audio, so an accusation would not be fair.
    /// </summary>
    public double MinAiBandwidthHz { get; init; } = 10000;
    /// <summary>
    /// Percentiles 0, 5, …, 100 of <c>comb_strength</c> over the human training clips: how regular a comb music makes by
    /// itself, against which a decoder's comb is judged (<see cref="GeneratorGuess.Confidence"/>). Empty when unknown.
    /// </summary>
    public IReadOnlyList<double> HumanCombStrengthPercentiles { get; init; } = [];
    /// <summary>Provenance.</summary>
    public TrainingInfo Training { get; init; } = new();

    /// <summary>
    /// The share of human training clips whose comb strength is below <paramref name="combStrength"/>, interpolated
    /// between <see cref="HumanCombStrengthPercentiles"/>; null when the model does not record them.
    /// </summary>
    public double? HumanShareBelow(double combStrength)
    {
        var p = HumanCombStrengthPercentiles;
        if (p.Count < 2 || !double.IsFinite(combStrength)) return null;
        if (combStrength <= p[0]) return 0;
        if (combStrength >= p[^1]) return 1;
        int i = 1;
        while (p[i] < combStrength) i++;
        double step = 1.0 / (p.Count - 1), width = p[i] - p[i - 1];
        return (i - 1) * step + (width > 0 ? (combStrength - p[i - 1]) / width * step : 0);
    }

    /// <summary>Indices of the weighed features of <paramref name="features"/> that lie outside <see cref="TrainingRanges"/> (with <see cref="RangeMargin"/>).</summary>
    public IReadOnlyList<int> OutOfRange(ReadOnlySpan<double> features)
    {
        if (TrainingRanges.Count == 0) return [];
        var outside = new List<int>();
        for (int i = 0; i < features.Length && i < TrainingRanges.Count; i++)
            if (Weights[i] != 0 && TrainingRanges[i].Excludes(features[i], RangeMargin)) outside.Add(i);
        return outside;
    }

    /// <summary>The uncalibrated logistic score (log-odds before calibration) of <paramref name="features"/>.</summary>
    public double Score(ReadOnlySpan<double> features)
    {
        if (features.Length != Weights.Count) throw new ArgumentException($"expected {Weights.Count} features, got {features.Length}");
        double z = Bias;
        for (int i = 0; i < features.Length; i++) z += Weights[i] * (features[i] - Mean[i]) / Scale[i];
        return z;
    }

    /// <summary>Calibrated probability that the audio was made by an AI generator.</summary>
    public double Probability(ReadOnlySpan<double> features) => Calibrate(Score(features));

    /// <summary>Maps a score to a calibrated probability.</summary>
    public double Calibrate(double score) => LogisticRegression.Sigmoid(CalibrationA * score + CalibrationB);

    /// <summary>Each feature's contribution to the score (weight × standardised value), for explanations.</summary>
    public double[] Contributions(ReadOnlySpan<double> features)
    {
        var c = new double[features.Length];
        for (int i = 0; i < features.Length; i++) c[i] = Weights[i] * (features[i] - Mean[i]) / Scale[i];
        return c;
    }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Serialises the model (stable bytes for the same model).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions) + "\n";

    /// <summary>Reads and checks a model file's JSON.</summary>
    /// <exception cref="ModelFormatException">The text is not a valid Discern model.</exception>
    public static DetectorModel FromJson(string json)
    {
        DetectorModel? model;
        try { model = JsonSerializer.Deserialize<DetectorModel>(json, JsonOptions); }
        catch (JsonException ex) { throw new ModelFormatException($"The model file is not valid JSON: {ex.Message}", ex); }
        if (model is null || model.Format != FormatName) throw new ModelFormatException("The file is not a Discern model.");
        if (model.FormatVersion != 1) throw new ModelFormatException($"Model format version {model.FormatVersion} is not supported by this version of Discern.");
        int d = model.FeatureNames.Count;
        if (d == 0 || model.Weights.Count != d || model.Mean.Count != d || model.Scale.Count != d || model.Scale.Any(s => !(s > 0))
            || (model.TrainingRanges.Count != 0 && model.TrainingRanges.Count != d) || !(model.RangeMargin >= 0) || !(model.MinAiBandwidthHz >= 0)
            || model.HumanCombStrengthPercentiles.Count == 1 || model.HumanCombStrengthPercentiles.Zip(model.HumanCombStrengthPercentiles.Skip(1)).Any(t => t.First > t.Second))
            throw new ModelFormatException("The model's feature, weight and scale lists do not match.");
        return model;
    }
}
