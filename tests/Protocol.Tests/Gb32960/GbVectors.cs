using Ingest.Protocol.Framing;
using Protocol.Tests.Support;

namespace Protocol.Tests.Gb32960;

/// <summary>The GB/T 32960 rows of vectors.tsv: byte 3 is a response flag, or the marker is "$$".</summary>
public static class GbVectors
{
    public static bool IsGb(Vector v)
    {
        if (v.Kind != "frame" || v.Hex.Length < 8)
        {
            return false;
        }
        var b = v.Bytes;
        return b[0] == 0x24 && b[1] == 0x24 || b[0] == 0x23 && b[1] == 0x23 && Gb32960ResponseFlags.IsKnown(b[3]);
    }

    public static IEnumerable<Vector> All => VectorCatalog.All.Where(IsGb);

    public static TheoryData<Vector> Theory(params string[] expects)
    {
        var data = new TheoryData<Vector>();
        foreach (var v in All.Where(v => expects.Contains(v.Expect)))
        {
            data.Add(v);
        }
        return data;
    }

    public static byte[] Bytes(string file, string titleStart) => VectorCatalog.Find(file, titleStart).Bytes;
}
