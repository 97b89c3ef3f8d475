using Ingest.Protocol.Errors;
using Ingest.Protocol.Gb32960.InfoUnits;
using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.Bodies;

/// <summary>
/// 0x02 realtime and 0x03 reissue report (2016 §7.2-7.3; 2025 §7.2-7.3): the collection time, then info items in
/// wire order (a type may repeat; order is kept), then in 2025 the 0xFF starter and a signature block.
/// <para>
/// Leniency (real frames do this): items are decoded while their type has a known layout. From the first item that
/// has none (a reserved or custom type, a 2025 fuel-cell/super-capacitor item) the bytes are kept raw in
/// <see cref="UnknownTail"/>: in 2016 up to the end of the data unit, in 2025 up to the 0xFF that starts a signature
/// block ending exactly at the end of the data unit (if there is one). Bytes after a 2025 signature are kept in
/// <see cref="AfterSignature"/>. So a 2016 frame with trailing bytes decodes, with the trailing bytes as its tail.
/// An item whose declared counts run past the data unit is a <see cref="DecodeErrorKind.Truncated"/> error.
/// </para>
/// </summary>
public sealed class RealtimeReport : Gb32960Body
{
    public required Gb32960Edition Edition { get; init; }

    /// <summary>True for command 0x03 (reissued data), false for 0x02.</summary>
    public bool IsReissue { get; init; }

    public GbTime Time { get; init; }

    public IReadOnlyList<Gb32960InfoUnit> Items { get; init; } = [];

    /// <summary>Raw bytes from the first item without a known layout (its type byte included), or empty.</summary>
    public ReadOnlyMemory<byte> UnknownTail { get; init; }

    /// <summary>2025: the signature after the 0xFF starter, or null when the frame has none.</summary>
    public Gb32960Signature? Signature { get; init; }

    /// <summary>2025: bytes after the signature block (seen in the wild), or empty.</summary>
    public ReadOnlyMemory<byte> AfterSignature { get; init; }

    /// <summary>The command this body belongs to: 0x03 when reissued, else 0x02.</summary>
    public byte Command => IsReissue ? Gb32960Command.ReissueReport : Gb32960Command.RealtimeReport;

    public override int EncodedLength
    {
        get
        {
            int length = GbTime.Size + UnknownTail.Length;
            foreach (var item in Items)
            {
                length += 1 + item.BodyLength;
            }
            if (Signature is not null)
            {
                length += 1 + Signature.EncodedLength + AfterSignature.Length;
            }
            return length;
        }
    }

    internal override void Write(ref BigEndianWriter w)
    {
        if (Signature is null && !AfterSignature.IsEmpty)
        {
            ThrowHelper.Argument(nameof(AfterSignature), "Bytes after a signature need a signature.");
        }
        if (Signature is not null && Edition != Gb32960Edition.V2025)
        {
            ThrowHelper.Argument(nameof(Signature), "Only 2025 reports carry a signature.");
        }
        w.Time(Time);
        foreach (var item in Items)
        {
            if (!Fits(item))
            {
                ThrowHelper.Argument(nameof(Items), $"A {item.Kind} item of another edition cannot go into a {Edition.Name()} report.");
            }
            w.Byte(item.Type);
            item.WriteBody(ref w);
        }
        w.Bytes(UnknownTail.Span);
        if (Signature is not null)
        {
            w.Byte(Gb32960InfoType.SignatureStarter);
            Signature.Write(ref w);
            w.Bytes(AfterSignature.Span);
        }
    }

    private bool Fits(Gb32960InfoUnit item) => item switch
    {
        VehicleData u => u.Edition == Edition,
        DriveMotors u => u.Edition == Edition,
        FuelCell or Extremes => Edition == Gb32960Edition.V2016,
        Engine u => u.Edition == Edition,
        Location u => u.Edition == Edition,
        Alarms u => u.Edition == Edition,
        CellVoltages u => u.Edition == Edition,
        ProbeTemperatures u => u.Edition == Edition,
        _ => true,
    };

    internal static DecodeError TryRead(ReadOnlyMemory<byte> data, Gb32960Edition edition, bool isReissue, out RealtimeReport? body)
    {
        body = null;
        var span = data.Span;
        var walker = new Gb32960InfoWalker(span, edition);
        var items = new List<Gb32960InfoUnit>();
        while (walker.TryReadNext(out var item))
        {
            items.Add(InfoUnitReader.Read(item.Type, item.Kind, data.Slice(item.Offset + 1, item.Body.Length), edition));
        }
        var error = CheckAfterItems(span, walker, out int tailStart, out int tailEnd, out int signatureAt, out int afterSignature);
        if (error.IsError)
        {
            return error;
        }
        Gb32960Signature? signature = null;
        if (signatureAt >= 0)
        {
            Gb32960Signature.TryRead(data, signatureAt + 1, out signature, out _);
        }
        body = new RealtimeReport
        {
            Edition = edition,
            IsReissue = isReissue,
            Time = walker.Time,
            Items = items,
            UnknownTail = data[tailStart..tailEnd],
            Signature = signature,
            AfterSignature = signatureAt >= 0 ? data[afterSignature..] : ReadOnlyMemory<byte>.Empty,
        };
        return default;
    }

    /// <summary>
    /// The verdict <see cref="Gb32960Decoder"/> gives a realtime/reissue data unit, without decoding or allocating: an
    /// error exactly when the decoder would return one for this data unit. For consumers that read the items with a
    /// <see cref="Gb32960InfoWalker"/> and must treat the same frames as undecodable (storage keeps them raw only).
    /// </summary>
    public static DecodeError Check(ReadOnlySpan<byte> dataUnit, Gb32960Edition edition)
    {
        var walker = new Gb32960InfoWalker(dataUnit, edition);
        while (walker.TryReadNext(out _))
        {
        }
        return CheckAfterItems(dataUnit, walker, out _, out _, out _, out _);
    }

    /// <summary>
    /// Where a 2025 realtime/reissue data unit's signature lies, without decoding or allocating: the 0xFF starter
    /// (the signed bytes are <c>dataUnit[..starterAt]</c>, time through the last item), the algorithm byte and the
    /// R and S values. False when the data unit is malformed (see <see cref="Check"/>) or carries no signature.
    /// </summary>
    public static bool TryLocateSignature(ReadOnlySpan<byte> dataUnit, Gb32960Edition edition, out int starterAt, out byte algorithm,
        out Range r, out Range s)
    {
        algorithm = 0;
        r = s = default;
        var walker = new Gb32960InfoWalker(dataUnit, edition);
        while (walker.TryReadNext(out _))
        {
        }
        if (CheckAfterItems(dataUnit, walker, out _, out _, out starterAt, out _).IsError || starterAt < 0)
        {
            return false;
        }
        Gb32960Signature.Measure(dataUnit, starterAt + 1, out int rAt, out int rLength, out int sAt, out int sLength, out _);
        algorithm = dataUnit[starterAt + 1];
        r = new Range(rAt, rAt + rLength);
        s = new Range(sAt, sAt + sLength);
        return true;
    }

    /// <summary>
    /// What follows the walked items: the unknown tail (empty when none), the 0xFF signature starter (or -1) and where
    /// the bytes after the signature start; an error when an item or the signature is cut short.
    /// </summary>
    private static DecodeError CheckAfterItems(ReadOnlySpan<byte> span, in Gb32960InfoWalker walker, out int tailStart, out int tailEnd,
        out int signatureAt, out int afterSignature)
    {
        var error = walker.Error;
        int position = walker.Position;
        tailStart = tailEnd = position;
        signatureAt = afterSignature = -1;
        if (error.Kind == DecodeErrorKind.Truncated)
        {
            return error;
        }
        bool atSignature = walker.AtSignature;
        if (error.Kind == DecodeErrorKind.UnknownInfoType)
        {
            int found = walker.Edition == Gb32960Edition.V2025 ? FindSignature(span, position + 1) : -1;
            tailEnd = found >= 0 ? found : span.Length;
            position = tailEnd;
            atSignature = found >= 0;
        }
        if (atSignature)
        {
            error = Gb32960Signature.Measure(span, position + 1, out _, out _, out _, out _, out int end);
            if (error.IsError)
            {
                return error;
            }
            signatureAt = position;
            afterSignature = end;
        }
        return default;
    }

    /// <summary>The first 0xFF at or after <paramref name="from"/> that starts a signature block ending exactly at the end, or -1.</summary>
    private static int FindSignature(ReadOnlySpan<byte> data, int from)
    {
        for (int i = from; i < data.Length; i++)
        {
            int next = data[i..].IndexOf(Gb32960InfoType.SignatureStarter);
            if (next < 0)
            {
                return -1;
            }
            i += next;
            if (Gb32960Signature.EndsExactlyAt(data, i + 1))
            {
                return i;
            }
        }
        return -1;
    }
}
