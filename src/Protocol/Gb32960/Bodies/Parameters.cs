using Ingest.Protocol.Errors;
using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.Bodies;

/// <summary>Terminal parameter ids and their value sizes (2016 §8.1.3 table 34). Units are in the names.</summary>
public static class Gb32960ParameterId
{
    /// <summary>0x01 local storage period, WORD, ms.</summary>
    public const byte LocalStoragePeriodMs = 0x01;

    /// <summary>0x02 normal report period, WORD, s.</summary>
    public const byte ReportPeriodS = 0x02;

    /// <summary>0x03 report period while an alarm is active, WORD, ms.</summary>
    public const byte AlarmReportPeriodMs = 0x03;

    /// <summary>0x04 length of the remote-service platform domain (0x05), BYTE.</summary>
    public const byte PlatformDomainLength = 0x04;

    /// <summary>0x05 remote-service platform domain, ASCII, length from 0x04.</summary>
    public const byte PlatformDomain = 0x05;

    /// <summary>0x06 remote-service platform port, WORD.</summary>
    public const byte PlatformPort = 0x06;

    /// <summary>0x07 hardware version, 5 ASCII bytes.</summary>
    public const byte HardwareVersion = 0x07;

    /// <summary>0x08 firmware version, 5 ASCII bytes.</summary>
    public const byte FirmwareVersion = 0x08;

    /// <summary>0x09 heartbeat period, BYTE, s.</summary>
    public const byte HeartbeatPeriodS = 0x09;

    /// <summary>0x0A terminal response timeout, WORD, s.</summary>
    public const byte TerminalResponseTimeoutS = 0x0A;

    /// <summary>0x0B platform response timeout, WORD, s.</summary>
    public const byte PlatformResponseTimeoutS = 0x0B;

    /// <summary>0x0C wait before the next login after three failed logins, BYTE, min.</summary>
    public const byte LoginRetryWaitMin = 0x0C;

    /// <summary>0x0D length of the public-platform domain (0x0E), BYTE.</summary>
    public const byte PublicPlatformDomainLength = 0x0D;

    /// <summary>0x0E public-platform domain, ASCII, length from 0x0D.</summary>
    public const byte PublicPlatformDomain = 0x0E;

    /// <summary>0x0F public-platform port, WORD.</summary>
    public const byte PublicPlatformPort = 0x0F;

    /// <summary>0x10 under sampling inspection: 1 yes, 2 no, BYTE.</summary>
    public const byte SamplingInspection = 0x10;

    /// <summary>Value size in bytes; 0 for the two domains (size given by an earlier length parameter); -1 for unknown ids.</summary>
    public static int FixedSize(byte id) => id switch
    {
        LocalStoragePeriodMs or ReportPeriodS or AlarmReportPeriodMs or PlatformPort or TerminalResponseTimeoutS
            or PlatformResponseTimeoutS or PublicPlatformPort => 2,
        PlatformDomainLength or HeartbeatPeriodS or LoginRetryWaitMin or PublicPlatformDomainLength or SamplingInspection => 1,
        HardwareVersion or FirmwareVersion => 5,
        PlatformDomain or PublicPlatformDomain => 0,
        _ => -1,
    };

    /// <summary>snake_case name with the unit, for JSON.</summary>
    public static string Name(byte id) => id switch
    {
        LocalStoragePeriodMs => "local_storage_period_ms",
        ReportPeriodS => "report_period_s",
        AlarmReportPeriodMs => "alarm_report_period_ms",
        PlatformDomainLength => "platform_domain_length",
        PlatformDomain => "platform_domain",
        PlatformPort => "platform_port",
        HardwareVersion => "hardware_version",
        FirmwareVersion => "firmware_version",
        HeartbeatPeriodS => "heartbeat_period_s",
        TerminalResponseTimeoutS => "terminal_response_timeout_s",
        PlatformResponseTimeoutS => "platform_response_timeout_s",
        LoginRetryWaitMin => "login_retry_wait_min",
        PublicPlatformDomainLength => "public_platform_domain_length",
        PublicPlatformDomain => "public_platform_domain",
        PublicPlatformPort => "public_platform_port",
        SamplingInspection => "sampling_inspection",
        _ => $"parameter_0x{id:X2}",
    };

    /// <summary>True for values shown as text (domains, versions), false for numbers.</summary>
    public static bool IsText(byte id) => id is PlatformDomain or PublicPlatformDomain or HardwareVersion or FirmwareVersion;
}

/// <summary>One parameter as sent: its id and raw value bytes.</summary>
public sealed record Gb32960Parameter(byte Id, ReadOnlyMemory<byte> Value)
{
    /// <summary>The value as an unsigned number for 1- and 2-byte parameters, else null.</summary>
    public uint? Number => Value.Length switch
    {
        1 => Value.Span[0],
        2 => (uint)(Value.Span[0] << 8 | Value.Span[1]),
        _ => null,
    };

    public string Text => Ascii.Text(Value.Span);
}

/// <summary>0x80 parameter query, platform to terminal (2016 §8.1.1): time, count, the ids wanted.</summary>
public sealed class ParameterQuery : Gb32960Body
{
    public GbTime Time { get; init; }

    public IReadOnlyList<byte> Ids { get; init; } = [];

    public override int EncodedLength => GbTime.Size + 1 + Ids.Count;

    internal override void Write(ref BigEndianWriter w)
    {
        Check.Count(Ids.Count, byte.MaxValue, nameof(Ids));
        w.Time(Time);
        w.Byte((byte)Ids.Count);
        foreach (byte id in Ids)
        {
            w.Byte(id);
        }
    }

    /// <summary>A query is exactly time + count + count ids; anything longer is a parameter list (a query answer).</summary>
    internal static bool LooksLikeQuery(ReadOnlySpan<byte> data) =>
        data.Length > GbTime.Size && data.Length == GbTime.Size + 1 + data[GbTime.Size];

    internal static DecodeError TryRead(ReadOnlySpan<byte> data, out ParameterQuery? body)
    {
        body = null;
        var r = new SpanReader(data);
        if (!r.TryReadTime(out var time))
        {
            return BodyErrors.Truncated(r.Position, GbTime.Size, data.Length);
        }
        if (!r.TryReadByte(out byte count))
        {
            return BodyErrors.Truncated(r.Position, 1, data.Length);
        }
        if (!r.TryReadBytes(count, out var ids))
        {
            return BodyErrors.Truncated(r.Position, count, data.Length);
        }
        if (!r.End)
        {
            return BodyErrors.Trailing(r.Position, data.Length);
        }
        body = new ParameterQuery { Time = time, Ids = ids.ToArray() };
        return default;
    }
}

/// <summary>
/// Time + count + (id, value) pairs: the layout of a parameter set command (0x81) and of a terminal's answer to a
/// parameter query (0x80 reply). The two domain values take their length from the most recent 0x04 / 0x0D in the
/// same list; an id outside the table cannot be skipped and is an <see cref="DecodeErrorKind.InvalidValue"/>.
/// </summary>
public abstract class ParameterList : Gb32960Body
{
    private protected ParameterList()
    {
    }

    public GbTime Time { get; init; }

    public IReadOnlyList<Gb32960Parameter> Parameters { get; init; } = [];

    public override int EncodedLength
    {
        get
        {
            int length = GbTime.Size + 1;
            foreach (var p in Parameters)
            {
                length += 1 + p.Value.Length;
            }
            return length;
        }
    }

    internal override void Write(ref BigEndianWriter w)
    {
        Check.Count(Parameters.Count, byte.MaxValue, nameof(Parameters));
        w.Time(Time);
        w.Byte((byte)Parameters.Count);
        foreach (var p in Parameters)
        {
            w.Byte(p.Id);
            w.Bytes(p.Value.Span);
        }
    }

    internal static DecodeError TryReadList(ReadOnlyMemory<byte> data, out GbTime time, out Gb32960Parameter[]? parameters)
    {
        parameters = null;
        var span = data.Span;
        var r = new SpanReader(span);
        if (!r.TryReadTime(out time))
        {
            return BodyErrors.Truncated(r.Position, GbTime.Size, span.Length);
        }
        if (!r.TryReadByte(out byte count))
        {
            return BodyErrors.Truncated(r.Position, 1, span.Length);
        }
        // Each parameter takes at least its id byte: bound the count before allocating for it.
        if (r.Remaining < count)
        {
            return BodyErrors.Truncated(r.Position, count, span.Length);
        }
        var list = new Gb32960Parameter[count];
        int domainLength = -1, publicDomainLength = -1;
        for (int i = 0; i < count; i++)
        {
            int idAt = r.Position;
            if (!r.TryReadByte(out byte id))
            {
                return BodyErrors.Truncated(idAt, 1, span.Length);
            }
            int size = Gb32960ParameterId.FixedSize(id);
            if (id == Gb32960ParameterId.PlatformDomain)
            {
                size = domainLength;
            }
            else if (id == Gb32960ParameterId.PublicPlatformDomain)
            {
                size = publicDomainLength;
            }
            if (size < 0)
            {
                return BodyErrors.Invalid(idAt, id);
            }
            int valueAt = r.Position;
            if (!r.TrySkip(size))
            {
                return BodyErrors.Truncated(valueAt, size, span.Length);
            }
            if (id == Gb32960ParameterId.PlatformDomainLength)
            {
                domainLength = span[valueAt];
            }
            else if (id == Gb32960ParameterId.PublicPlatformDomainLength)
            {
                publicDomainLength = span[valueAt];
            }
            list[i] = new Gb32960Parameter(id, data.Slice(valueAt, size));
        }
        if (!r.End)
        {
            return BodyErrors.Trailing(r.Position, span.Length);
        }
        parameters = list;
        return default;
    }
}

/// <summary>0x81 parameter set, platform to terminal (2016 §8.2): time, count, (id, value) pairs.</summary>
public sealed class ParameterSet : ParameterList
{
    internal static DecodeError TryRead(ReadOnlyMemory<byte> data, out ParameterSet? body)
    {
        var error = TryReadList(data, out var time, out var parameters);
        body = error.IsError ? null : new ParameterSet { Time = time, Parameters = parameters! };
        return error;
    }
}

/// <summary>A terminal's answer to a parameter query (command 0x80, 2016 §8.1.2): time, count, (id, value) pairs.</summary>
public sealed class ParameterQueryResult : ParameterList
{
    internal static DecodeError TryRead(ReadOnlyMemory<byte> data, out ParameterQueryResult? body)
    {
        var error = TryReadList(data, out var time, out var parameters);
        body = error.IsError ? null : new ParameterQueryResult { Time = time, Parameters = parameters! };
        return error;
    }
}
