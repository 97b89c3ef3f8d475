using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Hj1239;

/// <summary>
/// Decodes GB 17691 Annex Q / HJ 1239.2 frames into <see cref="Hj1239Frame"/>. Pure and total: bad bytes give a
/// <see cref="DecodeError"/> with the offset in the frame, never an exception. Allocation is bounded by the frame
/// size (no count read from the wire sizes a buffer before the bytes behind it are known to exist).
/// <para>Frames that are well formed but cannot be typed (encrypted data units, unknown commands, the undefined
/// 0x80 body) decode successfully to a <see cref="Hj1239RawBody"/> that keeps the bytes, so they can still be stored
/// and relayed.</para>
/// </summary>
public static class Hj1239Decoder
{
    /// <summary>What a lone frame is checked against: HJ 1239 headers only, any length the 16-bit field allows.</summary>
    public static FramingOptions WholeFrameOptions { get; } = new()
    {
        Accepted = AcceptedProtocols.Hj1239,
        MaxFrameBytes = FrameHeader.Overhead + FrameHeader.MaxDataLength,
    };

    /// <summary>Validates (marker, header, length, check byte) and decodes one whole frame.</summary>
    /// <param name="frame">Exactly one frame, from the first '#' to the check byte.</param>
    /// <param name="layout">The listener's realtime layout; <see cref="Hj1239Layout.Auto"/> detects it per frame.</param>
    /// <param name="result">The frame when the method returns true.</param>
    /// <param name="error">Why decoding failed, with the offset in the frame.</param>
    public static bool TryDecode(ReadOnlySpan<byte> frame, Hj1239Layout layout, [NotNullWhen(true)] out Hj1239Frame? result, out DecodeError error) =>
        TryDecode(frame, layout, Hj1239UserItemLayout.LengthPrefixed, out result, out error);

    /// <summary>Validates and decodes one whole frame with a listener's options (layout, user-defined items).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> frame, Hj1239DecoderOptions options, [NotNullWhen(true)] out Hj1239Frame? result, out DecodeError error)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TryDecode(frame, options.Layout, options.UserItems, out result, out error);
    }

    private static bool TryDecode(ReadOnlySpan<byte> frame, Hj1239Layout layout, Hj1239UserItemLayout userItems, [NotNullWhen(true)] out Hj1239Frame? result, out DecodeError error)
    {
        result = null;
        if (!WholeFrame.TryValidate(frame, WholeFrameOptions, out var header, out error))
        {
            return false;
        }
        return TryDecode(header, frame.Slice(FrameHeader.Size, header.DataLength), layout, userItems, out result, out error);
    }

    /// <summary>
    /// Decodes one whole frame held in a pipe buffer. A single segment is decoded in place; a frame spread over
    /// segments is copied once into a pooled buffer (the decoded frame never refers to its input).
    /// </summary>
    public static bool TryDecode(in ReadOnlySequence<byte> frame, Hj1239Layout layout, [NotNullWhen(true)] out Hj1239Frame? result, out DecodeError error)
    {
        if (frame.IsSingleSegment)
        {
            return TryDecode(frame.FirstSpan, layout, out result, out error);
        }
        if (frame.Length > WholeFrameOptions.MaxFrameBytes)
        {
            result = null;
            error = new DecodeError(DecodeErrorKind.Length, 22, WholeFrameOptions.MaxFrameBytes, frame.Length);
            return false;
        }
        int length = (int)frame.Length;
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            frame.CopyTo(rented);
            return TryDecode(rented.AsSpan(0, length), layout, out result, out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Decodes the data unit of a frame the framer has already validated (its header from the scan result).</summary>
    public static bool TryDecode(in FrameHeader header, ReadOnlySpan<byte> dataUnit, Hj1239Layout layout,
        [NotNullWhen(true)] out Hj1239Frame? result, out DecodeError error) =>
        TryDecode(header, dataUnit, layout, Hj1239UserItemLayout.LengthPrefixed, out result, out error);

    /// <summary>Decodes the data unit of a validated frame with a listener's options.</summary>
    public static bool TryDecode(in FrameHeader header, ReadOnlySpan<byte> dataUnit, Hj1239DecoderOptions options,
        [NotNullWhen(true)] out Hj1239Frame? result, out DecodeError error)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TryDecode(header, dataUnit, options.Layout, options.UserItems, out result, out error);
    }

    private static bool TryDecode(in FrameHeader header, ReadOnlySpan<byte> dataUnit, Hj1239Layout layout, Hj1239UserItemLayout userItems,
        [NotNullWhen(true)] out Hj1239Frame? result, out DecodeError error)
    {
        result = null;
        if (header.Layout != HeaderLayout.Hj1239)
        {
            error = new DecodeError(DecodeErrorKind.Header, 3);
            return false;
        }
        if (dataUnit.Length != header.DataLength)
        {
            error = new DecodeError(DecodeErrorKind.Length, 22, dataUnit.Length, header.DataLength);
            return false;
        }
        bool encrypted = header.Encryption != Gb32960Encryption.None && !dataUnit.IsEmpty;
        if (encrypted && !IsPlausibleCiphertext(header.Encryption, dataUnit.Length))
        {
            // The same rule as GB/T 32960 (Gb32960Decoder): 0xFE/0xFF say the encryption state is abnormal/invalid,
            // so the bytes can be neither trusted as plaintext nor held as ciphertext; a cipher code on a length that
            // cipher cannot produce is the same doubt. An error (the frame is still stored raw by the caller).
            error = new DecodeError(DecodeErrorKind.Encrypted, 21, Gb32960Encryption.None, header.Encryption);
            return false;
        }
        var resolved = Hj1239LayoutDetection.Resolve(layout, header.Command, dataUnit, encrypted, userItems);
        if (!TryDecodeBody(header, dataUnit, resolved, userItems, encrypted, out var body, out error))
        {
            return false;
        }
        result = new Hj1239Frame(header, resolved, body);
        return true;
    }

    private static bool TryDecodeBody(in FrameHeader header, ReadOnlySpan<byte> data, Hj1239Layout layout, Hj1239UserItemLayout userItems, bool encrypted,
        [NotNullWhen(true)] out Hj1239Body? body, out DecodeError error)
    {
        if (encrypted)
        {
            body = new Hj1239RawBody(Hj1239RawReason.Encrypted, data.ToArray());
            error = default;
            return true;
        }
        switch (header.Command)
        {
            case Hj1239Command.Login:
                return TryLogin(data, out body, out error);
            case Hj1239Command.Realtime:
            case Hj1239Command.Reissue:
                return TryDataReport(data, layout, userItems, header.Command == Hj1239Command.Reissue, out body, out error);
            case Hj1239Command.Logout:
                return TryLogout(data, out body, out error);
            case Hj1239Command.TimeSync:
                return TryTimeSync(data, out body, out error);
            case Hj1239Command.RemovalAlarm:
                return TryRemovalAlarm(data, out body, out error);
            case Hj1239Command.Activation:
                return TryActivation(data, out body, out error);
            case Hj1239Command.ActivationResponse:
                return TryActivationResponse(data, out body, out error);
            case Hj1239Command.ParameterQuery:
                body = new Hj1239RawBody(Hj1239RawReason.UndefinedBody, data.ToArray());
                error = default;
                return true;
            default:
                body = new Hj1239RawBody(Hj1239RawReason.UnknownCommand, data.ToArray());
                error = default;
                return true;
        }
    }

    /// <summary>
    /// A length the named cipher can produce: RSA whole 64-byte blocks, SM2 (0x03, and the GB/T 32960-2025 code
    /// 0x04 should a terminal borrow it) at least C1 + C3 = 96 bytes, SM4 (0x05) whole 16-byte blocks. The
    /// abnormal/invalid markers (0xFE/0xFF) are not ciphers.
    /// </summary>
    private static bool IsPlausibleCiphertext(byte encryption, int length) => encryption switch
    {
        Gb32960Encryption.Rsa => length >= 64 && length % 64 == 0,
        Gb32960Encryption.Aes128OrSm2 or Gb32960Encryption.Sm2 => length >= 96,
        Gb32960Encryption.Sm4 => length % 16 == 0,
        _ => false,
    };

    private static bool TryLogin(ReadOnlySpan<byte> data, out Hj1239Body? body, out DecodeError error)
    {
        body = null;
        if (!HasExactLength(data, Hj1239LoginBody.Length, out error))
        {
            return false;
        }
        body = new Hj1239LoginBody(GbTime.Read(data), ReadWord(data, 6), data.Slice(8, Hj1239LoginBody.IccidLength).ToArray());
        return true;
    }

    private static bool TryLogout(ReadOnlySpan<byte> data, out Hj1239Body? body, out DecodeError error)
    {
        body = null;
        if (!HasExactLength(data, Hj1239LogoutBody.Length, out error))
        {
            return false;
        }
        body = new Hj1239LogoutBody(GbTime.Read(data), ReadWord(data, 6));
        return true;
    }

    private static bool TryTimeSync(ReadOnlySpan<byte> data, out Hj1239Body? body, out DecodeError error)
    {
        if (data.IsEmpty)
        {
            body = Hj1239TimeSyncBody.Request;
            error = default;
            return true;
        }
        body = null;
        if (!HasExactLength(data, GbTime.Size, out error))
        {
            return false;
        }
        body = new Hj1239TimeSyncBody(GbTime.Read(data));
        return true;
    }

    private static bool TryActivationResponse(ReadOnlySpan<byte> data, out Hj1239Body? body, out DecodeError error)
    {
        body = null;
        if (!HasExactLength(data, Hj1239ActivationResponseBody.Length, out error))
        {
            return false;
        }
        body = new Hj1239ActivationResponseBody(data[0], data[1]);
        return true;
    }

    private static bool TryRemovalAlarm(ReadOnlySpan<byte> data, out Hj1239Body? body, out DecodeError error)
    {
        body = null;
        if (!HasMinimumLength(data, Hj1239RemovalAlarmBody.Length, out error))
        {
            return false;
        }
        Hj1239Signature? signature = null;
        if (data.Length > Hj1239RemovalAlarmBody.Length && !TryReadSignature(data, Hj1239RemovalAlarmBody.Length, out signature, out error))
        {
            return false;
        }
        body = new Hj1239RemovalAlarmBody(GbTime.Read(data), ReadWord(data, 6), GnssPosition.Read(data[8..]), signature);
        return true;
    }

    private static bool TryActivation(ReadOnlySpan<byte> data, out Hj1239Body? body, out DecodeError error)
    {
        body = null;
        const int fixedLength = Hj1239ActivationBody.FixedLength;
        if (!HasMinimumLength(data, fixedLength + 2, out error)
            || !TryReadSignature(data, fixedLength, out var signature, out error))
        {
            return false;
        }
        var chipId = data.Slice(GbTime.Size, Hj1239ActivationBody.ChipIdLength);
        var publicKey = data.Slice(GbTime.Size + Hj1239ActivationBody.ChipIdLength, Hj1239ActivationBody.PublicKeyLength);
        var vin = Vin.Read(data[(fixedLength - Vin.Length)..]);
        body = new Hj1239ActivationBody(GbTime.Read(data), chipId.ToArray(), publicKey.ToArray(), vin, signature);
        return true;
    }

    private static bool TryDataReport(ReadOnlySpan<byte> data, Hj1239Layout layout, Hj1239UserItemLayout userItems, bool isReissue,
        out Hj1239Body? body, out DecodeError error)
    {
        body = null;
        var walker = new Hj1239ItemWalker(data, layout, userItems);
        int count = 0;
        while (walker.TryReadNext(out _))
        {
            count++;
        }
        if (!walker.Completed)
        {
            error = Hj1239LayoutDetection.IsDraft2019PerItemSignature(data, out int signatureAt)
                ? new DecodeError(DecodeErrorKind.UnsupportedLayout, FrameHeader.Size + signatureAt)
                : walker.Error;
            return false;
        }

        var items = new Hj1239InfoItem[count];
        walker = new Hj1239ItemWalker(data, walker.Layout, userItems);
        for (int i = 0; walker.TryReadNext(out var item); i++)
        {
            if (!item.TryDecode(out var unit))
            {
                // The walk already checked every length, so this is a codec bug; still a value, not a throw.
                error = new DecodeError(DecodeErrorKind.InvalidValue, item.Offset, -1, item.Type);
                return false;
            }
            items[i] = walker.Layout == Hj1239Layout.Hj1239
                ? Hj1239InfoItem.Hj1239(item.CollectionTime, unit)
                : Hj1239InfoItem.AnnexQ(item.Serial, unit);
        }
        var signature = walker.HasSignature
            ? new Hj1239Signature(walker.SignatureR.ToArray(), walker.SignatureS.ToArray())
            : null;
        ushort? serial = walker.Layout == Hj1239Layout.Hj1239 ? walker.Serial : null;
        body = new Hj1239DataBody(isReissue, walker.Time, serial, items, signature);
        error = default;
        return true;
    }

    /// <summary>Reads <c>R length + R + S length + S</c> at <paramref name="at"/>, which must end the data unit exactly.</summary>
    private static bool TryReadSignature(ReadOnlySpan<byte> data, int at, [NotNullWhen(true)] out Hj1239Signature? signature, out DecodeError error)
    {
        signature = null;
        int length = Hj1239ItemWalker.SignatureLength(data, at);
        if (length < 0)
        {
            error = new DecodeError(DecodeErrorKind.Truncated, FrameHeader.Size + at, -1, data.Length - at);
            return false;
        }
        if (at + length != data.Length)
        {
            error = new DecodeError(DecodeErrorKind.TrailingBytes, FrameHeader.Size + at + length, at + length, data.Length);
            return false;
        }
        int sLengthAt = at + 1 + data[at];
        signature = new Hj1239Signature(data.Slice(at + 1, data[at]).ToArray(), data.Slice(sLengthAt + 1, data[sLengthAt]).ToArray());
        error = default;
        return true;
    }

    private static bool HasExactLength(ReadOnlySpan<byte> data, int length, out DecodeError error)
    {
        if (!HasMinimumLength(data, length, out error))
        {
            return false;
        }
        if (data.Length > length)
        {
            error = new DecodeError(DecodeErrorKind.TrailingBytes, FrameHeader.Size + length, length, data.Length);
            return false;
        }
        return true;
    }

    private static bool HasMinimumLength(ReadOnlySpan<byte> data, int length, out DecodeError error)
    {
        if (data.Length < length)
        {
            error = new DecodeError(DecodeErrorKind.Truncated, FrameHeader.Size + data.Length, length, data.Length);
            return false;
        }
        error = default;
        return true;
    }

    private static ushort ReadWord(ReadOnlySpan<byte> data, int at) => (ushort)(data[at] << 8 | data[at + 1]);
}
