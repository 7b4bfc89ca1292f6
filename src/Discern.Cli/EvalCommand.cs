using System.Globalization;
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
        [CommandOption("--json")]
        [System.ComponentModel.Description("Print the report as JSON.")]
        public bool Json { get; init; }

        [CommandOption("--group-by <COLUMN>")]
        [System.ComponentModel.Description("Leave-one-group-out training and evaluation by 'source' or 'generator', instead of scoring with a fixed model.")]
        public string? GroupBy { get; init; }

        [CommandOption("--transform <NAMES>")]
        [System.ComponentModel.Description("Re-encode or manipulate every clip alike first (mp3-128k, aac-128k, opus-96k, pitch+1, tempo-5, noise-30db, loudnorm-limit, mix-human, lowpass-8k…). Several, comma-separated, or 'all': a robustness table against the clips as they are.")]
        public string Transform { get; init; } = "none";

        [CommandOption("--mix-with <FILE>")]
        [System.ComponentModel.Description("The human recording that the mix-human transform mixes under every clip.")]
        public string? MixWith { get; init; }

        /// <summary>The evaluated conditions, in order.</summary>
        public IReadOnlyList<string> Transforms => Transform.Equals("all", StringComparison.OrdinalIgnoreCase)
            ? ["none", .. AudioTransforms.Transforms.Select(t => t.Name)]
            : SplitNames(Transform);

        /// <summary>Training transforms besides the evaluated condition, for leave-one-group-out (none with a fixed model).</summary>
        public IReadOnlyList<string> Augmentations => GroupBy is null ? [] : ChosenAugmentations;

        [CommandOption("--features <NAMES>")]
        [System.ComponentModel.Description("With --group-by: the features each held-out model may weigh, comma-separated (default: the shipped model's).")]
        public string? Features { get; init; }

        [CommandOption("--compare-features <NAMES>")]
        [System.ComponentModel.Description("With --group-by: also hold out models that weigh these features instead, on the same measurements, and print how much their AUC differs, with the 95 % interval of the paired difference (sources as samples when the manifest names them).")]
        public string? CompareFeatures { get; init; }

        /// <summary>The features the held-out models weigh.</summary>
        public IReadOnlyList<string> ChosenFeatures => Features is null ? FeatureExtractor.ScoredFeatures : SplitNames(Features);

        internal static string[] SplitNames(string names) => names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        [CommandOption("--rows <FILE>")]
        [System.ComponentModel.Description("Also write every clip's score to this CSV file, one row per clip and evaluated transform.")]
        public string? RowsPath { get; init; }

        public override ValidationResult Validate()
        {
            if (GroupBy is not (null or "source" or "generator")) return ValidationResult.Error("--group-by takes 'source' or 'generator'");
            if ((Augment.Length > 0 || NoAugment) && GroupBy is null) return ValidationResult.Error("--augment and --no-augment need --group-by (a fixed model was trained already)");
            if ((Features ?? CompareFeatures) is not null && GroupBy is null) return ValidationResult.Error("--features and --compare-features need --group-by (a fixed model weighs what it was trained on)");
            foreach (var list in new[] { Features, CompareFeatures })
            {
                if (list is null) continue;
                var names = SplitNames(list);
                if (names.Length == 0) return ValidationResult.Error("--features and --compare-features need at least one feature");
                if (names.FirstOrDefault(n => !FeatureExtractor.FeatureNames.Contains(n)) is { } unknownFeature)
                    return ValidationResult.Error($"unknown feature '{unknownFeature}'; measured: {string.Join(", ", FeatureExtractor.FeatureNames)}");
            }
            if (Transforms.Count == 0) return ValidationResult.Error("--transform needs a name");
            if (Transforms.FirstOrDefault(t => !AudioTransforms.IsKnown(t)) is { } unknown)
                return ValidationResult.Error($"unknown --transform '{unknown}'; known: none, all, {string.Join(", ", AudioTransforms.Names)}");
            if (Transforms.Any(t => t.Equals("mix-human", StringComparison.OrdinalIgnoreCase)) && (MixWith is null || !File.Exists(MixWith)))
                return ValidationResult.Error("--transform mix-human needs --mix-with FILE, a human recording (e.g. samples/warzone2100-aftermath-track25-excerpt.ogg)");
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var entries = Manifest.Read(settings.Manifest);
        var config = FeatureConfig.Default;
        var transformOptions = new TransformOptions { MixWithPath = settings.MixWith };
        var cache = new Dictionary<string, IReadOnlyList<MeasuredEntry>>(StringComparer.OrdinalIgnoreCase);
        async Task<IReadOnlyList<MeasuredEntry>> Measured(string transform)
        {
            if (!cache.TryGetValue(transform, out var m))
                cache[transform] = m = await MeasureWithProgress(entries, config, transform, settings, transformOptions, !settings.Json, cancellationToken);
            return m;
        }
        var reports = new List<EvaluationReport>();
        var comparisons = new List<FeatureComparison>();
        foreach (var transform in settings.Transforms)
        {
            var measured = await Measured(transform);
            // Each fold trains as `train` does: the clips as they are plus each augmentation. When the evaluated clips are themselves
            // transformed, they stand for one of those conditions, and the untransformed clips are measured as another.
            var augmented = new List<IReadOnlyList<MeasuredEntry>>();
            if (settings.Augmentations.Count > 0)
                foreach (var t in new[] { "none" }.Concat(settings.Augmentations).Distinct(StringComparer.OrdinalIgnoreCase)
                             .Where(t => !t.Equals(transform, StringComparison.OrdinalIgnoreCase)))
                    augmented.Add(await Measured(t));
            if (settings.GroupBy is not { } column)
            {
                reports.Add(Evaluator.WithModel(measured, settings.LoadDetector(), transform));
                continue;
            }
            EvaluationReport HeldOut(IReadOnlyList<string> features) => Evaluator.LeaveOneGroupOut(measured,
                e => column == "source" ? e.Source : e.Generator, column, config,
                Evaluator.ShippedTrainingOptions with { Transforms = settings.Augmentations, Features = features }, transform, augmented);
            var report = HeldOut(settings.ChosenFeatures);
            reports.Add(report);
            if (settings.CompareFeatures is { } compared)
            {
                var features = Settings.SplitNames(compared);
                comparisons.Add(new FeatureComparison(transform, settings.ChosenFeatures, features, Evaluator.Compare(report, HeldOut(features))));
            }
        }
        if (settings.RowsPath is not null) await WriteRowsAsync(settings.RowsPath, reports);
        if (reports.Count > 1)
        {
            var table = Robustness.Summarise(reports);
            if (settings.Json) Console.Out.WriteLine(JsonSerializer.Serialize(new { robustness = table, reports, comparisons }, Json.Indented));
            else PrintRobustness(table);
        }
        else if (settings.Json)
        {
            // One report is printed as itself, as before comparisons existed; a comparison is added beside it.
            var json = JsonSerializer.SerializeToNode(reports[0], Json.Indented)!;
            if (comparisons.Count > 0) json["comparison"] = JsonSerializer.SerializeToNode(comparisons[0], Json.Indented);
            Console.Out.WriteLine(json.ToJsonString(Json.Indented));
        }
        else Print(reports[0]);
        if (!settings.Json) PrintComparisons(comparisons);
        return ExitCodes.Ok;
    }

    /// <summary>One evaluated condition's paired comparison of two feature sets, held out alike.</summary>
    /// <param name="Transform">The evaluated condition.</param>
    /// <param name="Baseline">The features of the report's models.</param>
    /// <param name="Candidate">The features compared with them.</param>
    /// <param name="Result">The AUCs and their difference (null when the clips span too few sources).</param>
    internal sealed record FeatureComparison(string Transform, IReadOnlyList<string> Baseline, IReadOnlyList<string> Candidate, AucComparison? Result);

    private static void PrintComparisons(IReadOnlyList<FeatureComparison> comparisons)
    {
        foreach (var c in comparisons)
            AnsiConsole.MarkupLine(c.Result is not { } r
                ? Markup.Escape($"{c.Transform}: the compared features could not be weighed against the others (too few sources of a class)")
                : Markup.Escape(Invariant($"{c.Transform}: AUC {r.Candidate:0.000} with {string.Join(",", c.Candidate)} against {r.Baseline:0.000}: difference {r.Difference:+0.000;-0.000;0.000} (95 % CI {r.Lower:+0.000;-0.000;0.000} to {r.Upper:+0.000;-0.000;0.000} for the paired difference)")));
    }

    /// <summary>
    /// Every clip's score under every evaluated transform, so a robustness run can be examined clip by clip (which human
    /// recordings a manipulation pushed over the threshold) without measuring it all again.
    /// </summary>
    private static async Task WriteRowsAsync(string path, IReadOnlyList<EvaluationReport> reports)
    {
        await using var writer = new StreamWriter(path);
        await writer.WriteLineAsync("path,label,source,transform,probability_ai,verdict,fold,error");
        foreach (var report in reports)
            foreach (var r in report.Rows)
                await writer.WriteLineAsync(string.Join(',', Manifest.FormatCell(r.Path), r.IsAi ? "ai" : "human", Manifest.FormatCell(r.Source),
                    Manifest.FormatCell(report.Transform), r.ProbabilityAi?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "", r.Verdict,
                    Manifest.FormatCell(r.Fold), Manifest.FormatCell(r.Error)));
    }

    internal static async Task<IReadOnlyList<MeasuredEntry>> MeasureWithProgress(IReadOnlyList<ManifestEntry> entries, FeatureConfig config,
        string transform, AudioSettings settings, TransformOptions? transformOptions, bool showProgress, CancellationToken ct)
    {
        if (!showProgress)
            return await Evaluator.MeasureAsync(entries, config, transform, settings.WorkerCount, settings.ToOptions(), null, transformOptions, ct);
        if (Console.IsErrorRedirected)
        {
            // A log file gets one line per condition, not a redrawn bar: a robustness run measures for half an hour and
            // used to print nothing at all until its table.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var measured = await Evaluator.MeasureAsync(entries, config, transform, settings.WorkerCount, settings.ToOptions(), null, transformOptions, ct);
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"measured {measured.Count} clips ({transform}) in {clock.Elapsed.TotalSeconds:0} s, {measured.Count(m => m.Error is not null)} failed"));
            return measured;
        }
        IReadOnlyList<MeasuredEntry> result = [];
        await AnsiConsole.Progress().AutoClear(true).StartAsync(async ctx =>
        {
            var task = ctx.AddTask($"measuring ({transform})", maxValue: Evaluator.EntriesMeasuredFor(entries, transform).Count);
            var progress = new Progress<int>(n => task.Value = n);
            result = await Evaluator.MeasureAsync(entries, config, transform, settings.WorkerCount, settings.ToOptions(), progress, transformOptions, ct);
        });
        return result;
    }

    /// <summary>The reliability table: of the clips given each band of probabilities, the share that is AI.</summary>
    private static void PrintCalibration(CalibrationCheck? calibration)
    {
        if (calibration is null) return;
        var table = new Table().Title(Invariant($"calibration, each class weighed equally: Brier {calibration.BrierScore:0.000}, ECE {calibration.ExpectedCalibrationError:0.000}"))
            .AddColumns("P(AI)", "clips", "of them AI", "mean P(AI)", "share AI");
        foreach (var b in calibration.Bins)
            table.AddRow(Invariant($"{b.FromProbability:0.0}–{b.ToProbability:0.0}"), b.Clips.ToString(CultureInfo.InvariantCulture),
                b.AiClips.ToString(CultureInfo.InvariantCulture), Invariant($"{b.MeanProbabilityAi:0.00}"), Invariant($"{b.AiShare:0.00}"));
        AnsiConsole.Write(table);
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    /// <summary>Generator named in the manifest (rows) against the decoder family the residual comb points to (columns), for AI clips.</summary>
    private static void PrintAttribution(EvaluationReport report)
    {
        var ai = report.Rows.Where(r => r.IsAi && r.Attributed is not null).ToList();
        if (ai.Count == 0) return;
        var families = ai.Select(r => r.Attributed!).Distinct().Order(StringComparer.Ordinal).ToList();
        var table = new Table().Title("attribution: generator (manifest) × decoder family named from the comb");
        table.AddColumn("generator");
        foreach (var f in families) table.AddColumn(Markup.Escape(f));
        foreach (var g in ai.GroupBy(r => r.Generator).OrderBy(g => g.Key, StringComparer.Ordinal))
            table.AddRow([Markup.Escape(g.Key), .. families.Select(f => g.Count(r => r.Attributed == f).ToString())]);
        AnsiConsole.Write(table);
    }

    private static void PrintRobustness(IReadOnlyList<RobustnessRow> rows)
    {
        var table = new Table().AddColumns("transform", "kind", "AUC", "95 % CI", "TPR", "FPR", "uncertain", "mean |ΔP(AI)|", "ECE", "failed");
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Transform), Markup.Escape(r.Kind), Num(r.Auc), Range(r.AucConfidence), Pct(r.TruePositiveRate), Pct(r.FalsePositiveRate),
                Pct(r.UncertainRate), Num(r.MeanProbabilityShift), Num(r.CalibrationError), r.Failures.ToString());
        AnsiConsole.Write(table);
    }

    private static string Pct(double? v) => v is { } x ? Invariant($"{x * 100:0.0} %") : "–";
    private static string Num(double? v) => v is { } x ? Invariant($"{x:0.000}") : "–";
    private static string Range(AucInterval? i) => i is null ? "–" : Invariant($"{i.Lower:0.00}–{i.Upper:0.00}");

    /// <summary>The overall AUC's interval, naming what it counted as samples (sources, unless the manifest has none).</summary>
    private static string Interval(DetectionMetrics o) => o.AucConfidence is not { } i ? "" :
        Invariant($" (95 % CI {i.Lower:0.000}–{i.Upper:0.000}, {i.AiClusters} AI and {i.HumanClusters} human {(i.AiClusters == o.Ai && i.HumanClusters == o.Human ? "clips" : "sources")})");

    private static void Print(EvaluationReport report)
    {
        var o = report.Overall;
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(report.Method)}[/], transform [bold]{Markup.Escape(report.Transform)}[/]: {o.Count} clips ({o.Ai} ai, {o.Human} human), {report.Failures} failed");
        AnsiConsole.MarkupLine($"AUC {Num(o.Auc)}{Interval(o)}   TPR {Pct(o.TruePositiveRate)}   FPR {Pct(o.FalsePositiveRate)} at the default threshold   TPR@FPR1% {Pct(o.TprAtFpr1)}");
        AnsiConsole.MarkupLine($"confusion: TP {o.TruePositives}  FN {o.FalseNegatives}  TN {o.TrueNegatives}  FP {o.FalsePositives}");
        var table = new Table().AddColumns("source", "class", "clips", "AUC vs other class", "95 % CI (clips)", "TPR", "FPR");
        foreach (var s in report.PerSource)
            table.AddRow(Markup.Escape(s.Source), s.Label, s.Metrics.Count.ToString(), Num(s.Metrics.Auc), Range(s.Metrics.AucConfidence), Pct(s.Metrics.TruePositiveRate), Pct(s.Metrics.FalsePositiveRate));
        AnsiConsole.Write(table);
        PrintCalibration(report.Calibration);
        PrintAttribution(report);
        foreach (var r in report.Rows.Where(r => r.Error is not null).Take(20))
            AnsiConsole.MarkupLine($"[red]failed[/] {Markup.Escape(r.Path)}: {Markup.Escape(r.Error!)}");
    }
}
