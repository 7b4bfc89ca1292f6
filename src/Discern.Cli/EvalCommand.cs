using System.Text.Json;
using Discern.Evaluation;
using Discern.Features;
using Discern.Model;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Discern.Cli;

internal sealed class EvalCommand : AsyncCommand<EvalCommand.Settings>
{
    public sealed class Settings : TrainingSettings
    {
        [CommandArgument(0, "<MANIFEST>")]
        [System.ComponentModel.Description("CSV with path,label (ai|human) and optional source, generator; paths relative to it.")]
        public string Manifest { get; init; } = "";

        [CommandOption("--json")]
        [System.ComponentModel.Description("Print the report as JSON.")]
        public bool Json { get; init; }

        [CommandOption("--group-by <COLUMN>")]
        [System.ComponentModel.Description("Leave-one-group-out training and evaluation by 'source' or 'generator', instead of scoring with a fixed model.")]
        public string? GroupBy { get; init; }

        [CommandOption("--transform <NAME>")]
        [System.ComponentModel.Description("Re-encode or manipulate every clip alike first (mp3-128k, aac-128k, opus-96k, pitch+1, resample-32k…).")]
        public string Transform { get; init; } = "none";

        /// <summary>Training transforms besides the evaluated condition, for leave-one-group-out (none with a fixed model).</summary>
        public IReadOnlyList<string> Augmentations => GroupBy is null ? [] : ChosenAugmentations;

        [CommandOption("--rows <FILE>")]
        [System.ComponentModel.Description("Also write every clip's score to this CSV file.")]
        public string? RowsPath { get; init; }

        public override ValidationResult Validate()
        {
            if (GroupBy is not (null or "source" or "generator")) return ValidationResult.Error("--group-by takes 'source' or 'generator'");
            if ((Augment.Length > 0 || NoAugment) && GroupBy is null) return ValidationResult.Error("--augment and --no-augment need --group-by (a fixed model was trained already)");
            if (!AudioTransforms.IsKnown(Transform)) return ValidationResult.Error($"unknown --transform '{Transform}'; known: none, {string.Join(", ", AudioTransforms.Names)}");
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var entries = Manifest.Read(settings.Manifest);
        var config = FeatureConfig.Default;
        var measured = await MeasureWithProgress(entries, config, settings.Transform, settings, !settings.Json, cancellationToken);
        var augmented = new List<IReadOnlyList<MeasuredEntry>>();
        // Each fold trains as `train` does: the clips as they are plus each augmentation. When the evaluated clips are themselves
        // transformed, they stand for one of those conditions, and the untransformed clips are measured as another.
        var trainingConditions = new[] { "none" }.Concat(settings.Augmentations).Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(t => !t.Equals(settings.Transform, StringComparison.OrdinalIgnoreCase));
        if (settings.Augmentations.Count > 0)
            foreach (var t in trainingConditions)
                augmented.Add(await MeasureWithProgress(entries, config, t, settings, !settings.Json, cancellationToken));
        var report = settings.GroupBy is { } column
            ? Evaluator.LeaveOneGroupOut(measured, e => column == "source" ? e.Source : e.Generator, column, config,
                TrainingOptions.Default with { Transforms = settings.Augmentations }, settings.Transform, augmented)
            : Evaluator.WithModel(measured, settings.LoadDetector(), settings.Transform);

        if (settings.RowsPath is not null)
        {
            await using var writer = new StreamWriter(settings.RowsPath);
            await writer.WriteLineAsync("path,label,source,probability_ai,verdict,fold,error");
            foreach (var r in report.Rows)
                await writer.WriteLineAsync($"\"{r.Path}\",{(r.IsAi ? "ai" : "human")},{r.Source},{r.ProbabilityAi:0.0000},{r.Verdict},{r.Fold},\"{r.Error?.Replace("\"", "\"\"")}\"");
        }
        if (settings.Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(report, Json.Indented));
            return ExitCodes.Ok;
        }
        Print(report);
        return ExitCodes.Ok;
    }

    internal static async Task<IReadOnlyList<MeasuredEntry>> MeasureWithProgress(IReadOnlyList<ManifestEntry> entries, FeatureConfig config,
        string transform, AudioSettings settings, bool showProgress, CancellationToken ct)
    {
        if (!showProgress || Console.IsErrorRedirected)
            return await Evaluator.MeasureAsync(entries, config, transform, settings.WorkerCount, settings.ToOptions(), null, ct);
        IReadOnlyList<MeasuredEntry> result = [];
        await AnsiConsole.Progress().AutoClear(true).StartAsync(async ctx =>
        {
            var task = ctx.AddTask($"measuring ({transform})", maxValue: entries.Count);
            var progress = new Progress<int>(n => task.Value = n);
            result = await Evaluator.MeasureAsync(entries, config, transform, settings.WorkerCount, settings.ToOptions(), progress, ct);
        });
        return result;
    }

    private static string Pct(double? v) => v is { } x ? $"{x * 100:0.0} %" : "–";
    private static string Num(double? v) => v is { } x ? $"{x:0.000}" : "–";

    private static void Print(EvaluationReport report)
    {
        var o = report.Overall;
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(report.Method)}[/], transform [bold]{Markup.Escape(report.Transform)}[/]: {o.Count} clips ({o.Ai} ai, {o.Human} human), {report.Failures} failed");
        AnsiConsole.MarkupLine($"AUC {Num(o.Auc)}   TPR {Pct(o.TruePositiveRate)}   FPR {Pct(o.FalsePositiveRate)} at the default threshold   TPR@FPR1% {Pct(o.TprAtFpr1)}");
        AnsiConsole.MarkupLine($"confusion: TP {o.TruePositives}  FN {o.FalseNegatives}  TN {o.TrueNegatives}  FP {o.FalsePositives}");
        var table = new Table().AddColumns("source", "class", "clips", "AUC vs other class", "TPR", "FPR");
        foreach (var s in report.PerSource)
            table.AddRow(Markup.Escape(s.Source), s.Label, s.Metrics.Count.ToString(), Num(s.Metrics.Auc), Pct(s.Metrics.TruePositiveRate), Pct(s.Metrics.FalsePositiveRate));
        AnsiConsole.Write(table);
        foreach (var r in report.Rows.Where(r => r.Error is not null).Take(20))
            AnsiConsole.MarkupLine($"[red]failed[/] {Markup.Escape(r.Path)}: {Markup.Escape(r.Error!)}");
    }
}
