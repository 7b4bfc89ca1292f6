using Discern.Evaluation;
using System.Text.Json;
using System.Text.Json.Serialization;
using Discern;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Discern.Cli;

internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    /// <summary>Stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}

/// <summary>Options every command that analyses audio shares.</summary>
internal class AudioSettings : CommandSettings
{
    [CommandOption("--model <PATH>")]
    [System.ComponentModel.Description("Model file (default: the model shipped with Discern).")]
    public string? ModelPath { get; init; }

    [CommandOption("--workers <N>")]
    [System.ComponentModel.Description("Files analysed at once (default: one per core).")]
    public int Workers { get; init; }

    [CommandOption("--prefer-ffmpeg")]
    [System.ComponentModel.Description("Decode every format with ffmpeg when it is installed.")]
    public bool PreferFfmpeg { get; init; }

    [CommandOption("--max-duration <SECONDS>")]
    [System.ComponentModel.Description("Longest audio accepted (default 7200).")]
    public double? MaxDurationSeconds { get; init; }

    [CommandOption("--max-bytes <BYTES>")]
    [System.ComponentModel.Description("Largest file accepted (default 2 GiB).")]
    public long? MaxBytes { get; init; }

    public AnalysisOptions ToOptions(bool includeSpectrum = false) => AnalysisOptions.Default with
    {
        PreferFfmpeg = PreferFfmpeg,
        IncludeSpectrum = includeSpectrum,
        MaxDurationSeconds = MaxDurationSeconds ?? AnalysisOptions.Default.MaxDurationSeconds,
        MaxInputBytes = MaxBytes ?? AnalysisOptions.Default.MaxInputBytes,
    };

    public int WorkerCount => Workers > 0 ? Workers : Environment.ProcessorCount;

    public Detector LoadDetector() => ModelPath is null ? Detector.Load() : Detector.Load(ModelPath);

    public override ValidationResult Validate()
    {
        if (Workers < 0) return ValidationResult.Error("--workers must be positive");
        if (MaxDurationSeconds is <= 0) return ValidationResult.Error("--max-duration must be positive");
        if (MaxBytes is <= 0) return ValidationResult.Error("--max-bytes must be positive");
        return ValidationResult.Success();
    }
}

/// <summary>Options of the commands that read a labelled manifest and may train models (train, eval, splice), so all train alike.</summary>
internal abstract class TrainingSettings : AudioSettings
{
    [CommandArgument(0, "<MANIFEST>")]
    [System.ComponentModel.Description("CSV with path,label (ai|human) and optional source, generator; paths relative to it (the format of ../shared/corpus/manifest.csv).")]
    public string Manifest { get; init; } = "";

    [CommandOption("--augment <TRANSFORM>")]
    [System.ComponentModel.Description("Also train on every clip after this transform (repeatable), on every human clip through a synthetic decoder ('decoder-lines'), or set the threshold over every human clip after a transform as well ('threshold:pitch+2'). Default: mp3-128k, opus-48k, decoder-lines, threshold:pitch+2 and threshold:pitch-2, as the shipped model.")]
    public string[] Augment { get; init; } = [];

    [CommandOption("--no-augment")]
    [System.ComponentModel.Description("Train on the clips as they are only.")]
    public bool NoAugment { get; init; }

    /// <summary>The transforms to train on besides the clips as they are.</summary>
    public IReadOnlyList<string> ChosenAugmentations => NoAugment ? [] : Augment.Length > 0 ? Augment : Evaluator.DefaultAugmentations;

    public override ValidationResult Validate()
    {
        foreach (var t in Augment)
            if (!AudioTransforms.IsKnown(Evaluator.ThresholdTransform(t) ?? t) && !SyntheticDecoder.IsAugmentation(t))
                return ValidationResult.Error($"unknown --augment '{t}'");
        return base.Validate();
    }
}

internal static class Json
{
    public static readonly JsonSerializerOptions Compact = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly JsonSerializerOptions Indented = new(Compact) { WriteIndented = true };
}
