using System.Globalization;

namespace Discern;

/// <summary>
/// Why a verdict is uncertain: a stable <see cref="Code"/> a program can act on and a page can translate, the
/// <see cref="Values"/> the sentence mentions (invariant culture, so a page formats them for its reader), and the
/// sentence in English.
/// </summary>
/// <param name="Code">One of the <see cref="Reason"/> code constants.</param>
/// <param name="Message">The reason in English.</param>
/// <param name="Values">Named values the message mentions.</param>
public sealed record Reason(string Code, string Message, IReadOnlyDictionary<string, string> Values)
{
    /// <summary>Nothing above the silence floor.</summary>
    public const string SilentCode = "silent";
    /// <summary>Not one segment's worth of sound.</summary>
    public const string TooShortCode = "too-short";
    /// <summary>Too little band above the fingerprint's lower edge.</summary>
    public const string BandLimitedCode = "band-limited";
    /// <summary>Measured, but no features came out (should not happen; kept so every uncertain verdict has a reason).</summary>
    public const string UnmeasuredCode = "unmeasured";
    /// <summary>The probability lies between the human and AI thresholds.</summary>
    public const string BetweenThresholdsCode = "between-thresholds";
    /// <summary>A weighed feature lies far outside the range the model was trained on.</summary>
    public const string OutOfTrainingRangeCode = "out-of-training-range";
    /// <summary>The model would say "ai", but the audio has too little band for that accusation to be fair.</summary>
    public const string NarrowBandForAiCode = "narrow-band-for-ai";
    /// <summary>The model would say "human", but the audio carries a neural decoder's exact grid of lines.</summary>
    public const string DecoderGridCode = "decoder-grid";

    /// <inheritdoc cref="SilentCode"/>
    public static Reason Silent(double floorDbfs) =>
        Create(SilentCode, $"The audio is silent (nothing above {floorDbfs:0} dBFS).", ("floorDbfs", floorDbfs));

    /// <inheritdoc cref="TooShortCode"/>
    public static Reason TooShort(double neededSeconds, double foundSeconds) =>
        Create(TooShortCode, $"The audio is too short: at least {neededSeconds:0.0} s of sound are needed, {foundSeconds:0.0} s were found.",
            ("neededSeconds", Math.Round(neededSeconds, 1)), ("foundSeconds", Math.Round(foundSeconds, 1)));

    /// <inheritdoc cref="BandLimitedCode"/>
    public static Reason BandLimited(double bandwidthHz, double bandLowHz) =>
        Create(BandLimitedCode, $"The audio is too band-limited: it carries signal only up to {bandwidthHz:0} Hz, and the fingerprint is measured above {bandLowHz:0} Hz.",
            ("bandwidthHz", Math.Round(bandwidthHz)), ("bandLowHz", Math.Round(bandLowHz)));

    /// <inheritdoc cref="UnmeasuredCode"/>
    public static Reason Unmeasured() => Create(UnmeasuredCode, $"The input could not be measured.");

    /// <inheritdoc cref="BetweenThresholdsCode"/>
    public static Reason BetweenThresholds(double probability, double humanThreshold, double aiThreshold) =>
        Create(BetweenThresholdsCode, $"The probability {probability:0.00} lies between the human ({humanThreshold:0.00}) and AI ({aiThreshold:0.00}) thresholds.",
            ("probability", Math.Round(probability, 2)), ("humanThreshold", Math.Round(humanThreshold, 2)), ("aiThreshold", Math.Round(aiThreshold, 2)));

    /// <inheritdoc cref="NarrowBandForAiCode"/>
    public static Reason NarrowBandForAi(double bandwidthHz, double minimumHz) =>
        Create(NarrowBandForAiCode, $"The audio carries sound only up to {bandwidthHz:0} Hz, as old, lo-fi and low-bitrate recordings do; Discern calls audio AI only when it reaches {minimumHz:0} Hz, because below that most of the band where generators leave their fingerprint is missing.",
            ("bandwidthHz", Math.Round(bandwidthHz)), ("minimumHz", Math.Round(minimumHz)));

    /// <inheritdoc cref="DecoderGridCode"/>
    public static Reason DecoderGrid(Dsp.GridComb grid) =>
        Create(DecoderGridCode, grid.PitchShiftSemitones == 0
                ? (FormattableString)$"The measurements the model weighs point to people, but the long-term spectrum has lines at exact multiples of {grid.SpacingHz:0.00} Hz = {grid.SampleRateHz} Hz / {grid.Upsampling}, the frame rate of a neural decoder: the audio, or part of it, may have passed through one (a generator, a neural codec or effect), so it is not called human."
                : (FormattableString)$"The measurements the model weighs point to people, but the long-term spectrum has lines at exact multiples of {grid.SpacingHz:0.00} Hz, the frame rate of a neural decoder ({grid.SampleRateHz} Hz / {grid.Upsampling}) moved by {Attribution.Semitones(grid.PitchShiftSemitones)}: the audio, or part of it, may have passed through one (a generator, a neural codec or effect) and then been pitch-shifted, so it is not called human.",
            ("spacingHz", Math.Round(grid.SpacingHz, 2)), ("sampleRateHz", grid.SampleRateHz), ("upsampling", grid.Upsampling),
            ("pitchShiftSemitones", grid.PitchShiftSemitones));

    /// <inheritdoc cref="OutOfTrainingRangeCode"/>
    public static Reason OutOfTrainingRange(string feature, string description, double value, double low, double high) =>
        new(OutOfTrainingRangeCode, Invariant(
                $"Unlike the training data: {description} ({feature} = {value:0.###}) lies outside the range the model learnt from ({low:0.###} to {high:0.###}). Heavy processing, added noise or a kind of audio the model has not seen can do this, so the probability is not trusted."),
            new Dictionary<string, string>
            {
                ["feature"] = feature,
                ["value"] = Invariant($"{value:0.###}"),
                ["low"] = Invariant($"{low:0.###}"),
                ["high"] = Invariant($"{high:0.###}"),
            });

    /// <summary>The message.</summary>
    public override string ToString() => Message;

    private static Reason Create(string code, FormattableString message, params (string Name, double Value)[] values) =>
        new(code, Invariant(message), values.ToDictionary(v => v.Name, v => v.Value.ToString(CultureInfo.InvariantCulture)));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
