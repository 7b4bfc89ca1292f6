namespace Discern.Evaluation;

/// <summary>A labelled clip of a manifest.</summary>
/// <param name="Path">Absolute path of the audio file.</param>
/// <param name="RelativePath">Path as written in the manifest.</param>
/// <param name="IsAi">Label.</param>
/// <param name="Source">Source group ("unknown" when the column is absent).</param>
/// <param name="Generator">Generator or "human".</param>
public sealed record ManifestEntry(string Path, string RelativePath, bool IsAi, string Source, string Generator);

/// <summary>Reads manifests in the corpus's CSV format: <c>path,label[,generator][,source]…</c>, paths relative to the manifest.</summary>
public static class Manifest
{
    /// <summary>Reads <paramref name="manifestPath"/>.</summary>
    /// <exception cref="FormatException">A required column is missing or a label is not ai/human.</exception>
    public static IReadOnlyList<ManifestEntry> Read(string manifestPath)
    {
        if (!File.Exists(manifestPath)) throw new FileNotFoundException($"Manifest '{manifestPath}' does not exist.", manifestPath);
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(manifestPath))!;
        using var reader = new StreamReader(manifestPath);
        var header = ParseLine(reader.ReadLine() ?? throw new FormatException("The manifest is empty."));
        int pathCol = header.IndexOf("path"), labelCol = header.IndexOf("label");
        int sourceCol = header.IndexOf("source"), generatorCol = header.IndexOf("generator");
        if (pathCol < 0 || labelCol < 0) throw new FormatException("The manifest needs 'path' and 'label' columns.");
        var entries = new List<ManifestEntry>();
        int lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var cells = ParseLine(line);
            string Cell(int i) => i >= 0 && i < cells.Count ? cells[i].Trim() : "";
            var label = Cell(labelCol).ToLowerInvariant();
            if (label is not ("ai" or "human")) throw new FormatException($"Line {lineNumber}: label '{label}' is not 'ai' or 'human'.");
            var relative = Cell(pathCol);
            entries.Add(new ManifestEntry(System.IO.Path.GetFullPath(System.IO.Path.Combine(dir, relative)), relative, label == "ai",
                Cell(sourceCol) is { Length: > 0 } s ? s : "unknown",
                Cell(generatorCol) is { Length: > 0 } g ? g : label));
        }
        return entries;
    }

    /// <summary>Splits one RFC 4180 CSV line (quoted fields may hold commas and doubled quotes).</summary>
    public static List<string> ParseLine(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        cells.Add(cell.ToString());
        return cells;
    }

    /// <summary>One CSV field as <see cref="ParseLine"/> reads it back: quoted when it holds a comma, a quote or a line break (RFC 4180).</summary>
    public static string FormatCell(string? value) =>
        value is null ? "" : value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
