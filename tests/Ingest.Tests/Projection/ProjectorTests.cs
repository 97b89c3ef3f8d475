using Ingest.Hosting;
using Ingest.Projection;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Records;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Sinks.Redis;
using Ingest.Spool;
using Microsoft.Extensions.Options;

namespace Ingest.Tests.Projection;

/// <summary>Real frames, wrapped as the session wraps them, projected to ClickHouse rows and live state.</summary>
public class ProjectorTests
{
    private static readonly string[] Rows = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Vectors", "vectors.tsv")).Skip(1).ToArray();
    private static readonly IOptions<IngestOptions> Options = Microsoft.Extensions.Options.Options.Create(new IngestOptions { NodeName = "n1" });
    private static readonly DateTimeOffset Received = new(2025, 10, 28, 7, 0, 0, TimeSpan.Zero);

    private static byte[] Frame(string titleStart) =>
        Convert.FromHexString(Rows.Select(r => r.Split('\t')).Single(f => f[2].StartsWith(titleStart, StringComparison.Ordinal))[7]);

    private static SpoolRecord Record(byte[] frame, long offset = 4096, ListenerProtocol protocol = ListenerProtocol.Auto)
    {
        var payload = new byte[FrameEnvelope.SizeFor(frame.Length)];
        FrameEnvelope.WriteHeader(payload, protocol, Received.ToUnixTimeMilliseconds(), 7, 32960);
        frame.CopyTo(payload, FrameEnvelope.HeaderSize);
        return new SpoolRecord(offset, offset + payload.Length + 8, payload);
    }

    [Fact]
    public void A_gb_realtime_frame_gives_a_raw_row_and_one_vehicle_sample()
    {
        var rows = new ClickHouseRowBuffers();
        new ClickHouseRowProjector(Options).Project(Record(Frame("35. data_2016")), rows);
        Assert.Equal((1, 1, 0, 0), (rows.FramesRaw.Count, rows.VehicleSamples.Count, rows.EmissionSamples.Count, rows.Sessions.Count));
    }

    [Fact]
    public void An_annex_q_frame_gives_one_emission_row_per_item()
    {
        var rows = new ClickHouseRowBuffers();
        new ClickHouseRowProjector(Options).Project(Record(Frame("1. GB17691 realtime LEWPCA"), protocol: ListenerProtocol.Gb17691), rows);
        Assert.Equal((1, 0, 2, 0), (rows.FramesRaw.Count, rows.VehicleSamples.Count, rows.EmissionSamples.Count, rows.Sessions.Count));
    }

    [Theory]
    [InlineData(Hj1239UserItemLayout.RestOfItems, 3)]
    [InlineData(Hj1239UserItemLayout.LengthPrefixed, 0)] // the bytes do not walk in this layout: raw row only, as the decoder says
    [InlineData(Hj1239UserItemLayout.Reject, 0)]
    public void A_user_defined_hj_item_is_read_the_way_the_listener_is_configured(Hj1239UserItemLayout userItems, int emissionRows)
    {
        // The real Annex Q frame with a user-defined 0x81 item after its two standard items, in the "rest of the items" layout.
        var real = Frame("1. GB17691 realtime LEWPCA");
        Assert.True(Hj1239Decoder.TryDecode(real, Hj1239Layout.AnnexQ, out var decoded, out _));
        var body = (Hj1239DataBody)decoded.Body;
        var user = Hj1239InfoItem.AnnexQ(9, new UserDefinedData(0x81, Hj1239UserItemLayout.RestOfItems, new byte[] { 1, 2, 3 }));
        var frame = Hj1239Encoder.Encode(Hj1239Frame.Create(decoded.Command, decoded.Vin, decoded.Header.SoftwareVersion, decoded.Layout,
            new Hj1239DataBody(false, body.Time, null, [body.Items[0], body.Items[1], user])));
        var options = Microsoft.Extensions.Options.Options.Create(new IngestOptions
        {
            NodeName = "n1",
            Listeners = [new ListenerOptions { Name = "gb17691", Port = 32960, Protocol = ListenerProtocol.Gb17691, Hj1239UserItems = userItems }],
        });

        var rows = new ClickHouseRowBuffers();
        new ClickHouseRowProjector(options).Project(Record(frame, protocol: ListenerProtocol.Gb17691), rows);
        var state = new VehicleStateProjector(options).Project(Record(frame, protocol: ListenerProtocol.Gb17691));

        Assert.Equal((1, emissionRows), (rows.FramesRaw.Count, rows.EmissionSamples.Count));
        Assert.Equal(emissionRows > 0, state?.DeviceTime is not null);
    }

    [Fact]
    public void Logins_and_logouts_become_session_rows()
    {
        var rows = new ClickHouseRowBuffers();
        var projector = new ClickHouseRowProjector(Options);
        projector.Project(Record(Frame("1. vehicle login LZYTUGEW5G1059545")), rows);
        projector.Project(Record(Frame("3. vehicle logout LA9BGZLF0JYYCK006")), rows);
        projector.Project(Record(Frame("1. GB17691 vehicle login LGDCH91G8KA141269")), rows);
        Assert.Equal(3, rows.Sessions.Count);
        Assert.Equal(3, rows.FramesRaw.Count);
    }

    [Fact]
    public void An_encrypted_frame_is_kept_raw_with_no_decoded_rows()
    {
        var rows = new ClickHouseRowBuffers();
        new ClickHouseRowProjector(Options).Project(Record(Frame("2. cmd 0x01")), rows); // JTNE login, AES ciphertext
        Assert.Equal((1, 0, 0, 0), (rows.FramesRaw.Count, rows.VehicleSamples.Count, rows.EmissionSamples.Count, rows.Sessions.Count));
    }

    [Fact]
    public void Projection_is_deterministic_so_a_retried_batch_encodes_to_the_same_bytes()
    {
        var first = new ClickHouseRowBuffers();
        var again = new ClickHouseRowBuffers();
        var projector = new ClickHouseRowProjector(Options);
        projector.Project(Record(Frame("36. data_2025")), first);
        projector.Project(Record(Frame("36. data_2025")), again);
        Assert.Equal(first.All.Select(b => b.Encoded.WrittenMemory.ToArray()), again.All.Select(b => b.Encoded.WrittenMemory.ToArray()));
    }

    [Fact]
    public void A_gb_realtime_frame_updates_position_speed_soc_and_odometer()
    {
        var state = new VehicleStateProjector(Options).Project(Record(Frame("36. data_2025")));
        Assert.NotNull(state);
        Assert.Equal("HAUV4BGN6S5002219", state.Vin);
        Assert.Equal(75, state.SocPct);
        Assert.Equal(0, state.SpeedKmh);
        Assert.Equal(15591, state.OdometerKm);
        Assert.Equal(new DateTimeOffset(2025, 10, 28, 14, 45, 47, TimeSpan.FromHours(8)), state.DeviceTime);
        Assert.True(state.Online);
        Assert.Equal("n1", state.Node);
    }

    [Fact]
    public void An_annex_q_frame_updates_nox_fuel_level_and_position()
    {
        var state = new VehicleStateProjector(Options).Project(Record(Frame("1. GB17691 realtime LEWPCA"), protocol: ListenerProtocol.Gb17691));
        Assert.NotNull(state);
        Assert.Equal(3.0, state.NoxPpm);
        Assert.Equal(45.2, state.FuelLevelPct);
        Assert.Equal(99.391613, state.Longitude);
        Assert.Equal(false, state.Mil);
    }

    [Fact]
    public void A_logout_marks_the_vehicle_offline()
    {
        var state = new VehicleStateProjector(Options).Project(Record(Frame("3. vehicle logout LA9BGZLF0JYYCK006")));
        Assert.NotNull(state);
        Assert.False(state.Online);
    }
}
