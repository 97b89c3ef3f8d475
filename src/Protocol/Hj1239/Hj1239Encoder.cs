using System.Buffers;
using System.Buffers.Binary;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Hj1239;

/// <summary>
/// Writes <see cref="Hj1239Frame"/>s: the exact inverse of <see cref="Hj1239Decoder"/> (every decoded frame
/// re-encodes to its original bytes). The data length and the check byte are computed; everything else comes from
/// the frame. A frame that cannot be written faithfully (a body that does not fit its command, items of the wrong
/// layout, a data unit over 65531 bytes) is a caller bug and throws <see cref="ArgumentException"/>.
/// </summary>
public static class Hj1239Encoder
{
    /// <summary>Encodes into <paramref name="output"/> and returns the number of bytes written.</summary>
    public static int Encode(Hj1239Frame frame, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int dataLength = GetDataLength(frame);
        int written = Write(frame, output.GetSpan(FrameHeader.Overhead + dataLength), dataLength);
        output.Advance(written);
        return written;
    }

    /// <summary>Encodes into <paramref name="destination"/>, which must hold <see cref="GetEncodedLength"/> bytes.</summary>
    public static int Encode(Hj1239Frame frame, Span<byte> destination) => Write(frame, destination, GetDataLength(frame));

    /// <summary>Encodes into a new array (tests, tools; the hot path uses the buffer-writer overload).</summary>
    public static byte[] Encode(Hj1239Frame frame)
    {
        int dataLength = GetDataLength(frame);
        var bytes = new byte[FrameHeader.Overhead + dataLength];
        Write(frame, bytes, dataLength);
        return bytes;
    }

    /// <summary>The whole frame's length in bytes.</summary>
    public static int GetEncodedLength(Hj1239Frame frame) => FrameHeader.Overhead + GetDataLength(frame);

    /// <summary>The data unit's length in bytes; validates the frame.</summary>
    public static int GetDataLength(Hj1239Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        RequireBodyFitsCommand(frame);
        int length = frame.Body switch
        {
            Hj1239LoginBody => Hj1239LoginBody.Length,
            Hj1239LogoutBody => Hj1239LogoutBody.Length,
            Hj1239TimeSyncBody t => t.PlatformTime is null ? 0 : GbTime.Size,
            Hj1239DataBody d => DataReportLength(d, frame.Layout),
            Hj1239RemovalAlarmBody a => Hj1239RemovalAlarmBody.Length + (a.Signature?.EncodedLength ?? 0),
            Hj1239ActivationBody a => Hj1239ActivationBody.FixedLength + a.Signature.EncodedLength,
            Hj1239ActivationResponseBody => Hj1239ActivationResponseBody.Length,
            Hj1239RawBody r => r.Bytes.Length,
            _ => Unsupported(frame.Body),
        };
        if (length > FrameHeader.MaxDataLength)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(frame), $"The data unit would be {length} bytes; at most {FrameHeader.MaxDataLength} fit.");
        }
        return length;
    }

    private static int Write(Hj1239Frame frame, Span<byte> destination, int dataLength)
    {
        int total = FrameHeader.Overhead + dataLength;
        if (destination.Length < total)
        {
            ThrowHelper.Argument(nameof(destination), $"The frame needs {total} bytes.");
        }
        var span = destination[..total];
        frame.Header.WithDataLength(dataLength).Write(span);
        WriteDataUnit(frame, span.Slice(FrameHeader.Size, dataLength));
        FrameEncoding.Seal(span);
        return total;
    }

    private static void WriteDataUnit(Hj1239Frame frame, Span<byte> data)
    {
        switch (frame.Body)
        {
            case Hj1239LoginBody login:
                login.Time.Write(data);
                BinaryPrimitives.WriteUInt16BigEndian(data[6..], login.Serial);
                login.IccidBytes.Span.CopyTo(data[8..]);
                break;
            case Hj1239LogoutBody logout:
                logout.Time.Write(data);
                BinaryPrimitives.WriteUInt16BigEndian(data[6..], logout.Serial);
                break;
            case Hj1239TimeSyncBody sync:
                sync.PlatformTime?.Write(data);
                break;
            case Hj1239DataBody report:
                WriteDataReport(report, frame.Layout, data);
                break;
            case Hj1239RemovalAlarmBody alarm:
                alarm.Time.Write(data);
                BinaryPrimitives.WriteUInt16BigEndian(data[6..], alarm.Serial);
                alarm.Position.Write(data[8..]);
                WriteSignature(alarm.Signature, data[Hj1239RemovalAlarmBody.Length..]);
                break;
            case Hj1239ActivationBody activation:
                WriteActivation(activation, data);
                break;
            case Hj1239ActivationResponseBody response:
                data[0] = response.Status;
                data[1] = response.Reason;
                break;
            case Hj1239RawBody raw:
                raw.Bytes.Span.CopyTo(data);
                break;
        }
    }

    private static void WriteActivation(Hj1239ActivationBody activation, Span<byte> data)
    {
        activation.Time.Write(data);
        int at = GbTime.Size;
        activation.ChipIdBytes.Span.CopyTo(data[at..]);
        at += Hj1239ActivationBody.ChipIdLength;
        activation.PublicKey.Span.CopyTo(data[at..]);
        at += Hj1239ActivationBody.PublicKeyLength;
        activation.Vin.Write(data[at..]);
        WriteSignature(activation.Signature, data[Hj1239ActivationBody.FixedLength..]);
    }

    private static void WriteDataReport(Hj1239DataBody report, Hj1239Layout layout, Span<byte> data)
    {
        report.Time.Write(data);
        int at = GbTime.Size;
        if (layout == Hj1239Layout.Hj1239)
        {
            BinaryPrimitives.WriteUInt16BigEndian(data[at..], report.Serial!.Value);
            at += 2;
        }
        foreach (var item in report.Items)
        {
            data[at++] = item.InfoType;
            if (layout == Hj1239Layout.Hj1239)
            {
                item.CollectionTime!.Value.Write(data[at..]);
                at += GbTime.Size;
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(data[at..], item.Serial!.Value);
                at += 2;
            }
            item.Unit.Write(data.Slice(at, item.Unit.EncodedLength));
            at += item.Unit.EncodedLength;
        }
        WriteSignature(report.Signature, data[at..]);
    }

    private static void WriteSignature(Hj1239Signature? signature, Span<byte> destination)
    {
        if (signature is null)
        {
            return;
        }
        destination[0] = (byte)signature.R.Length;
        signature.R.Span.CopyTo(destination[1..]);
        int sLengthAt = 1 + signature.R.Length;
        destination[sLengthAt] = (byte)signature.S.Length;
        signature.S.Span.CopyTo(destination[(sLengthAt + 1)..]);
    }

    private static int DataReportLength(Hj1239DataBody report, Hj1239Layout layout)
    {
        if (layout == Hj1239Layout.Auto)
        {
            ThrowHelper.Argument(nameof(layout), "A realtime/reissue frame needs a fixed layout (Annex Q or HJ 1239) to be encoded.");
        }
        bool hj = layout == Hj1239Layout.Hj1239;
        if (hj != report.Serial.HasValue)
        {
            ThrowHelper.Argument(nameof(report), hj ? "HJ 1239 reports carry a frame serial." : "Annex Q reports have no frame serial.");
        }
        if (report.Signature is not null)
        {
            if (!hj)
            {
                ThrowHelper.Argument(nameof(report), "Annex Q reports carry no signature.");
            }
            if (Hj1239InfoTypes.IsKnown((byte)report.Signature.R.Length))
            {
                ThrowHelper.Argument(nameof(report), "An R length equal to an info type code would read back as an item.");
            }
        }
        int length = Hj1239ItemWalker.HeaderSize(layout);
        int prefix = Hj1239ItemWalker.ItemPrefixSize(layout);
        for (int i = 0; i < report.Items.Count; i++)
        {
            var item = report.Items[i];
            if (item.Unit is UserDefinedData { Layout: Hj1239UserItemLayout.RestOfItems } && i != report.Items.Count - 1)
            {
                ThrowHelper.Argument(nameof(report), "An item that runs to the end of the items must be the last one.");
            }
            if (hj ? item.CollectionTime is null : item.Serial is null)
            {
                ThrowHelper.Argument(nameof(report), hj ? "HJ 1239 items carry a collection time." : "Annex Q items carry a serial.");
            }
            length += prefix + item.Unit.EncodedLength;
        }
        return length + (report.Signature?.EncodedLength ?? 0);
    }

    private static void RequireBodyFitsCommand(Hj1239Frame frame)
    {
        byte command = frame.Command;
        bool fits = frame.Body switch
        {
            Hj1239LoginBody => command == Hj1239Command.Login,
            Hj1239LogoutBody => command == Hj1239Command.Logout,
            Hj1239TimeSyncBody => command == Hj1239Command.TimeSync,
            Hj1239DataBody d => command == (d.IsReissue ? Hj1239Command.Reissue : Hj1239Command.Realtime),
            Hj1239RemovalAlarmBody => command == Hj1239Command.RemovalAlarm,
            Hj1239ActivationBody => command == Hj1239Command.Activation,
            Hj1239ActivationResponseBody => command == Hj1239Command.ActivationResponse,
            _ => true,
        };
        if (!fits)
        {
            ThrowHelper.Argument(nameof(frame), $"A {frame.Body.GetType().Name} cannot be sent as command 0x{command:X2}.");
        }
    }

    private static int Unsupported(Hj1239Body body)
    {
        ThrowHelper.Argument(nameof(body), $"Unknown body type {body.GetType().Name}.");
        return 0;
    }
}
