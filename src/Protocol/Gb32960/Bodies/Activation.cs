using Ingest.Protocol.Errors;
using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.Bodies;

/// <summary>
/// 0x09 activation (2025 only, §7.7): time, security-chip id (16 ASCII), public key (WORD length + bytes), VIN (17)
/// and a signature block (no 0xFF starter) over time..VIN. The real rtm_con frame carries a 259-byte RSA key.
/// </summary>
public sealed class Activation : Gb32960Body
{
    public const int ChipIdLength = 16;

    public GbTime Time { get; init; }

    public ReadOnlyMemory<byte> ChipId { get; init; } = new byte[ChipIdLength];

    public ReadOnlyMemory<byte> PublicKey { get; init; }

    public Vin Vin { get; init; }

    public required Gb32960Signature Signature { get; init; }

    public string ChipIdText => Ascii.Text(ChipId.Span);

    public override int EncodedLength => GbTime.Size + ChipIdLength + 2 + PublicKey.Length + Vin.Length + Signature.EncodedLength;

    internal override void Write(ref BigEndianWriter w)
    {
        Check.Length(ChipId, ChipIdLength, nameof(ChipId));
        Check.Count(PublicKey.Length, ushort.MaxValue, nameof(PublicKey));
        w.Time(Time);
        w.Bytes(ChipId.Span);
        w.UInt16((ushort)PublicKey.Length);
        w.Bytes(PublicKey.Span);
        var vin = Vin;
        w.Bytes(vin.AsSpan());
        Signature.Write(ref w);
    }

    internal static DecodeError TryRead(ReadOnlyMemory<byte> data, out Activation? body)
    {
        body = null;
        var r = new SpanReader(data.Span);
        int length = data.Length;
        if (!r.TryReadTime(out var time))
        {
            return BodyErrors.Truncated(r.Position, GbTime.Size, length);
        }
        int chipAt = r.Position;
        if (!r.TrySkip(ChipIdLength))
        {
            return BodyErrors.Truncated(chipAt, ChipIdLength, length);
        }
        if (!r.TryReadUInt16(out ushort keyLength))
        {
            return BodyErrors.Truncated(r.Position, 2, length);
        }
        int keyAt = r.Position;
        if (!r.TrySkip(keyLength))
        {
            return BodyErrors.Truncated(keyAt, keyLength, length);
        }
        if (!r.TryReadBytes(Vin.Length, out var vin))
        {
            return BodyErrors.Truncated(r.Position, Vin.Length, length);
        }
        var error = Gb32960Signature.TryRead(data, r.Position, out var signature, out int end);
        if (error.IsError)
        {
            return error;
        }
        if (end != length)
        {
            return BodyErrors.Trailing(end, length);
        }
        body = new Activation
        {
            Time = time,
            ChipId = data.Slice(chipAt, ChipIdLength),
            PublicKey = data.Slice(keyAt, keyLength),
            Vin = Vin.Read(vin),
            Signature = signature!,
        };
        return default;
    }
}

/// <summary>0x0A activation response (2025 only, §7.8): result (1 ok, 2 failed) and information code.</summary>
public sealed class ActivationResponse : Gb32960Body
{
    public const byte ResultSuccess = 0x01;
    public const byte ResultFailed = 0x02;

    public const byte InfoOk = 0x01;
    public const byte InfoChipAlreadyUsed = 0x02;
    public const byte InfoVinDuplicate = 0x03;

    public byte Result { get; init; }

    public byte Info { get; init; }

    public override int EncodedLength => 2;

    internal override void Write(ref BigEndianWriter w)
    {
        w.Byte(Result);
        w.Byte(Info);
    }

    internal static DecodeError TryRead(ReadOnlySpan<byte> data, out ActivationResponse? body)
    {
        body = null;
        if (data.Length < 2)
        {
            return BodyErrors.Truncated(data.Length, 2 - data.Length, data.Length);
        }
        if (data.Length > 2)
        {
            return BodyErrors.Trailing(2, data.Length);
        }
        body = new ActivationResponse { Result = data[0], Info = data[1] };
        return default;
    }
}

/// <summary>
/// 0x0B payload key synchronisation (2025 only, §7.9): algorithm, key (WORD length + bytes), validity start and end.
/// </summary>
public sealed class KeySync : Gb32960Body
{
    /// <summary>Same code table as the header's encryption byte (SM4 = 0x05, AES-128 = 0x03).</summary>
    public byte Algorithm { get; init; }

    public ReadOnlyMemory<byte> Key { get; init; }

    public GbTime ValidFrom { get; init; }

    public GbTime ValidUntil { get; init; }

    public override int EncodedLength => 1 + 2 + Key.Length + 2 * GbTime.Size;

    internal override void Write(ref BigEndianWriter w)
    {
        Check.Count(Key.Length, ushort.MaxValue, nameof(Key));
        w.Byte(Algorithm);
        w.UInt16((ushort)Key.Length);
        w.Bytes(Key.Span);
        w.Time(ValidFrom);
        w.Time(ValidUntil);
    }

    internal static DecodeError TryRead(ReadOnlyMemory<byte> data, out KeySync? body)
    {
        body = null;
        var r = new SpanReader(data.Span);
        int length = data.Length;
        if (!r.TryReadByte(out byte algorithm))
        {
            return BodyErrors.Truncated(0, 1, length);
        }
        if (!r.TryReadUInt16(out ushort keyLength))
        {
            return BodyErrors.Truncated(r.Position, 2, length);
        }
        int keyAt = r.Position;
        if (!r.TrySkip(keyLength))
        {
            return BodyErrors.Truncated(keyAt, keyLength, length);
        }
        if (!r.TryReadTime(out var from))
        {
            return BodyErrors.Truncated(r.Position, GbTime.Size, length);
        }
        if (!r.TryReadTime(out var until))
        {
            return BodyErrors.Truncated(r.Position, GbTime.Size, length);
        }
        if (!r.End)
        {
            return BodyErrors.Trailing(r.Position, length);
        }
        body = new KeySync { Algorithm = algorithm, Key = data.Slice(keyAt, keyLength), ValidFrom = from, ValidUntil = until };
        return default;
    }
}
