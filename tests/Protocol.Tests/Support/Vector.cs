namespace Protocol.Tests.Support;

/// <summary>One row of Vectors/vectors.tsv: a real frame (or stream) from a public source and what a decoder must do.</summary>
public sealed record Vector(string File, string Title, string Kind, string Checksum, string Expect, string Hex)
{
    public byte[] Bytes => Convert.FromHexString(Hex);

    public override string ToString() => $"{File}: {Title}";
}

public static class VectorCatalog
{
    private static readonly Lazy<IReadOnlyList<Vector>> s_all = new(Load);

    public static IReadOnlyList<Vector> All => s_all.Value;

    public static IEnumerable<Vector> WithExpect(params string[] expects) =>
        All.Where(v => expects.Contains(v.Expect));

    /// <summary>Rows as xunit theory data, named by file and title so a failure says which real frame broke.</summary>
    public static TheoryData<Vector> Theory(params string[] expects)
    {
        var data = new TheoryData<Vector>();
        foreach (var v in WithExpect(expects))
        {
            data.Add(v);
        }
        return data;
    }

    public static Vector Find(string file, string titleStart) =>
        All.Single(v => v.File == file && v.Title.StartsWith(titleStart, StringComparison.Ordinal));

    private static IReadOnlyList<Vector> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", "vectors.tsv");
        var rows = new List<Vector>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            // file, index, title, kind, checksum, length_consistent, expect, hex
            var f = line.Split('\t');
            rows.Add(new Vector(f[0], f[2], f[3], f[4], f[6], f[7].Trim()));
        }
        return rows;
    }
}
