using System.Buffers.Binary;
using System.Net;

namespace Ingest.Tests.Import;

/// <summary>
/// Writes classic pcap files for the import tests, independently of the reader under test: either byte order,
/// microsecond or nanosecond timestamps, Ethernet (optionally VLAN-tagged), Linux cooked v1/v2 or raw IP, and IPv4
/// or IPv6 packets carrying TCP segments (checksums left zero: nothing on the import path checks them).
/// </summary>
public sealed class PcapWriter(uint linkType = 1, bool bigEndian = false, bool nanoseconds = false, bool vlan = false)
{
    private readonly MemoryStream _file = WriteHeader(linkType, bigEndian, nanoseconds);

    public uint LinkType => linkType;

    private static MemoryStream WriteHeader(uint linkType, bool bigEndian, bool nanoseconds)
    {
        var header = new byte[24];
        Put32(header, 0, nanoseconds ? 0xA1B23C4Du : 0xA1B2C3D4u, bigEndian);
        Put16(header, 4, 2, bigEndian);
        Put16(header, 6, 4, bigEndian);
        Put32(header, 16, 262144, bigEndian);
        Put32(header, 20, linkType, bigEndian);
        var stream = new MemoryStream();
        stream.Write(header);
        return stream;
    }

    /// <summary>One record; <paramref name="capturedLength"/> shorter than the packet cuts it as a snap length would.</summary>
    public void Add(DateTimeOffset time, byte[] packet, int? capturedLength = null)
    {
        long ticks = (time - DateTimeOffset.UnixEpoch).Ticks;
        var record = new byte[16];
        int captured = capturedLength ?? packet.Length;
        Put32(record, 0, (uint)(ticks / TimeSpan.TicksPerSecond), bigEndian);
        Put32(record, 4, nanoseconds ? (uint)(ticks % TimeSpan.TicksPerSecond * 100) : (uint)(ticks % TimeSpan.TicksPerSecond / 10), bigEndian);
        Put32(record, 8, (uint)captured, bigEndian);
        Put32(record, 12, (uint)packet.Length, bigEndian);
        _file.Write(record);
        _file.Write(packet, 0, captured);
    }

    public void AddTcp(DateTimeOffset time, TcpEnd from, TcpEnd to, uint sequence, TcpFlagBits flags, ReadOnlySpan<byte> payload, int? capturedPayload = null)
    {
        var packet = Packet(from, to, sequence, flags, payload);
        Add(time, packet, capturedPayload is { } c ? packet.Length - payload.Length + c : null);
    }

    public byte[] ToArray() => _file.ToArray();

    /// <summary>The link-layer frame of one TCP segment.</summary>
    public byte[] Packet(TcpEnd from, TcpEnd to, uint sequence, TcpFlagBits flags, ReadOnlySpan<byte> payload)
    {
        bool v6 = from.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var tcp = new byte[20 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, from.Port);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), to.Port);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), sequence);
        tcp[12] = 5 << 4;
        tcp[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 65535);
        payload.CopyTo(tcp.AsSpan(20));
        byte[] ip;
        if (v6)
        {
            ip = new byte[40 + tcp.Length];
            ip[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)tcp.Length);
            ip[6] = 6;
            ip[7] = 64;
            from.Address.GetAddressBytes().CopyTo(ip, 8);
            to.Address.GetAddressBytes().CopyTo(ip, 24);
            tcp.CopyTo(ip, 40);
        }
        else
        {
            ip = new byte[20 + tcp.Length];
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
            ip[6] = 0x40; // don't fragment
            ip[8] = 64;
            ip[9] = 6;
            from.Address.GetAddressBytes().CopyTo(ip, 12);
            to.Address.GetAddressBytes().CopyTo(ip, 16);
            tcp.CopyTo(ip, 20);
        }
        ushort etherType = v6 ? (ushort)0x86DD : (ushort)0x0800;
        switch (linkType)
        {
            case 1:
            {
                int tags = vlan ? 4 : 0;
                // Short frames are padded to 60 bytes, as on the wire: the reader must go by the IP length.
                var frame = new byte[Math.Max(60, 14 + tags + ip.Length)];
                frame.AsSpan(0, 6).Fill(0x02);
                frame.AsSpan(6, 6).Fill(0x04);
                if (vlan)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x8100);
                    BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), 42);
                }
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12 + tags), etherType);
                ip.CopyTo(frame, 14 + tags);
                return frame;
            }
            case 113:
            {
                var frame = new byte[16 + ip.Length];
                BinaryPrimitives.WriteUInt16BigEndian(frame, 0); // to us
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), 1); // ARPHRD_ETHER
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(4), 6);
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), etherType);
                ip.CopyTo(frame, 16);
                return frame;
            }
            case 276:
            {
                var frame = new byte[20 + ip.Length];
                BinaryPrimitives.WriteUInt16BigEndian(frame, etherType);
                BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), 2); // interface index
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(8), 1);
                frame[11] = 6;
                ip.CopyTo(frame, 20);
                return frame;
            }
            case 101:
                return ip;
            default:
                throw new NotSupportedException($"link type {linkType}");
        }
    }

    private static void Put16(byte[] b, int at, ushort v, bool bigEndian)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(at), v);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), v);
        }
    }

    private static void Put32(byte[] b, int at, uint v, bool bigEndian)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at), v);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
        }
    }
}

public readonly record struct TcpEnd(IPAddress Address, ushort Port)
{
    public static TcpEnd Parse(string text)
    {
        var endpoint = IPEndPoint.Parse(text);
        return new TcpEnd(endpoint.Address, (ushort)endpoint.Port);
    }
}

[Flags]
public enum TcpFlagBits : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
}
