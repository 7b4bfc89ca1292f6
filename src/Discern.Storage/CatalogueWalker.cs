using Discern.Audio;
using Discern.Evaluation;
using Microsoft.Extensions.FileSystemGlobbing;

namespace Discern.Storage;

/// <summary>
/// Finds the audio and video files under a scan's inputs — folders (recursively), single files, glob patterns and
/// manifests (a CSV with a <c>path</c> column, or an M3U/text list, paths relative to the manifest) — lazily, so the
/// walk of a huge catalogue holds one directory entry at a time, not a list of millions.
/// </summary>
public static class CatalogueWalker
{
    // Only a shortcut for the walk: files with these names are queued without opening them (their bytes are sniffed
    // when analysed, and a misnamed one fails with a clear error); any other file is queued only if its first bytes
    // are audio or video. So cover.jpg and notes.txt are left out, and a song saved as "track.bin" is not.
    private static readonly HashSet<string> MediaExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".mp3", ".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".m4b", ".mp4", ".m4v", ".aac", ".wma", ".wmv",
        ".webm", ".mkv", ".mka", ".mov", ".avi", ".aif", ".aiff", ".aifc", ".caf", ".amr", ".ac3", ".mp2", ".3gp", ".flv", ".ts",
    };

    private static readonly HashSet<string> ManifestExtensions = new(StringComparer.OrdinalIgnoreCase) { ".csv", ".m3u", ".m3u8", ".txt", ".lst" };

    /// <summary>Walks <paramref name="inputs"/> in order.</summary>
    /// <param name="inputs">Folders, files, globs (<c>music/*.mp3</c>) or manifests.</param>
    /// <param name="onProblem">Told about an input that does not exist or a folder that cannot be read; the walk goes on.</param>
    public static IEnumerable<FileCandidate> Walk(IEnumerable<string> inputs, Action<string>? onProblem = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var input in inputs)
        {
            foreach (var file in WalkOne(input, onProblem))
                yield return file;
        }
    }

    private static IEnumerable<FileCandidate> WalkOne(string input, Action<string>? onProblem)
    {
        if (Directory.Exists(input))
        {
            var options = new EnumerationOptions
            {
                RecurseSubdirectories = true,
                IgnoreInaccessible = true,
                AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
            };
            foreach (var file in new DirectoryInfo(input).EnumerateFiles("*", options))
                if (IsMedia(file)) yield return FileCandidate.From(file);
        }
        else if (input.IndexOfAny(['*', '?']) >= 0)
        {
            var root = Path.GetDirectoryName(input) is { Length: > 0 } d ? d : ".";
            // Globs may reach into folders ("music/**/*.flac"): match from the first folder without wildcards.
            while (root.IndexOfAny(['*', '?']) >= 0) root = Path.GetDirectoryName(root) is { Length: > 0 } up ? up : ".";
            var pattern = Path.GetRelativePath(root, input);
            if (!Directory.Exists(root))
            {
                onProblem?.Invoke($"'{input}': folder '{root}' does not exist.");
                yield break;
            }
            var matcher = new Matcher();
            matcher.AddInclude(pattern);
            foreach (var relative in matcher.GetResultsInFullPath(root))
            {
                var file = new FileInfo(relative);
                if (IsMedia(file)) yield return FileCandidate.From(file);
            }
        }
        else if (File.Exists(input))
        {
            var file = new FileInfo(input);
            if (ManifestExtensions.Contains(file.Extension) && !IsMediaByContent(file))
            {
                foreach (var listed in ReadManifest(file, onProblem))
                    yield return listed;
            }
            else yield return FileCandidate.From(file); // named explicitly: analysed, or its error recorded
        }
        else onProblem?.Invoke($"'{input}' does not exist.");
    }

    private static IEnumerable<FileCandidate> ReadManifest(FileInfo manifest, Action<string>? onProblem)
    {
        string root = manifest.DirectoryName ?? ".";
        bool csv = manifest.Extension.Equals(".csv", StringComparison.OrdinalIgnoreCase);
        int pathColumn = 0;
        bool header = csv;
        foreach (var rawLine in File.ReadLines(manifest.FullName))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || (!csv && line.StartsWith('#'))) continue;
            string listed;
            if (csv)
            {
                var fields = Manifest.ParseLine(line);
                if (header)
                {
                    header = false;
                    int found = fields.FindIndex(f => f.Trim().Equals("path", StringComparison.OrdinalIgnoreCase));
                    if (found >= 0) { pathColumn = found; continue; }
                }
                if (pathColumn >= fields.Count) continue;
                listed = fields[pathColumn].Trim();
            }
            else listed = line;
            var file = new FileInfo(Path.IsPathRooted(listed) ? listed : Path.Combine(root, listed));
            if (file.Exists) yield return FileCandidate.From(file);
            else onProblem?.Invoke($"'{listed}' (listed in {manifest.Name}) does not exist.");
        }
    }

    private static bool IsMedia(FileInfo file) => MediaExtensions.Contains(file.Extension) || IsMediaByContent(file);

    private static bool IsMediaByContent(FileInfo file)
    {
        if (file.Length == 0) return false;
        try
        {
            using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096);
            return AudioDecoders.Identify(stream) != AudioFormat.Unknown;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
