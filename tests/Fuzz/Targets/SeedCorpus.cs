using System.Text;

namespace Ingest.Fuzz.Targets;

/// <summary>One input for a target: a file name for AFL's seed folder and the bytes (control bytes included).</summary>
public sealed record FuzzInput(string Name, byte[] Input)
{
    public override string ToString() => Name;
}

/// <summary>
/// Seeds for every target, built from the real frames of tests/Protocol.Tests/Vectors/vectors.tsv (columns: file,
/// index, title, kind, checksum, length_consistent, expect, hex; kind "frame" is one frame, "stream" a captured
/// stream). The same seeds start AFL (scripts/fuzz.sh) and are replayed by the unit tests.
/// </summary>
public static class SeedCorpus
{
    public static readonly string[] Targets = ["framer", "gb32960", "hj1239", "session"];

    private sealed record Row(string File, string Title, string Kind, byte[] Bytes);

    public static Dictionary<string, List<FuzzInput>> FromVectors(IEnumerable<string> tsvLines)
    {
        var rows = tsvLines.Skip(1)
            .Where(line => !string.IsNullOrWhiteSpace(line))
            .Select(line => line.Split('\t'))
            .Select(f => new Row(f[0], f[2], f[3], Convert.FromHexString(f[7].Trim())))
            .ToList();
        var frames = rows.Where(r => r.Kind == "frame" && r.Bytes.Length >= 4).ToList();
        var gb = frames.Where(r => IsGb(r.Bytes)).ToList();
        var hj = frames.Where(r => !IsGb(r.Bytes)).ToList();
        var corpus = Targets.ToDictionary(t => t, _ => new List<FuzzInput>());

        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
        {
            // All families, 16 KiB max, reads of 1-8 bytes; and a 300-byte max with larger reads.
            Add(corpus["framer"], $"{i:D3}-{Slug(row)}", 0x00, row.Bytes);
            Add(corpus["framer"], $"{i:D3}-{Slug(row)}-max300", 0x60, row.Bytes);
        }
        // Frames back to back with junk between them: resynchronisation after garbage.
        Add(corpus["framer"], "stream-with-junk", 0x40, [.. frames.Take(6).SelectMany(r => (byte[])[.. r.Bytes, .. "#x$$#"u8])]);

        foreach (var (row, i) in gb.Select((r, i) => (r, i)))
        {
            Add(corpus["gb32960"], $"{i:D3}-{Slug(row)}", 0x01, row.Bytes);
        }
        foreach (var (row, i) in hj.Select((r, i) => (r, i)))
        {
            foreach (var (layout, name) in new[] { (0x04, "auto"), (0x05, "annexq"), (0x06, "hj1239") })
            {
                Add(corpus["hj1239"], $"{i:D3}-{Slug(row)}-{name}", (byte)layout, row.Bytes);
            }
        }

        // Sessions: each source file's frames as one connection, on the listener of its family, in one read and in
        // small reads; plus the captured stream on an Auto listener.
        foreach (var (group, i) in frames.GroupBy(r => r.File).Select((g, i) => (g, i)))
        {
            var stream = group.SelectMany(r => r.Bytes).ToArray();
            byte protocol = group.All(r => IsGb(r.Bytes)) ? (byte)1 : group.All(r => !IsGb(r.Bytes)) ? (byte)2 : (byte)0;
            Add(corpus["session"], $"{i:D3}-{Slug(group.First())}-one-read", [(byte)(protocol | 0x04), 0x00], stream);
            Add(corpus["session"], $"{i:D3}-{Slug(group.First())}-small-reads", [(byte)(protocol | 0x14), 0x07], stream);
        }
        foreach (var row in rows.Where(r => r.Kind == "stream"))
        {
            Add(corpus["session"], $"stream-{Slug(row)}", [0x04, 0x20], row.Bytes);
        }
        return corpus;
    }

    /// <summary>
    /// Reads a committed corpus file (tests/Fuzz/Corpus/TARGET.tsv): one input per line as name, tab, hex (control
    /// bytes included); blank lines and lines starting with '#' are comments.
    /// </summary>
    public static List<FuzzInput> FromCorpusFile(IEnumerable<string> lines) => lines
        .Where(line => !string.IsNullOrWhiteSpace(line) && !line.StartsWith('#'))
        .Select(line => line.Split('\t'))
        .Select(f => new FuzzInput(f[0], Convert.FromHexString(f[1].Trim())))
        .ToList();

    /// <summary>GB/T 32960: "$$", or "##" with a response flag at byte 3 (an HJ 1239 VIN character never is one).</summary>
    private static bool IsGb(byte[] b) =>
        b[0] == 0x24 && b[1] == 0x24 || b[0] == 0x23 && b[1] == 0x23 && (b[3] is >= 0x01 and <= 0x07 or 0xFE);

    private static void Add(List<FuzzInput> list, string name, byte control, byte[] bytes) => Add(list, name, [control], bytes);

    private static void Add(List<FuzzInput> list, string name, byte[] control, byte[] bytes) =>
        list.Add(new FuzzInput(name, [.. control, .. bytes]));

    private static string Slug(Row row)
    {
        var text = new StringBuilder();
        foreach (char c in Path.GetFileNameWithoutExtension(row.File) + "-" + row.Title)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-');
            if (text.Length >= 48)
            {
                break;
            }
        }
        return text.ToString().Trim('-');
    }
}
