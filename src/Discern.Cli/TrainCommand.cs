using Discern.Evaluation;
using Discern.Features;
using Discern.Model;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Discern.Cli;

internal sealed class TrainCommand : AsyncCommand<TrainCommand.Settings>
{
    public sealed class Settings : TrainingSettings
    {
        [CommandOption("-o|--output <FILE>")]
        [System.ComponentModel.Description("Where to write the model (JSON).")]
        public string Output { get; init; } = "";

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("-o FILE is required");
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var entries = Manifest.Read(settings.Manifest);
        var config = FeatureConfig.Default;
        var run = await Evaluator.TrainAsync(entries, config, settings.ChosenAugmentations,
            (transform, ct) => EvalCommand.MeasureWithProgress(entries, config, transform, settings, null, true, ct), cancellationToken);
        var model = run.Model;
        var directory = Path.GetDirectoryName(Path.GetFullPath(settings.Output))!;
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(settings.Output, model.ToJson(), cancellationToken);
        AnsiConsole.MarkupLine($"trained [bold]{model.ModelId}[/] on {model.Training.Examples} clips ({model.Training.AiExamples} ai, {model.Training.HumanExamples} human, {model.Training.Sources} sources)" +
                               $"{(model.Training.ThresholdExamples > 0 ? $", threshold also over {model.Training.ThresholdExamples} manipulated human copies" : "")}; {run.ClipsWithoutFeatures} clips had no usable features");
        AnsiConsole.MarkupLine($"AI threshold {model.AiThreshold:0.000}; written to {Markup.Escape(settings.Output)}");
        return ExitCodes.Ok;
    }
}
