using System.Text.Json;

namespace Discern.Storage.Tests;

public sealed class ReportTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Summary_and_exports_cover_every_row_and_escape_what_they_print(string kind)
    {
        await using var db = await TestDatabase.CreateAsync(kind);
        MusicFiles.Write(db.Folder, 4);
        var odd = Path.Combine(db.Folder, "<script>alert(1)</script>, \"quoted\"");
        Directory.CreateDirectory(odd);
        File.WriteAllBytes(Path.Combine(odd, "=cmd.wav"), [1, 2, 3]);
        await using var catalogue = await Catalogue.OpenAsync(db.Connection, forScanning: true);
        await new CatalogueScanner(catalogue, Detector.Load(), ScanOptions.Default with { Workers = 2 }).RunAsync([db.Folder]);

        var summary = await CatalogueReport.SummariseAsync(catalogue, top: 3);
        Assert.Equal(5, summary.Counts.Total);
        Assert.Equal(1, summary.Counts.Failed);
        Assert.Equal(4, summary.Ai + summary.Human + summary.Uncertain);
        Assert.Equal(summary.ProbabilityHistogram.Sum(), summary.Ai + summary.Human + summary.Uncertain);
        Assert.Equal(3, summary.Folders.Count); // album-a, album-b, the odd one
        Assert.Equal(3, summary.MostSuspicious.Count);
        Assert.True(summary.MostSuspicious[0].ProbabilityAi >= summary.MostSuspicious[2].ProbabilityAi);
        Assert.Equal(1, Assert.Single(summary.Failures).Count);

        var csv = new StringWriter();
        await CatalogueReport.WriteCsvAsync(catalogue, csv);
        var lines = csv.ToString().TrimEnd().Split('\n');
        Assert.Equal(6, lines.Length);
        Assert.StartsWith("path,folder,status,verdict,probability_ai", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"quoted\"\"\"", csv.ToString(), StringComparison.Ordinal); // quotes doubled inside a quoted cell

        using var jsonStream = new MemoryStream();
        await CatalogueReport.WriteJsonAsync(catalogue, summary, jsonStream);
        using var json = JsonDocument.Parse(jsonStream.ToArray());
        Assert.Equal(5, json.RootElement.GetProperty("files").GetArrayLength());
        Assert.Equal(5, json.RootElement.GetProperty("summary").GetProperty("counts").GetProperty("total").GetInt64());
        Assert.Contains(json.RootElement.GetProperty("files").EnumerateArray(), f => f.GetProperty("evidence").ValueKind == JsonValueKind.Object);

        var html = new StringWriter();
        await CatalogueReport.WriteHtmlAsync(summary, catalogue.Describe(), html, DateTimeOffset.UnixEpoch);
        string page = html.ToString();
        Assert.Contains("<svg", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", page, StringComparison.Ordinal);
        Assert.DoesNotContain("http", page.Replace("http://www.w3.org", "", StringComparison.Ordinal), StringComparison.Ordinal); // self-contained
    }
}
