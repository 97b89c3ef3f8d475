using System.Buffers.Binary;
using System.Net;

namespace Ingest.Import;

/// <summary>
/// Finds the TCP segment in one captured packet: link layer (Ethernet with VLAN tags, Linux cooked v1 and v2, raw IP,
/// BSD loopback), then IPv4 or IPv6 (extension headers skipped), then TCP. Anything else is a
/// <see cref="PacketVerdict"/> saying why the packet carries no segment for the import.
/// </summary>
public static class PacketParser
{
    /// <summary>LINKTYPE_* values this parser reads.</summary>
    public static class LinkTypes
    {
        public const uint Null = 0;
        public const uint Ethernet = 1;
        public const uint RawOpenBsd = 12;
        public const uint RawBsd = 14;
        public const uint Raw = 101;
        public const uint Loop = 108;
        public const uint LinuxSll = 113;
        public const uint Ipv4 = 228;
        public const uint Ipv6 = 229;
        public const uint LinuxSll2 = 276;

        public static bool IsSupported(uint linkType) =>
            linkType is Null or Ethernet or RawOpenBsd or RawBsd or Raw or Loop or LinuxSll or Ipv4 or Ipv6 or LinuxSll2;
    }

    private const ushort EtherTypeIpv4 = 0x0800;
    private const ushort EtherTypeIpv6 = 0x86DD;
    private const byte ProtocolTcp = 6;

    public static PacketVerdict TryParse(uint linkType, ReadOnlySpan<byte> packet, out TcpSegment segment)
    {
        segment = default;
        ushort etherType;
        ReadOnlySpan<byte> ip;
        switch (linkType)
        {
            case LinkTypes.Ethernet:
                if (packet.Length < 14)
                {
                    return PacketVerdict.Truncated;
                }
                int at = 12;
                etherType = BinaryPrimitives.ReadUInt16BigEndian(packet[at..]);
                // 802.1Q, 802.1ad and the old QinQ type: a 4-byte tag before the real type, possibly stacked.
                while (etherType is 0x8100 or 0x88A8 or 0x9100)
                {
                    at += 4;
                    if (packet.Length < at + 2)
                    {
                        return PacketVerdict.Truncated;
                    }
                    etherType = BinaryPrimitives.ReadUInt16BigEndian(packet[at..]);
                }
                ip = packet[(at + 2)..];
                break;
            case LinkTypes.LinuxSll:
                if (packet.Length < 16)
                {
                    return PacketVerdict.Truncated;
                }
                etherType = BinaryPrimitives.ReadUInt16BigEndian(packet[14..]);
                ip = packet[16..];
                break;
            case LinkTypes.LinuxSll2:
                if (packet.Length < 20)
                {
                    return PacketVerdict.Truncated;
                }
                etherType = BinaryPrimitives.ReadUInt16BigEndian(packet);
                ip = packet[20..];
                break;
            case LinkTypes.Null or LinkTypes.Loop:
                if (packet.Length < 4)
                {
                    return PacketVerdict.Truncated;
                }
                // The address family in the capturing host's byte order (Null) or big-endian (Loop): 2 is IPv4, and
                // 24, 28 or 30 is IPv6 depending on the BSD.
                uint family = linkType == LinkTypes.Loop || packet[0] == 0
                    ? BinaryPrimitives.ReadUInt32BigEndian(packet)
                    : BinaryPrimitives.ReadUInt32LittleEndian(packet);
                etherType = family switch { 2 => EtherTypeIpv4, 24 or 28 or 30 => EtherTypeIpv6, _ => 0 };
                ip = packet[4..];
                break;
            case LinkTypes.Raw or LinkTypes.RawBsd or LinkTypes.RawOpenBsd or LinkTypes.Ipv4 or LinkTypes.Ipv6:
                if (packet.IsEmpty)
                {
                    return PacketVerdict.Truncated;
                }
                etherType = (packet[0] >> 4) switch { 4 => EtherTypeIpv4, 6 => EtherTypeIpv6, _ => 0 };
                ip = packet;
                break;
            default:
                return PacketVerdict.UnsupportedLinkType;
        }
        var verdict = etherType switch
        {
            EtherTypeIpv4 => ParseIpv4(ip, out segment),
            EtherTypeIpv6 => ParseIpv6(ip, out segment),
            _ => PacketVerdict.NotIp,
        };
        if (verdict == PacketVerdict.Tcp)
        {
            // The IP packet is the tail of the captured one: make the payload's place relative to the capture.
            segment = segment with { PayloadStart = segment.PayloadStart + packet.Length - ip.Length };
        }
        return verdict;
    }

    private static PacketVerdict ParseIpv4(ReadOnlySpan<byte> ip, out TcpSegment segment)
    {
        segment = default;
        if (ip.Length < 20 || ip[0] >> 4 != 4)
        {
            return ip.Length < 20 ? PacketVerdict.Truncated : PacketVerdict.NotIp;
        }
        int headerLength = (ip[0] & 0x0F) * 4;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (headerLength < 20 || totalLength < headerLength)
        {
            return PacketVerdict.Malformed;
        }
        if (ip[9] != ProtocolTcp)
        {
            return PacketVerdict.NotTcp;
        }
        // More-fragments flag or a fragment offset: a piece of a datagram, which this import does not put together
        // (terminals send small segments with DF set; a fragmented one is reported).
        if ((BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x3FFF) != 0)
        {
            return PacketVerdict.IpFragment;
        }
        var source = new UInt128(0, 0xFFFF_0000_0000UL | BinaryPrimitives.ReadUInt32BigEndian(ip[12..]));
        var destination = new UInt128(0, 0xFFFF_0000_0000UL | BinaryPrimitives.ReadUInt32BigEndian(ip[16..]));
        // The IP length, not the capture's, ends the segment: Ethernet pads short frames to 60 bytes.
        int declaredEnd = totalLength;
        return ParseTcp(ip, headerLength, declaredEnd, source, destination, isV6: false, out segment);
    }

    private static PacketVerdict ParseIpv6(ReadOnlySpan<byte> ip, out TcpSegment segment)
    {
        segment = default;
        if (ip.Length < 40)
        {
            return PacketVerdict.Truncated;
        }
        if (ip[0] >> 4 != 6)
        {
            return PacketVerdict.NotIp;
        }
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        // Payload length 0 is a jumbogram (hop-by-hop option): then the capture says how long it is.
        int declaredEnd = payloadLength == 0 ? ip.Length : 40 + payloadLength;
        byte next = ip[6];
        int at = 40;
        while (true)
        {
            switch (next)
            {
                case ProtocolTcp:
                    var source = BinaryPrimitives.ReadUInt128BigEndian(ip[8..]);
                    var destination = BinaryPrimitives.ReadUInt128BigEndian(ip[24..]);
                    return ParseTcp(ip, at, declaredEnd, source, destination, isV6: true, out segment);
                case 0 or 43 or 60: // hop-by-hop, routing, destination options: (length + 1) * 8 bytes
                    if (ip.Length < at + 2)
                    {
                        return PacketVerdict.Truncated;
                    }
                    next = ip[at];
                    at += (ip[at + 1] + 1) * 8;
                    break;
                case 51: // authentication header: (length + 2) * 4 bytes
                    if (ip.Length < at + 2)
                    {
                        return PacketVerdict.Truncated;
                    }
                    next = ip[at];
                    at += (ip[at + 1] + 2) * 4;
                    break;
                case 44:
                    return PacketVerdict.IpFragment;
                default:
                    return PacketVerdict.NotTcp;
            }
        }
    }

    private static PacketVerdict ParseTcp(ReadOnlySpan<byte> ip, int at, int declaredEnd, UInt128 source, UInt128 destination, bool isV6,
        out TcpSegment segment)
    {
        segment = default;
        if (ip.Length < at + 20)
        {
            return PacketVerdict.Truncated;
        }
        var tcp = ip[at..];
        int dataOffset = (tcp[12] >> 4) * 4;
        if (dataOffset < 20 || at + dataOffset > declaredEnd)
        {
            return PacketVerdict.Malformed;
        }
        int payloadStart = at + dataOffset;
        int declaredPayload = declaredEnd - payloadStart;
        int capturedPayload = Math.Max(0, Math.Min(ip.Length, declaredEnd) - payloadStart);
        segment = new TcpSegment(
            new FlowKey(source, destination, BinaryPrimitives.ReadUInt16BigEndian(tcp), BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]), isV6),
            BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]),
            (TcpFlags)(tcp[13] & 0x3F),
            payloadStart,
            capturedPayload,
            declaredPayload);
        return PacketVerdict.Tcp;
    }
}

/// <summary>What a packet is, for the import.</summary>
public enum PacketVerdict : byte
{
    Tcp,
    NotIp,
    NotTcp,
    IpFragment,
    Truncated,
    Malformed,
    UnsupportedLinkType,
}

[Flags]
public enum TcpFlags : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
}

/// <summary>
/// One TCP segment of a packet: its flow, sequence number and flags, and where its payload lies in the IP packet
/// (<see cref="PayloadStart"/> from the start of the captured packet; the caller keeps the bytes). <see cref="CapturedLength"/> is
/// less than <see cref="DeclaredLength"/> when the snap length cut the packet.
/// </summary>
public readonly record struct TcpSegment(FlowKey Flow, uint Sequence, TcpFlags Flags, int PayloadStart, int CapturedLength, int DeclaredLength);

/// <summary>One direction of a TCP connection. IPv4 addresses are kept as IPv4-mapped IPv6 so both fit one key.</summary>
public readonly record struct FlowKey(UInt128 Source, UInt128 Destination, ushort SourcePort, ushort DestinationPort, bool IsV6)
{
    public override string ToString() => $"{Format(Source, IsV6)}:{SourcePort} > {Format(Destination, IsV6)}:{DestinationPort}";

    private static string Format(UInt128 address, bool isV6)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        var ip = new IPAddress(bytes);
        return isV6 ? "[" + ip + "]" : ip.MapToIPv4().ToString();
    }
}
