using System.Text;
using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Spool;

namespace Ingest.Tests.Sinks.ClickHouse;

/// <summary>
/// A deterministic projector for sink tests (the product's projector decodes real frames). The payload is the VIN;
/// every record yields one raw frame, one vehicle sample and two emission items, and every tenth one a login.
/// </summary>
public sealed class SyntheticRowProjector : IClickHouseRowProjector
{
    public const string Node = "test-node";

    public static readonly DateTimeOffset BaseTime = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Seconds between consecutive records: 10,000 records span more than one day (several partitions).</summary>
    public const int SecondsPerRecord = 10;

    public static byte[] Payload(string vin) => Encoding.ASCII.GetBytes(vin);

    public static DateTimeOffset ReceivedAt(long offset) => BaseTime.AddSeconds(offset * SecondsPerRecord);

    public static (long Frames, long Samples, long Emissions, long Sessions) ExpectedCounts(long records) =>
        (records, records, 2 * records, (records + 9) / 10);

    public void Project(in SpoolRecord record, ClickHouseRowBuffers rows)
    {
        var vin = Encoding.ASCII.GetString(record.Payload.Span);
        var received = ReceivedAt(record.Offset);
        var deviceTime = received.AddSeconds(-1);
        rows.FramesRaw.Add(new FrameRawRow
        {
            Node = Node,
            SpoolOffset = record.Offset,
            ReceivedAt = received,
            Vin = vin,
            Protocol = StoredProtocol.Gb32960,
            Edition = 2016,
            Command = 0x02,
            ReplyFlag = 0xFE,
            DeviceTime = deviceTime,
            Listener = "gb32960",
            FrameBytes = record.Payload,
        });
        rows.VehicleSamples.Add(new VehicleSampleRow
        {
            Node = Node,
            SpoolOffset = record.Offset,
            Vin = vin,
            DeviceTime = deviceTime,
            ReceivedAt = received,
            SpeedKmh = record.Offset % 120,
            SocPct = 80,
            PositionValid = true,
            Longitude = 116.4,
            Latitude = 39.9,
        });
        for (ushort item = 0; item < 2; item++)
        {
            rows.EmissionSamples.Add(new EmissionSampleRow
            {
                Node = Node,
                SpoolOffset = record.Offset,
                ItemIndex = item,
                Vin = vin,
                CollectionTime = deviceTime,
                ReceivedAt = received,
                InfoType = item == 0 ? (byte)0x01 : (byte)0x02,
                EngineRpm = item == 1 ? 1500 : null,
                MilStatus = item == 0 ? (byte)0 : null,
            });
        }
        if (record.Offset % 10 == 0)
        {
            rows.Sessions.Add(new SessionEventRow
            {
                Node = Node,
                SpoolOffset = record.Offset,
                Vin = vin,
                Event = SessionEvent.VehicleLogin,
                DeviceTime = deviceTime,
                ReceivedAt = received,
                Serial = (ushort)(record.Offset / 10),
                Iccid = "89860000000000000000",
                Protocol = StoredProtocol.Gb32960,
            });
        }
    }
}

/// <summary>Throws for one offset the first <c>failures</c> times it is projected (a projector bug fixed by a retry).</summary>
public sealed class FailingOnceProjector(IClickHouseRowProjector inner, long failingOffset, int failures) : IClickHouseRowProjector
{
    private readonly int _failures = failures;
    private int _remaining = failures;

    public int Failures => _failures - Math.Max(0, Volatile.Read(ref _remaining));

    public void Project(in SpoolRecord record, ClickHouseRowBuffers rows)
    {
        if (record.Offset == failingOffset && Interlocked.Decrement(ref _remaining) >= 0)
        {
            throw new InvalidDataException($"synthetic projection failure at offset {record.Offset}");
        }
        inner.Project(record, rows);
    }
}
