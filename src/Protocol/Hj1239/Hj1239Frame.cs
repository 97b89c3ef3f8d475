using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Hj1239;

/// <summary>
/// A decoded GB 17691 Annex Q / HJ 1239.2 frame: the shared 24-byte header, the data-unit layout it was read with,
/// and a typed body. <see cref="Hj1239Encoder"/> turns it back into the identical bytes.
/// </summary>
public sealed class Hj1239Frame
{
    public Hj1239Frame(FrameHeader header, Hj1239Layout layout, Hj1239Body body)
    {
        if (header.Layout != HeaderLayout.Hj1239)
        {
            ThrowHelper.Argument(nameof(header), "An HJ 1239 frame needs a header with the HJ 1239 layout.");
        }
        ArgumentNullException.ThrowIfNull(body);
        Header = header;
        Layout = layout;
        Body = body;
    }

    /// <summary>The header as received. Its data length is recomputed when encoding.</summary>
    public FrameHeader Header { get; }

    /// <summary>The data-unit layout; <see cref="Hj1239Layout.Auto"/> when the frame carries no evidence of either.</summary>
    public Hj1239Layout Layout { get; }

    public Hj1239Body Body { get; }

    public byte Command => Header.Command;

    public Vin Vin => Header.Vin;

    /// <summary>Builds a frame to encode (tests, simulators, replies to replay): "##" marker, data length filled in by the encoder.</summary>
    public static Hj1239Frame Create(byte command, Vin vin, byte softwareVersion, Hj1239Layout layout, Hj1239Body body,
        byte encryption = Gb32960Encryption.None) =>
        new(new FrameHeader(FrameMarker.Hash, HeaderLayout.Hj1239, command, 0, vin, softwareVersion, encryption, 0), layout, body);
}

/// <summary>The typed data unit of a frame. One subclass per command family.</summary>
public abstract class Hj1239Body
{
    private protected Hj1239Body()
    {
    }
}

/// <summary>0x01 vehicle login: time(6) + login serial WORD + ICCID(20), 28 bytes. [C]</summary>
public sealed class Hj1239LoginBody : Hj1239Body
{
    public const int Length = 28;

    public const int IccidLength = 20;

    public Hj1239LoginBody(GbTime time, ushort serial, ReadOnlyMemory<byte> iccid)
    {
        Time = time;
        Serial = serial;
        IccidBytes = Hj1239Checks.Exactly(iccid, IccidLength, nameof(iccid));
    }

    public GbTime Time { get; }

    /// <summary>Login serial: starts at 1 each day, +1 per login; the matching logout repeats it.</summary>
    public ushort Serial { get; }

    /// <summary>The SIM card's ICCID, 20 ASCII bytes as sent.</summary>
    public ReadOnlyMemory<byte> IccidBytes { get; }

    public string Iccid => AsciiText.Trimmed(IccidBytes.Span);
}

/// <summary>0x04 vehicle logout: time(6) + the login serial WORD, 8 bytes. [C]</summary>
public sealed class Hj1239LogoutBody(GbTime time, ushort serial) : Hj1239Body
{
    public const int Length = 8;

    public GbTime Time { get; } = time;

    public ushort Serial { get; } = serial;
}

/// <summary>0x05 terminal time sync: empty from the terminal; the platform's reply carries its time (6 bytes). [C/S]</summary>
public sealed class Hj1239TimeSyncBody(GbTime? platformTime) : Hj1239Body
{
    /// <summary>The terminal's request (empty data unit).</summary>
    public static Hj1239TimeSyncBody Request { get; } = new(null);

    /// <summary>The platform time of a reply; null for the terminal's request.</summary>
    public GbTime? PlatformTime { get; } = platformTime;
}

/// <summary>
/// 0x02 realtime / 0x03 reissue report. The items keep their wire order; the same type repeats freely (ten 1 Hz
/// samples per frame are normal). Which per-item field is set depends on the frame's <see cref="Hj1239Layout"/>.
/// </summary>
public sealed class Hj1239DataBody : Hj1239Body
{
    public Hj1239DataBody(bool isReissue, GbTime time, ushort? serial, IReadOnlyList<Hj1239InfoItem> items, Hj1239Signature? signature = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        IsReissue = isReissue;
        Time = time;
        Serial = serial;
        Items = items;
        Signature = signature;
    }

    /// <summary>True for 0x03 (reissue), false for 0x02 (realtime).</summary>
    public bool IsReissue { get; }

    /// <summary>Annex Q: the collection time of every item. HJ 1239: the send time.</summary>
    public GbTime Time { get; }

    /// <summary>HJ 1239: the frame's info serial. Null in the Annex Q layout (each item has its own).</summary>
    public ushort? Serial { get; }

    public IReadOnlyList<Hj1239InfoItem> Items { get; }

    /// <summary>HJ 1239 signature modes: the SM2 signature over the data unit up to the last item; null when absent.</summary>
    public Hj1239Signature? Signature { get; }
}

/// <summary>One item of a data report: the decoded body plus its serial (Annex Q) or collection time (HJ 1239).</summary>
public sealed class Hj1239InfoItem
{
    public Hj1239InfoItem(Hj1239InfoUnit unit, ushort? serial, GbTime? collectionTime)
    {
        ArgumentNullException.ThrowIfNull(unit);
        Unit = unit;
        Serial = serial;
        CollectionTime = collectionTime;
    }

    /// <summary>An Annex Q item: type + info serial + body.</summary>
    public static Hj1239InfoItem AnnexQ(ushort serial, Hj1239InfoUnit unit) => new(unit, serial, null);

    /// <summary>An HJ 1239 item: type + collection time + body.</summary>
    public static Hj1239InfoItem Hj1239(GbTime collectionTime, Hj1239InfoUnit unit) => new(unit, null, collectionTime);

    public byte InfoType => Unit.InfoType;

    public Hj1239InfoUnit Unit { get; }

    /// <summary>Annex Q only: the item's info serial.</summary>
    public ushort? Serial { get; }

    /// <summary>HJ 1239 only: when the item was sampled.</summary>
    public GbTime? CollectionTime { get; }
}

/// <summary>An SM2 signature as sent: R length BYTE + R + S length BYTE + S (32 + 32 bytes in practice). Not verified here.</summary>
public sealed class Hj1239Signature
{
    public Hj1239Signature(ReadOnlyMemory<byte> r, ReadOnlyMemory<byte> s)
    {
        R = Hj1239Checks.AtMost(r, byte.MaxValue, nameof(r));
        S = Hj1239Checks.AtMost(s, byte.MaxValue, nameof(s));
    }

    public ReadOnlyMemory<byte> R { get; }

    public ReadOnlyMemory<byte> S { get; }

    public int EncodedLength => 2 + R.Length + S.Length;
}

/// <summary>0x06 vehicle removal (anti-tamper) alarm: time(6) + serial WORD + position (9), 17 bytes, then an optional signature. [S]</summary>
public sealed class Hj1239RemovalAlarmBody(GbTime time, ushort serial, GnssPosition position, Hj1239Signature? signature = null) : Hj1239Body
{
    public const int Length = 17;

    public GbTime Time { get; } = time;

    public ushort Serial { get; } = serial;

    public GnssPosition Position { get; } = position;

    public Hj1239Signature? Signature { get; } = signature;
}

/// <summary>0x07 activation: time(6) + security chip id(16) + SM2 public key(64) + VIN(17) + signature. [S]</summary>
public sealed class Hj1239ActivationBody : Hj1239Body
{
    public const int ChipIdLength = 16;

    public const int PublicKeyLength = 64;

    /// <summary>Bytes before the signature.</summary>
    public const int FixedLength = 6 + ChipIdLength + PublicKeyLength + Vin.Length;

    public Hj1239ActivationBody(GbTime time, ReadOnlyMemory<byte> chipId, ReadOnlyMemory<byte> publicKey, Vin vin, Hj1239Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        Time = time;
        ChipIdBytes = Hj1239Checks.Exactly(chipId, ChipIdLength, nameof(chipId));
        PublicKey = Hj1239Checks.Exactly(publicKey, PublicKeyLength, nameof(publicKey));
        Vin = vin;
        Signature = signature;
    }

    public GbTime Time { get; }

    /// <summary>Security chip id, 16 ASCII bytes as sent (also the SM2 user id the terminal signs with [I]).</summary>
    public ReadOnlyMemory<byte> ChipIdBytes { get; }

    public string ChipId => AsciiText.Trimmed(ChipIdBytes.Span);

    /// <summary>SM2 public key, the 64 bytes X || Y.</summary>
    public ReadOnlyMemory<byte> PublicKey { get; }

    public Vin Vin { get; }

    public Hj1239Signature Signature { get; }
}

/// <summary>0x08 activation response (downlink): status BYTE + reason BYTE. [S]</summary>
public sealed class Hj1239ActivationResponseBody(byte status, byte reason) : Hj1239Body
{
    public const int Length = 2;

    public const byte StatusSuccess = 0x01;
    public const byte StatusFailure = 0x02;

    public const byte ReasonChipAlreadyActivated = 0x01;
    public const byte ReasonVinError = 0x02;
    public const byte ReasonOther = 0x03;

    /// <summary>SmartLink firmware only: timeout or signature check failed.</summary>
    public const byte ReasonTimeoutOrSignature = 0x04;

    public byte Status { get; } = status;

    public byte Reason { get; } = reason;
}

/// <summary>Why a frame's data unit is kept as raw bytes instead of a typed body.</summary>
public enum Hj1239RawReason : byte
{
    /// <summary>The encryption byte says RSA or SM2 and no key is configured.</summary>
    Encrypted = 1,

    /// <summary>A command id outside <see cref="Hj1239Command"/>.</summary>
    UnknownCommand = 2,

    /// <summary>A known command whose data unit no source defines (0x80 parameter query).</summary>
    UndefinedBody = 3,
}

/// <summary>A data unit kept as sent: encrypted, of an unknown command, or of a command with no defined layout.</summary>
public sealed class Hj1239RawBody(Hj1239RawReason reason, ReadOnlyMemory<byte> bytes) : Hj1239Body
{
    public Hj1239RawReason Reason { get; } = reason;

    public ReadOnlyMemory<byte> Bytes { get; } = bytes;
}

internal static class Hj1239Checks
{
    public static ReadOnlyMemory<byte> Exactly(ReadOnlyMemory<byte> value, int length, string name)
    {
        if (value.Length != length)
        {
            ThrowHelper.Argument(name, $"Expected {length} bytes, got {value.Length}.");
        }
        return value;
    }

    public static ReadOnlyMemory<byte> AtMost(ReadOnlyMemory<byte> value, int length, string name)
    {
        if (value.Length > length)
        {
            ThrowHelper.Argument(name, $"At most {length} bytes, got {value.Length}.");
        }
        return value;
    }
}
