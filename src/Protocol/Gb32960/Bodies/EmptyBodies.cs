using Ingest.Protocol.Errors;
using Ingest.Protocol.Gb32960.Internal;

namespace Ingest.Protocol.Gb32960.Bodies;

/// <summary>0x07 heartbeat request (2016 §7.5): an empty data unit.</summary>
public sealed class Heartbeat : Gb32960Body
{
    public static Heartbeat Instance { get; } = new();

    public override int EncodedLength => 0;

    internal override void Write(ref BigEndianWriter writer)
    {
    }
}

/// <summary>0x08 terminal time sync request (2016 §7.6): an empty data unit; the reply carries the time.</summary>
public sealed class TimeSync : Gb32960Body
{
    public static TimeSync Instance { get; } = new();

    public override int EncodedLength => 0;

    internal override void Write(ref BigEndianWriter writer)
    {
    }
}

internal static class EmptyBody
{
    public static DecodeError TryRead(ReadOnlySpan<byte> data) =>
        data.IsEmpty ? default : BodyErrors.Trailing(0, data.Length);
}
