using Ingest.Hosting;
using Ingest.Projection;
using Ingest.Records;
using Ingest.Sinks.ClickHouse.RowBinary;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Spool;
using Ingest.Tests.Support;
using Microsoft.Extensions.Options;

namespace Ingest.Tests.Sinks.ClickHouse;

/// <summary>Keys read back out of the projector's RowBinary: what verify expects ClickHouse to hold.</summary>
public sealed class RowBinaryKeysTests
{
    private static SpoolRecord Record(byte[] frame, ListenerProtocol protocol, long offset)
    {
        var payload = new byte[FrameEnvelope.SizeFor(frame.Length)];
        FrameEnvelope.WriteHeader(payload, protocol, 1_764_403_200_000, 1, 32960);
        frame.CopyTo(payload, FrameEnvelope.HeaderSize);
        return new SpoolRecord(offset, offset + payload.Length + 8, payload);
    }

    [Fact]
    public void Every_row_of_every_table_gives_back_its_record_offset_and_item_index()
    {
        var rows = new ClickHouseRowBuffers();
        var projector = new ClickHouseRowProjector(Options.Create(new IngestOptions { NodeName = "n1" }));
        projector.Project(Record(Frames.Realtime("LSVKEYS0000000001"), ListenerProtocol.Gb32960, 100), rows);
        projector.Project(Record(Frames.AnnexQRealtime, ListenerProtocol.Gb17691, 5_000_000_000), rows);
        projector.Project(Record(Frames.Login("LSVKEYS0000000001"), ListenerProtocol.Gb32960, 7_000_000_000), rows);

        List<SpoolRowKey> Keys(IRowBuffer buffer)
        {
            var keys = new List<SpoolRowKey>();
            RowBinaryKeys.Read(buffer.Table, buffer.Encoded.WrittenMemory.Span, buffer.Count, keys);
            return keys;
        }

        Assert.Equal([new(100, 0), new(5_000_000_000, 0), new(7_000_000_000, 0)], Keys(rows.FramesRaw));
        Assert.Equal([new SpoolRowKey(100, 0)], Keys(rows.VehicleSamples));
        Assert.Equal([new(5_000_000_000, 0), new(5_000_000_000, 1)], Keys(rows.EmissionSamples));
        Assert.Equal([new SpoolRowKey(7_000_000_000, 0)], Keys(rows.Sessions));
    }

    [Fact]
    public void A_row_count_that_does_not_match_the_bytes_is_an_error_not_a_wrong_key()
    {
        var rows = new ClickHouseRowBuffers();
        var projector = new ClickHouseRowProjector(Options.Create(new IngestOptions { NodeName = "n1" }));
        projector.Project(Record(Frames.Realtime("LSVKEYS0000000001"), ListenerProtocol.Gb32960, 100), rows);
        projector.Project(Record(Frames.Realtime("LSVKEYS0000000002"), ListenerProtocol.Gb32960, 200), rows);

        Assert.Throws<InvalidOperationException>(() =>
            RowBinaryKeys.Read(rows.FramesRaw.Table, rows.FramesRaw.Encoded.WrittenMemory.Span, 1, new List<SpoolRowKey>()));
    }
}
