using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Gb32960.Internal;

namespace Ingest.Protocol.Gb32960;

/// <summary>
/// Decodes one whole GB/T 32960.3 frame (2016 "##" or 2025 "$$") into a <see cref="Gb32960Frame"/>. A pure function:
/// it never throws on any input and reports bad bytes as a <see cref="DecodeError"/> whose offset is within the frame.
/// </summary>
/// <remarks>
/// Body choice: a command frame (flag 0xFE) gets the command's layout; a reply (any other flag) gets
/// <see cref="Reply"/>, except 0x0A (always an activation response) and 0x80 (a terminal's parameter list whatever
/// its flag, because terminals are known to answer with 0xFE; a 0x80 frame that is exactly time + count + ids is a
/// query).
/// <para>
/// Encryption: the codec holds no keys. A data unit whose encryption byte is not 0x01 is returned as a
/// <see cref="RawBody"/> with <see cref="RawBody.Reason"/> = <see cref="DecodeErrorKind.Encrypted"/>: successfully
/// (true) when its length is possible for the named algorithm (RSA: multiples of 64 bytes; AES-128/SM4: of 16; SM2:
/// 96 or more), so it can be stored, relayed or decrypted later; as an <see cref="DecodeErrorKind.Encrypted"/> error
/// (false) when it cannot be that ciphertext (for example a 31-byte plaintext login labelled RSA, or the abnormal
/// and invalid codes 0xFE/0xFF). Empty data units need no decryption and decode normally.
/// </para>
/// </remarks>
public static class Gb32960Decoder
{
    /// <summary>
    /// Options for decoding one known frame: GB/T 32960 only, any size the length field allows, and the custom command
    /// range 0xC0-0xFE accepted (such frames come back with a <see cref="RawBody"/>).
    /// </summary>
    public static FramingOptions WholeFrameOptions { get; } = new()
    {
        Accepted = AcceptedProtocols.Gb32960,
        MaxFrameBytes = FrameHeader.Overhead + FrameHeader.MaxDataLength,
        AllowCustomCommands = true,
    };

    /// <inheritdoc cref="TryDecode(ReadOnlySpan{byte}, FramingOptions, out Gb32960Frame?, out DecodeError)"/>
    public static bool TryDecode(ReadOnlySpan<byte> frame, [NotNullWhen(true)] out Gb32960Frame? result, out DecodeError error) =>
        TryDecode(frame, WholeFrameOptions, out result, out error);

    /// <summary>
    /// Decodes one whole frame held in a pipe buffer. A frame split across segments is copied once into a pooled
    /// buffer (the decoded frame owns its own copy of the data unit, so nothing refers to the pool afterwards).
    /// </summary>
    public static bool TryDecode(in ReadOnlySequence<byte> frame, FramingOptions options, [NotNullWhen(true)] out Gb32960Frame? result,
        out DecodeError error)
    {
        if (frame.IsSingleSegment)
        {
            return TryDecode(frame.FirstSpan, options, out result, out error);
        }
        if (frame.Length > options.MaxFrameBytes)
        {
            result = null;
            error = new DecodeError(DecodeErrorKind.Length, 22, options.MaxFrameBytes, frame.Length);
            return false;
        }
        int length = (int)frame.Length;
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            frame.CopyTo(rented);
            return TryDecode(rented.AsSpan(0, length), options, out result, out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Validates <paramref name="frame"/> (header, length, check byte) and decodes its data unit.
    /// </summary>
    /// <returns>
    /// True with a typed frame (a flagged <see cref="RawBody"/> for plausible ciphertext). False with
    /// <paramref name="error"/> set; then <paramref name="result"/> is null when the frame itself is unsound (Header,
    /// Length, Checksum, Truncated header), or a frame with a
    /// <see cref="RawBody"/> when only its data unit could not be decoded (Encrypted, UnknownCommand, Truncated,
    /// TrailingBytes, InvalidValue), so the bytes can still be stored or relayed unchanged.
    /// </returns>
    public static bool TryDecode(ReadOnlySpan<byte> frame, FramingOptions options, [NotNullWhen(true)] out Gb32960Frame? result,
        out DecodeError error)
    {
        result = null;
        if (!WholeFrame.TryValidate(frame, options, out var header, out error))
        {
            return false;
        }
        if (header.Layout != HeaderLayout.Gb32960)
        {
            error = new DecodeError(DecodeErrorKind.Header, 3);
            return false;
        }
        var edition = Gb32960Editions.FromMarker(header.Marker);
        var data = new ReadOnlyMemory<byte>(frame.Slice(FrameHeader.Size, header.DataLength).ToArray());

        if (header.Encryption != Gb32960Encryption.None && !data.IsEmpty)
        {
            // No keys here: a plausible ciphertext is a flagged raw body, an impossible one an error.
            var encrypted = new RawBody { Data = data, Reason = DecodeErrorKind.Encrypted };
            result = new Gb32960Frame(header, encrypted);
            if (Ciphertext.IsPlausible(header.Encryption, data.Length, edition))
            {
                return true;
            }
            error = new DecodeError(DecodeErrorKind.Encrypted, 21, Gb32960Encryption.None, header.Encryption);
            return false;
        }

        error = DecodeBody(header, edition, data, out var body).Shift(FrameHeader.Size);
        if (error.IsError)
        {
            result = new Gb32960Frame(header, new RawBody { Data = data, Reason = error.Kind });
            return false;
        }
        result = new Gb32960Frame(header, body!);
        return true;
    }

    /// <summary>Decodes a data unit for a header already validated. Offsets in the error are data-unit relative.</summary>
    private static DecodeError DecodeBody(in FrameHeader header, Gb32960Edition edition, ReadOnlyMemory<byte> data, out Gb32960Body? body)
    {
        body = null;
        byte command = header.Command;
        bool isCommand = header.ResponseFlag == Gb32960ResponseFlags.Command;
        bool v2025 = edition == Gb32960Edition.V2025;
        if (!IsKnown(command, v2025))
        {
            return new DecodeError(DecodeErrorKind.UnknownCommand, 2 - FrameHeader.Size, -1, command);
        }
        DecodeError error = default;
        switch (command)
        {
            case Gb32960Command.ActivationResponse:
                error = ActivationResponse.TryRead(data.Span, out var activationResponse);
                body = activationResponse;
                return error;
            case Gb32960Command.ParameterQuery:
                if (ParameterQuery.LooksLikeQuery(data.Span))
                {
                    error = ParameterQuery.TryRead(data.Span, out var query);
                    body = query;
                }
                else
                {
                    error = ParameterQueryResult.TryRead(data, out var queryResult);
                    body = queryResult;
                }
                return error;
        }
        if (!isCommand)
        {
            body = Reply.Read(data);
            return default;
        }
        switch (command)
        {
            case Gb32960Command.VehicleLogin:
                error = VehicleLogin.TryRead(data, edition, out var login);
                body = login;
                break;
            case Gb32960Command.RealtimeReport or Gb32960Command.ReissueReport:
                error = RealtimeReport.TryRead(data, edition, command == Gb32960Command.ReissueReport, out var report);
                body = report;
                break;
            case Gb32960Command.VehicleLogout:
                error = VehicleLogout.TryRead(data.Span, out var logout);
                body = logout;
                break;
            case Gb32960Command.PlatformLogin:
                error = PlatformLogin.TryRead(data, out var platformLogin);
                body = platformLogin;
                break;
            case Gb32960Command.PlatformLogout:
                error = PlatformLogout.TryRead(data.Span, out var platformLogout);
                body = platformLogout;
                break;
            case Gb32960Command.Heartbeat:
                error = EmptyBody.TryRead(data.Span);
                body = Heartbeat.Instance;
                break;
            case Gb32960Command.TimeSync:
                error = EmptyBody.TryRead(data.Span);
                body = TimeSync.Instance;
                break;
            case Gb32960Command.Activation:
                error = Activation.TryRead(data, out var activation);
                body = activation;
                break;
            case Gb32960Command.KeySync:
                error = KeySync.TryRead(data, out var keySync);
                body = keySync;
                break;
            case Gb32960Command.ParameterSet:
                error = ParameterSet.TryRead(data, out var set);
                body = set;
                break;
            case Gb32960Command.TerminalControl:
                error = TerminalControl.TryRead(data, out var control);
                body = control;
                break;
        }
        return error;
    }

    private static bool IsKnown(byte command, bool v2025) => command switch
    {
        >= Gb32960Command.VehicleLogin and <= Gb32960Command.TimeSync => true,
        >= Gb32960Command.Activation and <= Gb32960Command.KeySync => v2025,
        Gb32960Command.ParameterQuery or Gb32960Command.ParameterSet or Gb32960Command.TerminalControl => true,
        _ => false,
    };
}
