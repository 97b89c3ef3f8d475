using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Primitives;

namespace Ingest.Downlink;

/// <summary>
/// Turns a <see cref="DownlinkCommand"/> into the frame one terminal understands, from the header that bound its
/// session: GB/T 32960 with the terminal's own start marker (a 2025 terminal gets "$$"), HJ 1239 with its software
/// version. Says first whether the terminal's protocol has the command at all.
/// </summary>
public static class CommandFrames
{
    /// <summary>
    /// Null when <paramref name="command"/> can go to a terminal bound by <paramref name="binding"/> on a listener
    /// speaking <paramref name="protocol"/>, else why not (answered 400).
    /// </summary>
    public static string? Unsupported(DownlinkCommand command, in FrameHeader binding, ListenerProtocol protocol, CommandOptions options)
    {
        if (binding.Layout == HeaderLayout.Gb32960)
        {
            return command.Kind == CommandKind.Query && command.QueryIds.Count == 0
                ? "A GB/T 32960 parameter query names at least one parameter."
                : null;
        }
        if (protocol == ListenerProtocol.Gb17691)
        {
            return "GB 17691 Annex Q terminals take no downlink commands.";
        }
        if (command.Kind != CommandKind.Query)
        {
            return $"HJ 1239 defines no {(command.Kind == CommandKind.Set ? "parameter set (0x81)" : "terminal control (0x82)")}; " +
                "its only downlink command is the parameter query (0x80).";
        }
        return options.Hj1239QueryLayout switch
        {
            Hj1239QueryLayout.TimeOnly when command.QueryIds.Count > 0 =>
                "An HJ 1239 parameter query carries no parameter ids with Commands:Hj1239QueryLayout=TimeOnly; leave parameters out.",
            Hj1239QueryLayout.TimeAndIds when command.QueryIds.Count == 0 =>
                "An HJ 1239 parameter query names at least one parameter with Commands:Hj1239QueryLayout=TimeAndIds.",
            _ => null,
        };
    }

    /// <summary>The protocol name used in metrics and answers: gb32960_2016, gb32960_2025 or hj1239.</summary>
    public static string ProtocolName(in FrameHeader binding) => binding.Layout == HeaderLayout.Hj1239
        ? "hj1239"
        : binding.Marker == FrameMarker.Dollar ? "gb32960_2025" : "gb32960_2016";

    /// <summary>The whole frame, sealed, with <paramref name="time"/> as the command's time (Beijing time).</summary>
    public static byte[] Encode(DownlinkCommand command, in FrameHeader binding, GbTime time, CommandOptions options)
    {
        if (binding.Layout == HeaderLayout.Hj1239)
        {
            byte[] data = options.Hj1239QueryLayout == Hj1239QueryLayout.TimeAndIds
                ? new byte[GbTime.Size + 1 + command.QueryIds.Count]
                : new byte[GbTime.Size];
            time.Write(data);
            if (options.Hj1239QueryLayout == Hj1239QueryLayout.TimeAndIds)
            {
                data[GbTime.Size] = (byte)command.QueryIds.Count;
                for (int i = 0; i < command.QueryIds.Count; i++)
                {
                    data[GbTime.Size + 1 + i] = command.QueryIds[i];
                }
            }
            var hj = Hj1239Frame.Create(Hj1239Command.ParameterQuery, binding.Vin, binding.SoftwareVersion, Hj1239Layout.Hj1239,
                new Hj1239RawBody(Hj1239RawReason.UndefinedBody, data));
            return Hj1239Encoder.Encode(hj);
        }
        Gb32960Body body = command.Kind switch
        {
            CommandKind.Query => new ParameterQuery { Time = time, Ids = command.QueryIds },
            CommandKind.Set => new ParameterSet { Time = time, Parameters = command.Parameters },
            _ => new TerminalControl { Time = time, ControlCommand = command.Control, Arguments = command.ControlArguments },
        };
        var frame = Gb32960Frame.Create(Gb32960Editions.FromMarker(binding.Marker), command.CommandId, Gb32960ResponseFlags.Command,
            binding.Vin, body);
        return Gb32960Encoder.Encode(frame);
    }
}
