using Discern.Evaluation;
using Spectre.Console;

namespace Discern.Cli;

/// <summary>Prints a robustness table: one line per manipulation.</summary>
internal static class RobustnessTable
{
    public static void Print(IReadOnlyList<RobustnessRow> rows)
    {
        var table = new Table().AddColumns("transform", "kind", "AUC", "TPR", "FPR", "uncertain", "mean |ΔP(AI)|", "failed");
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Transform), Markup.Escape(r.Kind), Num(r.Auc), Pct(r.TruePositiveRate), Pct(r.FalsePositiveRate),
                Pct(r.UncertainRate), Num(r.MeanProbabilityShift), r.Failures.ToString());
        AnsiConsole.Write(table);
    }

    private static string Pct(double? v) => v is { } x ? $"{x * 100:0.0} %" : "–";
    private static string Num(double? v) => v is { } x ? $"{x:0.000}" : "–";
}
