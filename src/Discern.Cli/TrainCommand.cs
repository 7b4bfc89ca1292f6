using Discern.Evaluation;
using Discern.Features;
using Discern.Model;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Discern.Cli;

internal sealed class TrainCommand : AsyncCommand<TrainCommand.Settings>
{
    public sealed class Settings : AudioSettings
    {
        [CommandArgument(0, "<MANIFEST>")]
        [System.ComponentModel.Description("CSV with path,label and source; paths relative to it.")]
        public string Manifest { get; init; } = "";

        [CommandOption("-o|--output <FILE>")]
        [System.ComponentModel.Description("Where to write the model (JSON).")]
        public string Output { get; init; } = "";

        [CommandOption("--augment <TRANSFORM>")]
        [System.ComponentModel.Description("Also train on every clip after this transform (repeatable). Default: mp3-128k, as the shipped model.")]
        public string[] Augment { get; init; } = [];

        [CommandOption("--no-augment")]
        [System.ComponentModel.Description("Train on the clips as they are only.")]
        public bool NoAugment { get; init; }

        /// <summary>The transforms to train on besides the clips as they are.</summary>
        public IReadOnlyList<string> Augmentations => NoAugment ? [] : Augment.Length > 0 ? Augment : Evaluator.DefaultAugmentations;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("-o FILE is required");
            foreach (var t in Augment)
                if (!AudioTransforms.IsKnown(t)) return ValidationResult.Error($"unknown --augment '{t}'");
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var entries = Manifest.Read(settings.Manifest);
        var config = FeatureConfig.Default;
        var examples = new List<LabeledExample>();
        int failed = 0;
        foreach (var transform in new[] { "none" }.Concat(settings.Augmentations))
        {
            var measured = await EvalCommand.MeasureWithProgress(entries, config, transform, settings, true, cancellationToken);
            failed += measured.Count(m => !m.HasFeatures);
            examples.AddRange(Evaluator.TrainingExamples(measured, transform));
        }
        var model = Trainer.Train(examples, FeatureExtractor.FeatureNames, config.Id, TrainingOptions.Default with { Transforms = [.. settings.Augmentations] });
        var directory = Path.GetDirectoryName(Path.GetFullPath(settings.Output))!;
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(settings.Output, model.ToJson(), cancellationToken);
        AnsiConsole.MarkupLine($"trained [bold]{model.ModelId}[/] on {examples.Count} clips ({model.Training.AiExamples} ai, {model.Training.HumanExamples} human, {model.Training.Sources} sources); {failed} clips had no usable features");
        AnsiConsole.MarkupLine($"AI threshold {model.AiThreshold:0.000}; written to {Markup.Escape(settings.Output)}");
        return ExitCodes.Ok;
    }
}
