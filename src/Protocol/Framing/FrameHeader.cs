using System.Buffers.Binary;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Framing;

/// <summary>
/// The fixed 24-byte header shared by every frame of both standards, decoded without allocation.
/// </summary>
public readonly struct FrameHeader
{
    /// <summary>Bytes before the data unit.</summary>
    public const int Size = 24;

    /// <summary>Header plus the trailing check byte: a frame is <c>Overhead + DataLength</c> bytes.</summary>
    public const int Overhead = Size + 1;

    /// <summary>Largest data unit the 16-bit length field can declare that the standards allow.</summary>
    public const int MaxDataLength = 65531;

    public FrameHeader(FrameMarker marker, HeaderLayout layout, byte command, byte responseFlag, Vin vin,
        byte softwareVersion, byte encryption, int dataLength)
    {
        Marker = marker;
        Layout = layout;
        Command = command;
        ResponseFlag = responseFlag;
        Vin = vin;
        SoftwareVersion = softwareVersion;
        Encryption = encryption;
        DataLength = dataLength;
    }

    public FrameMarker Marker { get; }

    public HeaderLayout Layout { get; }

    public byte Command { get; }

    /// <summary>GB/T 32960 only: 0xFE for a command, 0x01.. for a reply. Zero for HJ 1239 frames, which have none.</summary>
    public byte ResponseFlag { get; }

    public Vin Vin { get; }

    /// <summary>HJ 1239 only: the terminal software version byte. Zero for GB/T 32960.</summary>
    public byte SoftwareVersion { get; }

    public byte Encryption { get; }

    public int DataLength { get; }

    public int FrameLength => Overhead + DataLength;

    /// <summary>True for a command (0xFE) as opposed to a reply. Always true for HJ 1239 frames.</summary>
    public bool IsCommand => Layout == HeaderLayout.Hj1239 || ResponseFlag == Gb32960ResponseFlags.Command;

    /// <summary>Reads the header fields without any validation.</summary>
    public static FrameHeader Read(ReadOnlySpan<byte> header, HeaderLayout layout)
    {
        var marker = (FrameMarker)header[0];
        int length = BinaryPrimitives.ReadUInt16BigEndian(header[22..]);
        return layout == HeaderLayout.Gb32960
            ? new FrameHeader(marker, layout, header[2], header[3], Vin.Read(header[4..]), 0, header[21], length)
            : new FrameHeader(marker, layout, header[2], 0, Vin.Read(header[3..]), header[20], header[21], length);
    }

    /// <summary>Writes the 24 header bytes. The caller supplies the data unit and the check byte.</summary>
    public void Write(Span<byte> destination)
    {
        destination[23] = (byte)DataLength;
        destination[0] = (byte)Marker;
        destination[1] = (byte)Marker;
        destination[2] = Command;
        if (Layout == HeaderLayout.Gb32960)
        {
            destination[3] = ResponseFlag;
            Vin.Write(destination[4..]);
        }
        else
        {
            Vin.Write(destination[3..]);
            destination[20] = SoftwareVersion;
        }
        destination[21] = Encryption;
        BinaryPrimitives.WriteUInt16BigEndian(destination[22..], (ushort)DataLength);
    }

    public FrameHeader WithDataLength(int dataLength) =>
        new(Marker, Layout, Command, ResponseFlag, Vin, SoftwareVersion, Encryption, dataLength);

    public FrameHeader WithResponse(byte responseFlag, int dataLength) =>
        new(Marker, Layout, Command, responseFlag, Vin, SoftwareVersion, Gb32960Encryption.None, dataLength);
}

/// <summary>Response flag values of GB/T 32960.3 (2016 §6.3.2; 2025 adds 0x05-0x07).</summary>
public static class Gb32960ResponseFlags
{
    public const byte Success = 0x01;
    public const byte Error = 0x02;
    public const byte VinDuplicate = 0x03;
    public const byte VinUnknown = 0x04;
    public const byte SignatureInvalid = 0x05;
    public const byte StructureInvalid = 0x06;
    public const byte DecryptionFailed = 0x07;
    public const byte Command = 0xFE;

    public static bool IsKnown(byte flag) => flag is >= Success and <= DecryptionFailed or Command;
}

/// <summary>Encryption byte values (GB/T 32960 2016/2025; HJ 1239 uses 0x03 for SM2).</summary>
public static class Gb32960Encryption
{
    public const byte None = 0x01;
    public const byte Rsa = 0x02;
    public const byte Aes128OrSm2 = 0x03;
    public const byte Sm2 = 0x04;
    public const byte Sm4 = 0x05;
    public const byte Abnormal = 0xFE;
    public const byte Invalid = 0xFF;

    public static bool IsKnown(byte value) => value is >= None and <= Sm4 or Abnormal or Invalid;
}
