using System.Collections.Concurrent;
using System.Text.Json;
using Discern.Evaluation;
using Discern.Features;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Discern.Cli;

internal sealed class SpliceCommand : AsyncCommand<SpliceCommand.Settings>
{
    public sealed class Settings : TrainingSettings
    {
        [CommandOption("--held-out")]
        [System.ComponentModel.Description("Score each track with a model trained without either of its two sources (as 'train' trains), instead of the shipped or --model one, which has seen them.")]
        public bool HeldOut { get; init; }

        [CommandOption("--cases <N>")]
        [System.ComponentModel.Description("Tracks made in each direction (default 40).")]
        public int Cases { get; init; } = SpliceOptions.Default.CasesPerDirection;

        [CommandOption("--seed <N>")]
        [System.ComponentModel.Description("Seed of the choice of clips and insertion points (default 1).")]
        public int Seed { get; init; } = SpliceOptions.Default.Seed;

        [CommandOption("--transform <NAME>")]
        [System.ComponentModel.Description("Apply this to each finished track, e.g. mp3-128k (default none).")]
        public string Transform { get; init; } = "none";

        [CommandOption("--json")]
        [System.ComponentModel.Description("Print the report as JSON.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (Cases <= 0) return ValidationResult.Error("--cases must be positive");
            if (!Transform.Equals("none", StringComparison.OrdinalIgnoreCase) && (!AudioTransforms.IsKnown(Transform) || AudioTransforms.Get(Transform).NeedsMixSource))
                return ValidationResult.Error($"--transform takes one of: none, {string.Join(", ", AudioTransforms.Transforms.Where(t => !t.NeedsMixSource).Select(t => t.Name))}");
            if (ModelPath is not null && HeldOut) return ValidationResult.Error("--model and --held-out exclude each other");
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var entries = Manifest.Read(settings.Manifest);
        var config = FeatureConfig.Default;
        var options = SpliceOptions.Default with { CasesPerDirection = settings.Cases, Seed = settings.Seed, Transform = settings.Transform };
        bool progress = !settings.Json;
        var measured = await EvalCommand.MeasureWithProgress(entries, config, "none", settings, null, progress, cancellationToken);
        var cases = Splicing.Plan(measured, options);
        if (cases.Count == 0) throw new FormatException("The manifest has no clips long enough to splice in both classes.");

        Func<SpliceCase, Detector> detectorFor;
        string method;
        if (settings.HeldOut)
        {
            var augmented = new List<IReadOnlyList<MeasuredEntry>>();
            foreach (var t in settings.ChosenAugmentations)
                augmented.Add(await EvalCommand.MeasureWithProgress(entries, config, t, settings, null, progress, cancellationToken));
            var training = Evaluator.ShippedTrainingOptions with { Transforms = settings.ChosenAugmentations };
            var models = new ConcurrentDictionary<(string, string), Lazy<Detector>>();
            detectorFor = c => models.GetOrAdd((c.Host.Source, c.Insert.Source), key => new Lazy<Detector>(() =>
                Evaluator.TrainWithout(measured, augmented, e => e.Source == key.Item1 || e.Source == key.Item2, config, training)
                ?? throw new FormatException($"No model can be trained without sources {key.Item1} and {key.Item2}."))).Value;
            method = "held out: each track scored by a model trained without its two sources";
        }
        else
        {
            var detector = settings.LoadDetector();
            detectorFor = _ => detector;
            method = $"model {detector.Model.ModelId} (it may have seen these sources)";
        }

        SpliceReport report = null!;
        async Task Run(IProgress<int>? p) =>
            report = await Splicing.EvaluateAsync(cases, detectorFor, method, options, settings.ToOptions(), settings.WorkerCount, p, cancellationToken);
        if (!progress || Console.IsErrorRedirected) await Run(null);
        else await AnsiConsole.Progress().AutoClear(true).StartAsync(async ctx =>
        {
            var task = ctx.AddTask("splicing and locating", maxValue: cases.Count);
            await Run(new Progress<int>(n => task.Value = n));
        });

        if (settings.Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(report, Json.Indented));
            return ExitCodes.Ok;
        }
        AnsiConsole.MarkupLine($"[bold]splice localisation[/], {Markup.Escape(report.Method)}; {options.InsertSeconds:0.#} s inserted into {options.HostSeconds:0.#} s of a clip of the other class, transform {Markup.Escape(options.Transform)}, seed {options.Seed}");
        var table = new Table().AddColumns("direction", "tracks", "section found", "mean boundary error", "median", "IoU ≥ 0.5", "chance error", "failed");
        foreach (var s in report.Summaries)
            table.AddRow(s.Direction, s.Cases.ToString(), s.Found.ToString(), Seconds(s.MeanBoundaryErrorSeconds), Seconds(s.MedianBoundaryErrorSeconds),
                s.HitRate is { } h ? $"{h * 100:0.0} %" : "–", Seconds(s.ChanceBoundaryErrorSeconds), s.Failures.ToString());
        AnsiConsole.Write(table);
        foreach (var r in report.Results.Where(r => r.Error is not null).Take(10))
            AnsiConsole.MarkupLine($"[red]failed[/] {Markup.Escape(r.Case.Insert.RelativePath)} in {Markup.Escape(r.Case.Host.RelativePath)}: {Markup.Escape(r.Error!)}");
        return report.Results.All(r => r.Error is null) ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static string Seconds(double? v) => v is { } x ? $"{x:0.0} s" : "–";
}
