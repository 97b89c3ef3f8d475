using CsCheck;
using Ingest.Hosting;
using Ingest.Projection;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Primitives;
using Ingest.Records;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Sinks.Redis;
using Ingest.Spool;
using LoadGen.Frames;
using Microsoft.Extensions.Options;
using Protocol.Tests.Gb32960;
using Protocol.Tests.Hj1239;
using Protocol.Tests.Support;

namespace Ingest.Tests.Projection;

/// <summary>
/// The walker-based <see cref="ClickHouseRowProjector"/> must write, table by table, the very bytes the full decode into
/// row structs writes (<see cref="ReferenceRowProjector"/>): over every shared vector, the load generator's frames and
/// thousands of generated and mutated frames whose fields take random raw values (sentinels included), so every
/// scaled float is compared bit for bit. The walker-based <see cref="VehicleStateProjector"/> must likewise give the
/// update the full decode gives (<see cref="ReferenceStateProjector"/>), compared field by field and as text (which
/// tells -0 from 0).
/// </summary>
public class ProjectionEquivalenceTests
{
    private const int ListenerPort = 32960;

    private static readonly IOptions<IngestOptions> Options = Microsoft.Extensions.Options.Options.Create(new IngestOptions
    {
        NodeName = "节点-1",
        Listeners = [new ListenerOptions { Name = "gb-main", Port = ListenerPort }],
    });

    private static readonly ClickHouseRowProjector Fast = new(Options);
    private static readonly ReferenceRowProjector Reference = new(Options);
    private static readonly VehicleStateProjector FastState = new(Options);
    private static readonly ReferenceStateProjector ReferenceState = new(Options);

    public static TheoryData<Vector> Vectors()
    {
        var data = new TheoryData<Vector>();
        foreach (var v in VectorCatalog.All)
        {
            data.Add(v);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Every_vector_projects_to_the_same_rows_on_every_kind_of_port(Vector vector)
    {
        foreach (var protocol in Enum.GetValues<ListenerProtocol>())
        {
            AssertSameRows(Record(vector.Bytes, protocol));
        }
    }

    [Fact]
    public void Load_generator_frames_of_every_protocol_and_shape_project_to_the_same_rows()
    {
        var time = new DateTimeOffset(2026, 11, 29, 8, 30, 15, TimeSpan.Zero);
        FrameShape[] shapes =
        [
            new(),
            new() { CellCount = 450, ProbeCount = 3, MotorCount = 3, Signed = false },
            new() { Mix = InfoMix.Parse("01,02,03,04,05,06,07,08,09"), CellCount = 1, ProbeCount = 1 },
        ];
        int checkedFrames = 0;
        foreach (var protocol in Enum.GetValues<TerminalProtocol>())
        {
            foreach (var shape in shapes)
            {
                if (shape.Validate(protocol) is not null)
                {
                    continue;
                }
                for (int seed = 0; seed < 5; seed++)
                {
                    var frames = TerminalFrames.Build(protocol, "LGDCH91G8KA141269", shape, seed);
                    foreach (var template in new[] { frames.Login, frames.Data, frames.Logout })
                    {
                        template.Stamp(time.AddSeconds(seed), seed + 1);
                        AssertSameRows(Record(template.Span.ToArray(), ProtocolOf(protocol)));
                        AssertSameRows(Record(template.Span.ToArray(), ListenerProtocol.Auto));
                        checkedFrames++;
                    }
                }
            }
        }
        Assert.True(checkedFrames >= 60, $"only {checkedFrames} frames were built");
    }

    [Fact]
    public void Generated_gb_frames_project_to_the_same_rows()
    {
        Gen.Select(Gb32960Generators.AnyFrame, Gen.Long[0, long.MaxValue / 2], Gen.Long[0, 4_000_000_000_000])
            .Sample(t => AssertSameRows(Record(Gb32960Encoder.Encode(t.Item1), ListenerProtocol.Auto, t.Item2, t.Item3)), iter: 3000);
    }

    [Fact]
    public void Generated_gb_realtime_frames_with_real_times_project_to_the_same_rows()
    {
        // The shared generators draw times from all 2^48 byte patterns, nearly none of them a real instant, and a
        // sample without a real time is not stored: here the times are real, so the vehicle_samples rows are compared.
        var frames =
            from e in Gb32960Generators.Edition
            from r in Gb32960Generators.Realtime(e)
            from many in Gb32960Generators.InfoUnit(e).Array[0, 40]
            from useMany in Gen.Bool
            from time in RealTime
            from vin in Gb32960Generators.Identifier
            select Gb32960Frame.Create(e, r.Command, Gb32960ResponseFlags.Command, vin, new Ingest.Protocol.Gb32960.Bodies.RealtimeReport
            {
                Edition = e,
                IsReissue = r.IsReissue,
                Time = time,
                Items = useMany ? many : r.Items,
                UnknownTail = r.UnknownTail,
                Signature = r.Signature,
                AfterSignature = r.AfterSignature,
            });
        int stored = 0;
        Gen.Select(frames.Select(f => Gb32960Encoder.Encode(f)), Gen.Select(Gen.Int, Gen.Byte).Array[1, 3], Gen.Int[0, 5]).Sample(t =>
        {
            stored += AssertSameRows(Record(t.Item1, ListenerProtocol.Auto)).VehicleSamples.Count;
            // One run in five with a few bytes changed: items cut short, counts that no longer fit, unknown types.
            if (t.Item3 == 0)
            {
                AssertSameRows(Record(Mutate(t.Item1, t.Item2, 0), ListenerProtocol.Auto));
            }
        }, iter: 3000);
        Assert.True(stored > 1000, $"only {stored} vehicle_samples rows were compared");
    }

    [Fact]
    public void Generated_hj_data_frames_with_real_times_project_to_the_same_rows()
    {
        var annexQ =
            from reissue in Gen.Bool
            from time in RealTime
            from items in Gen.Select(Gen.UShort, Hj1239Generators.Unit, Hj1239InfoItem.AnnexQ).Array[0, 12]
            select (reissue, Hj1239Layout.AnnexQ, new Hj1239DataBody(reissue, time, null, items));
        var hj =
            from reissue in Gen.Bool
            from time in RealTime
            from serial in Gen.UShort
            from items in Gen.Select(RealTime, Hj1239Generators.Unit, Hj1239InfoItem.Hj1239).Array[0, 12]
            select (reissue, Hj1239Layout.Hj1239, new Hj1239DataBody(reissue, time, serial, items));
        var ports = Gen.OneOf(Gen.Const(ListenerProtocol.Auto), Gen.Const(ListenerProtocol.Hj1239), Gen.Const(ListenerProtocol.Gb17691));
        int stored = 0;
        Gen.Select(Gen.OneOf(annexQ, hj), Hj1239Generators.VinGen, ports, Gen.Select(Gen.Int, Gen.Byte).Array[1, 3], Gen.Int[0, 5]).Sample(t =>
        {
            var (body, vin, port, flips, mutate) = t;
            var frame = Hj1239Encoder.Encode(Hj1239Frame.Create(body.reissue ? Hj1239Command.Reissue : Hj1239Command.Realtime, vin, 2,
                body.Item2, body.Item3));
            stored += AssertSameRows(Record(frame, port)).EmissionSamples.Count;
            if (mutate == 0)
            {
                AssertSameRows(Record(Mutate(frame, flips, 0), port));
            }
        }, iter: 3000);
        Assert.True(stored > 5000, $"only {stored} emission_samples rows were compared");
    }

    [Fact]
    public void A_malformed_hj_unit_between_good_ones_takes_back_only_its_own_rows()
    {
        // Emission rows are written while the unit is walked; a unit that turns out malformed part-way must leave the
        // rows of the records before it in the same buffer untouched, and none of its own.
        var built = TerminalFrames.Build(TerminalProtocol.Hj1239, "LGDCH91G8KA141269", new FrameShape { Mix = InfoMix.Parse("02x3") }, seed: 7).Data;
        built.Stamp(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero), 1);
        var good = built.Span.ToArray();
        var cut = Mutate(good, [], resize: -5);
        var expected = new ClickHouseRowBuffers();
        var actual = new ClickHouseRowBuffers();
        foreach (var (frame, offset) in new[] { (good, 4096L), (cut, 8192L), (good, 12288L) })
        {
            Reference.Project(Record(frame, ListenerProtocol.Hj1239, offset), expected);
            Fast.Project(Record(frame, ListenerProtocol.Hj1239, offset), actual);
        }
        Assert.Equal(6, actual.EmissionSamples.Count);
        Assert.Equal(3, actual.FramesRaw.Count);
        for (int t = 0; t < expected.All.Count; t++)
        {
            Assert.Equal(expected.All[t].Count, actual.All[t].Count);
            Assert.True(expected.All[t].Encoded.WrittenSpan.SequenceEqual(actual.All[t].Encoded.WrittenSpan), expected.All[t].Table.Name);
        }
    }

    /// <summary>Mostly real instants (2000-2099), sometimes not (a zero month, an hour of 24).</summary>
    private static readonly Gen<GbTime> RealTime = Gen.Frequency(
        (9, Gen.Select(Gen.Byte[0, 99], Gen.Byte[1, 12], Gen.Byte[1, 28], Gen.Byte[0, 23], Gen.Byte[0, 59], Gen.Byte[0, 59],
            (y, mo, d, h, mi, s) => new GbTime(y, mo, d, h, mi, s))),
        (1, Gen.Select(Gen.Byte[0, 99], Gen.Byte[0, 13], Gen.Byte[0, 32], Gen.Byte[0, 24], (y, mo, d, h) => new GbTime(y, mo, d, h, 0, 0))));

    [Fact]
    public void Records_that_are_not_frames_project_to_the_same_rows()
    {
        AssertSameRows(new SpoolRecord(0, 8, Array.Empty<byte>()));
        AssertSameRows(new SpoolRecord(5, 40, new byte[] { 9, 9, 9 }));
        Gen.Byte.Array[0, 200].Sample(bytes => AssertSameRows(Record(bytes, ListenerProtocol.Auto)), iter: 500);
    }

    [Fact]
    public void The_check_fails_when_one_byte_differs()
    {
        // The comparison itself must be able to fail: a different node name changes every table's bytes.
        var other = new ClickHouseRowProjector(Microsoft.Extensions.Options.Options.Create(new IngestOptions { NodeName = "n2" }));
        var frame = VectorCatalog.All.First(v => v.Title.StartsWith("35. data_2016", StringComparison.Ordinal)).Bytes;
        var a = new ClickHouseRowBuffers();
        var b = new ClickHouseRowBuffers();
        Fast.Project(Record(frame, ListenerProtocol.Auto), a);
        other.Project(Record(frame, ListenerProtocol.Auto), b);
        Assert.NotEqual(a.VehicleSamples.Encoded.WrittenMemory.ToArray(), b.VehicleSamples.Encoded.WrittenMemory.ToArray());
    }

    private static ClickHouseRowBuffers AssertSameRows(SpoolRecord record)
    {
        var expected = new ClickHouseRowBuffers();
        var actual = new ClickHouseRowBuffers();
        Reference.Project(record, expected);
        Fast.Project(record, actual);
        for (int t = 0; t < expected.All.Count; t++)
        {
            var want = expected.All[t];
            var got = actual.All[t];
            if (want.Count != got.Count || !want.Encoded.WrittenSpan.SequenceEqual(got.Encoded.WrittenSpan))
            {
                Assert.Fail($"{want.Table.Name}: expected {want.Count} rows {Convert.ToHexString(want.Encoded.WrittenSpan)}, " +
                    $"got {got.Count} rows {Convert.ToHexString(got.Encoded.WrittenSpan)} for record {Convert.ToHexString(record.Payload.Span)}");
            }
        }
        var expectedState = ReferenceState.Project(record);
        var actualState = FastState.Project(record);
        if (expectedState != actualState || expectedState?.ToString() != actualState?.ToString())
        {
            Assert.Fail($"state: expected {expectedState}, got {actualState} for record {Convert.ToHexString(record.Payload.Span)}");
        }
        return actual;
    }

    private static SpoolRecord Record(byte[] frame, ListenerProtocol protocol, long offset = 4096, long receivedAtMs = 1_761_634_800_123)
    {
        var payload = new byte[FrameEnvelope.SizeFor(frame.Length)];
        // Half the frames (by check byte) come from unfiled vehicles: admitted = 0 must come out the same both ways.
        var flags = frame.Length > 0 && (frame[^1] & 1) != 0 ? EnvelopeFlags.Unfiled : EnvelopeFlags.None;
        FrameEnvelope.WriteHeader(payload, protocol, receivedAtMs, 7, ListenerPort, flags);
        frame.CopyTo(payload, FrameEnvelope.HeaderSize);
        return new SpoolRecord(offset, offset + payload.Length + 8, payload);
    }

    private static ListenerProtocol ProtocolOf(TerminalProtocol protocol) => protocol switch
    {
        TerminalProtocol.Gb2016 or TerminalProtocol.Gb2025 => ListenerProtocol.Gb32960,
        TerminalProtocol.Hj1239 => ListenerProtocol.Hj1239,
        _ => ListenerProtocol.Gb17691,
    };

    /// <summary>A few data-unit bytes changed, the unit sometimes cut or extended, the length and check byte fixed up.</summary>
    private static byte[] Mutate(byte[] frame, (int At, byte Value)[] flips, int resize)
    {
        var data = frame.AsSpan(FrameHeader.Size, frame.Length - FrameHeader.Overhead).ToArray();
        foreach (var (at, value) in flips)
        {
            if (data.Length > 0)
            {
                data[(int)((uint)at % data.Length)] = value;
            }
        }
        Array.Resize(ref data, Math.Max(0, data.Length + resize));
        return Hj1239Samples.WithDataUnit(frame, data);
    }
}
