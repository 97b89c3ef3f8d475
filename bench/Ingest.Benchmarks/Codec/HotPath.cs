using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Hj1239;

namespace Ingest.Benchmarks.Codec;

/// <summary>
/// What a storage consumer does per frame on the hot path, using only the product's allocation-free API: frame the
/// buffer (marker, header, length, XOR check byte), then walk every info item of a realtime/reissue data unit,
/// touching each item's type and body. Logins and other commands stop after the header.
/// </summary>
public static class HotPath
{
    /// <summary>Realtime/reissue command ids, identical in both standards.</summary>
    private const byte Realtime = 0x02;
    private const byte Reissue = 0x03;

    public readonly record struct Outcome(FrameScanStatus Status, int Length, int Items, int Checksum, DecodeError Error);

    public static Outcome ScanAndWalk(ReadOnlySpan<byte> buffer, FramingOptions options, Hj1239Layout hjLayout = Hj1239Layout.Hj1239)
    {
        var scan = FrameScanner.Scan(buffer, options);
        if (scan.Status != FrameScanStatus.Frame)
        {
            return new Outcome(scan.Status, scan.Length, 0, 0, scan.Error);
        }
        var header = scan.Header;
        var dataUnit = buffer.Slice(FrameHeader.Size, header.DataLength);
        if (header.Command is not (Realtime or Reissue) || !header.IsCommand)
        {
            return new Outcome(scan.Status, scan.Length, 0, header.Vin.AsSpan()[^1], default);
        }
        return header.Layout == HeaderLayout.Hj1239
            ? WalkHj1239(dataUnit, hjLayout, scan.Length)
            : WalkGb32960(dataUnit, Gb32960Editions.FromMarker(header.Marker), scan.Length);
    }

    private static Outcome WalkGb32960(ReadOnlySpan<byte> dataUnit, Gb32960Edition edition, int length)
    {
        var walker = new Gb32960InfoWalker(dataUnit, edition);
        int items = 0, checksum = walker.Time.Second;
        while (walker.TryReadNext(out var item))
        {
            items++;
            checksum += item.Type + item.Body.Length + item.Body[0];
        }
        return new Outcome(FrameScanStatus.Frame, length, items, checksum, walker.Error);
    }

    private static Outcome WalkHj1239(ReadOnlySpan<byte> dataUnit, Hj1239Layout layout, int length)
    {
        var walker = new Hj1239ItemWalker(dataUnit, layout);
        int items = 0, checksum = walker.Serial;
        while (walker.TryReadNext(out var item))
        {
            items++;
            checksum += item.Type + item.Body.Length + item.Body[0] + item.CollectionTime.Second;
        }
        return new Outcome(FrameScanStatus.Frame, length, items, checksum, walker.Error);
    }
}
