using System.Buffers.Binary;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;

namespace LoadGen.Frames;

/// <summary>Which clock a time field of a template follows.</summary>
public enum TimeFieldKind : byte
{
    /// <summary>When the frame is sent (HJ 1239 send time; GB login/logout time).</summary>
    Send,

    /// <summary>When the data was collected: equal to the send time for live data, in the past for reissue.</summary>
    Collection,
}

/// <summary>A 6-byte time inside a template, optionally some seconds before the base time (one-second samples).</summary>
public readonly record struct TimeField(int Offset, TimeFieldKind Kind, int SecondsBefore);

/// <summary>A 16-bit serial inside a template; the written value is the stamp's serial plus <see cref="Step"/>, wrapped to 1..65531.</summary>
public readonly record struct SerialField(int Offset, int Step);

/// <summary>
/// A whole frame built once per terminal and re-stamped in place before each send: only the time and serial
/// fields (and, for reissue, the command byte) change, and the check byte is patched for exactly those bytes.
/// Nothing is allocated per frame. A template is owned by one terminal and never stamped while a send of it is in flight.
/// </summary>
public sealed class FrameTemplate
{
    /// <summary>Serials run 1..65531 and wrap (GB/T 32960.3 §7.1.2, HJ 1239 terminals).</summary>
    public const int MaxSerial = 65531;

    private readonly byte[] _bytes;
    private readonly TimeField[] _times;
    private readonly SerialField[] _serials;

    public FrameTemplate(byte[] bytes, TimeField[] times, SerialField[] serials)
    {
        _bytes = bytes;
        _times = times;
        _serials = serials;
        FrameEncoding.Seal(_bytes);
    }

    /// <summary>The frame as it stands after the last stamp.</summary>
    public ReadOnlyMemory<byte> Memory => _bytes;

    public ReadOnlySpan<byte> Span => _bytes;

    public int Length => _bytes.Length;

    public byte Command => _bytes[2];

    public IReadOnlyList<TimeField> TimeFields => _times;

    public IReadOnlyList<SerialField> SerialFields => _serials;

    /// <summary>
    /// Writes times, serials and the command, and patches the check byte: the BCC is an XOR over the frame, so
    /// XOR-ing out each old byte and in each new one keeps it valid without another pass over the (up to a few
    /// hundred bytes of) data unit. One time conversion per distinct second, however many fields carry it.
    /// </summary>
    public void Stamp(byte command, DateTimeOffset sendTime, DateTimeOffset collectionTime, int serial)
    {
        var span = _bytes.AsSpan();
        byte check = span[^1];
        check ^= (byte)(span[2] ^ command);
        span[2] = command;
        Span<byte> time = stackalloc byte[GbTime.Size];
        var lastInstant = DateTimeOffset.MinValue;
        foreach (var field in _times)
        {
            var at = field.Kind == TimeFieldKind.Send ? sendTime : collectionTime;
            if (field.SecondsBefore != 0)
            {
                at = at.AddSeconds(-field.SecondsBefore);
            }
            if (at != lastInstant)
            {
                GbTime.FromDateTimeOffset(at).Write(time);
                lastInstant = at;
            }
            check = Patch(span.Slice(field.Offset, GbTime.Size), time, check);
        }
        Span<byte> serialBytes = stackalloc byte[sizeof(ushort)];
        foreach (var field in _serials)
        {
            BinaryPrimitives.WriteUInt16BigEndian(serialBytes, WrapSerial(serial + field.Step));
            check = Patch(span.Slice(field.Offset, sizeof(ushort)), serialBytes, check);
        }
        span[^1] = check;
    }

    /// <summary>Overwrites <paramref name="field"/> with <paramref name="value"/> and returns the check byte updated for the change.</summary>
    private static byte Patch(Span<byte> field, ReadOnlySpan<byte> value, byte check)
    {
        for (int i = 0; i < field.Length; i++)
        {
            check ^= (byte)(field[i] ^ value[i]);
            field[i] = value[i];
        }
        return check;
    }

    public void Stamp(DateTimeOffset time, int serial) => Stamp(Command, time, time, serial);

    /// <summary>Maps any positive count onto the serial range 1..65531.</summary>
    public static ushort WrapSerial(int value) => (ushort)((value - 1) % MaxSerial + 1);
}
