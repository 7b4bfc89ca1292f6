using System.Text.Json.Serialization;
using Discern.Dsp;

namespace Discern;

/// <summary>The decision.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VerdictLabel>))]
public enum VerdictLabel
{
    /// <summary>The evidence does not support either answer (or the input could not be judged).</summary>
    [JsonStringEnumMemberName("uncertain")] Uncertain,
    /// <summary>Probably made by an AI generator.</summary>
    [JsonStringEnumMemberName("ai")] Ai,
    /// <summary>Probably made by people.</summary>
    [JsonStringEnumMemberName("human")] Human,
}

/// <summary>Facts about the decoded input.</summary>
/// <param name="Format">Container or codec family sniffed from the bytes.</param>
/// <param name="Codec">Codec as decoded.</param>
/// <param name="Decoder">Decoder used.</param>
/// <param name="SampleRateHz">Sample rate.</param>
/// <param name="Channels">Channel count before the mono downmix.</param>
/// <param name="DurationSeconds">Decoded duration.</param>
/// <param name="EffectiveBandwidthHz">Highest frequency that carries signal (codec low-pass shows here).</param>
/// <param name="Bytes">Input size, when known.</param>
public sealed record InputFacts(string Format, string Codec, string Decoder, int SampleRateHz, int Channels,
    double DurationSeconds, double EffectiveBandwidthHz, long? Bytes);

/// <summary>The score of one stretch of the audio, so a partly generated song shows where.</summary>
/// <param name="StartSeconds">Start of the segment.</param>
/// <param name="EndSeconds">End of the segment.</param>
/// <param name="ProbabilityAi">Calibrated probability for this segment alone, or null when it could not be scored.</param>
public sealed record SegmentScore(double StartSeconds, double EndSeconds, double? ProbabilityAi);

/// <summary>The likely family of generator or decoder, from the comb spacing.</summary>
/// <param name="Family">A family name ("EnCodec-like codec, 32 kHz", "unknown neural decoder"…).</param>
/// <param name="CombSpacingHz">The spacing that points to it.</param>
/// <param name="Explanation">Why, in a sentence.</param>
public sealed record GeneratorGuess(string Family, double CombSpacingHz, string Explanation)
{
    /// <summary>
    /// How far the comb is from what music makes by itself: the share of the model's human training clips whose residual
    /// peaks are less regularly spaced (0.99: only 1 % of them had so regular a comb). It is an empirical rarity, not a
    /// probability calibrated on labelled decoder families, which the development corpus lacks; null when the model
    /// does not record the human clips' combs.
    /// </summary>
    public double? Confidence { get; init; }
}

/// <summary>The residual spectrum (dB above the lower envelope) for plotting.</summary>
/// <param name="FirstBinHz">Frequency of the first value.</param>
/// <param name="BinHz">Spacing of the values.</param>
/// <param name="ResidualDb">Values.</param>
public sealed record ResidualSpectrum(double FirstBinHz, double BinHz, IReadOnlyList<float> ResidualDb);

/// <summary>Identifies what produced a verdict.</summary>
/// <param name="ModelId">The model file's identifier.</param>
/// <param name="FeatureConfigId">The feature configuration's identifier.</param>
/// <param name="DiscernVersion">Library version.</param>
public sealed record ModelIdentity(string ModelId, string FeatureConfigId, string DiscernVersion);

/// <summary>
/// What Discern concluded about one input, and the evidence: a verdict is only as useful as the reasons a person
/// can check, so the peaks, the comb, the per-segment scores and the input's facts travel with it.
/// </summary>
public sealed record Verdict
{
    /// <summary>ai, human or uncertain.</summary>
    public VerdictLabel Label { get; init; }

    /// <summary>Calibrated probability of AI generation (0.9 means right about 9 times in 10 on the development data); null when the input could not be judged.</summary>
    public double? ProbabilityAi { get; init; }

    /// <summary>The model's raw score (log-odds before calibration).</summary>
    public double? Score { get; init; }

    /// <summary>Probability at or above which the verdict is "ai".</summary>
    public double AiThreshold { get; init; }

    /// <summary>Probability below which the verdict is "human".</summary>
    public double HumanThreshold { get; init; }

    /// <summary>How the thresholds were chosen.</summary>
    public string ThresholdRule { get; init; } = "";

    /// <summary>Why the verdict is uncertain, when it is: a code and values for programs and translations, and an English sentence.</summary>
    public IReadOnlyList<Reason> Reasons { get; init; } = [];

    /// <summary>Likely generator family, when the evidence points to one.</summary>
    public GeneratorGuess? Generator { get; init; }

    /// <summary>Strongest residual peaks of the long-term spectrum.</summary>
    public IReadOnlyList<SpectralPeak> Peaks { get; init; } = [];

    /// <summary>The most regular spacing of the residual peaks.</summary>
    public CombEstimate Comb { get; init; }

    /// <summary>The best comb of lines at an exact sub-multiple of a sample rate: a decoder's frame rate, when its score is high.</summary>
    public GridComb Grid { get; init; }

    /// <summary>
    /// Whether <see cref="Grid"/> scores as a decoder's (<see cref="Attribution.IsDecoderGrid"/>: a higher score when it was
    /// found only after a pitch shift), so that a program or the page reading the report need not repeat the thresholds.
    /// </summary>
    public bool DecoderGridFound => Attribution.IsDecoderGrid(Grid);

    /// <summary>Scores along the audio.</summary>
    public IReadOnlyList<SegmentScore> Segments { get; init; } = [];

    /// <summary>Clip-level feature values, by name.</summary>
    public IReadOnlyDictionary<string, double> Features { get; init; } = new Dictionary<string, double>();

    /// <summary>Each feature's push towards "ai" (positive) or "human" (negative), in score units.</summary>
    public IReadOnlyDictionary<string, double> Contributions { get; init; } = new Dictionary<string, double>();

    /// <summary>Facts about the decoded input.</summary>
    public required InputFacts Input { get; init; }

    /// <summary>What produced the verdict.</summary>
    public required ModelIdentity Model { get; init; }

    /// <summary>Residual spectrum, when <see cref="AnalysisOptions.IncludeSpectrum"/> was set.</summary>
    public ResidualSpectrum? Spectrum { get; init; }

    /// <summary>Wall-clock time of the analysis.</summary>
    public double AnalysisSeconds { get; init; }
}
