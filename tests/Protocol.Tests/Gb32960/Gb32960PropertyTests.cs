using System.Buffers.Binary;
using CsCheck;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Primitives;

namespace Protocol.Tests.Gb32960;

/// <summary>Random frames: the round trip holds for every valid frame, and no input makes the decoder throw.</summary>
public class Gb32960PropertyTests
{
    /// <summary>Builds a sealed frame around an arbitrary data unit (header plausible, length and check byte right).</summary>
    internal static byte[] Seal(Gb32960Edition edition, byte command, byte flag, ReadOnlySpan<byte> data, byte encryption = 0x01)
    {
        var bytes = new byte[FrameHeader.Overhead + data.Length];
        var header = new FrameHeader(edition.Marker(), HeaderLayout.Gb32960, command, flag, Vin.Parse("LTESTVIN000000001"), 0, encryption, data.Length);
        FrameEncoding.Write(bytes, header, data);
        return bytes;
    }

    /// <summary>Re-seals a frame after its data unit was edited: fixes the length field and the check byte.</summary>
    internal static byte[] Reseal(byte[] frame, ReadOnlySpan<byte> data)
    {
        var bytes = new byte[FrameHeader.Overhead + data.Length];
        frame.AsSpan(0, FrameHeader.Size).CopyTo(bytes);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(22), (ushort)data.Length);
        data.CopyTo(bytes.AsSpan(FrameHeader.Size));
        FrameEncoding.Seal(bytes);
        return bytes;
    }

    /// <summary>The decoder's contract on any input: no throw; success means an exact round trip; failure a typed error in range.</summary>
    internal static void AssertContract(byte[] bytes)
    {
        bool ok = Gb32960Decoder.TryDecode(bytes, out var frame, out var error);
        if (ok)
        {
            Assert.Equal(bytes, Gb32960Encoder.Encode(frame!));
            return;
        }
        Assert.NotEqual(DecodeErrorKind.None, error.Kind);
        Assert.InRange(error.Offset, 0, Math.Max(bytes.Length, FrameHeader.Overhead));
        if (frame is not null)
        {
            Assert.Equal(bytes, Gb32960Encoder.Encode(frame));
        }
    }

    [Fact]
    public void Random_valid_frames_of_every_command_and_info_type_round_trip_exactly()
    {
        Gb32960Generators.AnyFrame.Sample(frame =>
        {
            var bytes = Gb32960Encoder.Encode(frame);
            Assert.True(Gb32960Decoder.TryDecode(bytes, out var decoded, out var error), error.ToString());
            Assert.Equal(bytes, Gb32960Encoder.Encode(decoded));
            Assert.Equal(frame.Edition, decoded.Edition);
            Assert.Equal(frame.Vin, decoded.Vin);
        }, iter: 3000);
    }

    [Fact]
    public void Random_realtime_items_decode_to_the_same_items_in_the_same_order()
    {
        (from e in Gb32960Generators.Edition
         from items in Gb32960Generators.InfoUnit(e).Array[1, 8]
         from time in Gb32960Generators.Time
         select (e, items, time)).Sample(t =>
        {
            var report = new Ingest.Protocol.Gb32960.Bodies.RealtimeReport { Edition = t.e, Time = t.time, Items = t.items };
            var bytes = Gb32960Encoder.Encode(Gb32960Frame.Create(t.e, report.Command, Gb32960ResponseFlags.Command, default, report));
            Assert.True(Gb32960Decoder.TryDecode(bytes, out var frame, out _));
            var decoded = Assert.IsType<Ingest.Protocol.Gb32960.Bodies.RealtimeReport>(frame.Body);
            Assert.Equal(t.items.Select(i => (i.Type, i.Kind, i.BodyLength)), decoded.Items.Select(i => (i.Type, i.Kind, i.BodyLength)));
            Assert.True(decoded.UnknownTail.IsEmpty);
        }, iter: 1000);
    }

    [Fact]
    public void Random_data_units_behind_a_valid_header_never_throw()
    {
        var commands = Gen.OneOf(Gen.Byte[0x01, 0x0B], Gen.Const((byte)0x80), Gen.Const((byte)0x81), Gen.Const((byte)0x82));
        var flags = Gen.OneOf(Gen.Const(Gb32960ResponseFlags.Command), Gen.Byte[0x01, 0x07]);
        Gen.Select(Gb32960Generators.Edition, commands, flags, Gen.Byte.Array[0, 120]).Sample(t =>
        {
            var (edition, command, flag, data) = t;
            if (edition == Gb32960Edition.V2016 && command is >= 0x09 and <= 0x0B)
            {
                command = 0x02;
            }
            AssertContract(Seal(edition, command, flag, data));
        }, iter: 4000);
    }

    [Fact]
    public void Mutated_valid_frames_never_throw_and_decode_only_to_exact_round_trips()
    {
        Gen.Select(Gb32960Generators.AnyFrame, Gen.Int.Array[1, 4], Gen.Byte.Array[4], Gen.Bool).Sample(t =>
        {
            var (frame, positions, values, reseal) = t;
            var bytes = Gb32960Encoder.Encode(frame);
            foreach (var (p, v) in positions.Zip(values))
            {
                bytes[(int)((uint)p % (uint)bytes.Length)] = v;
            }
            if (reseal)
            {
                FrameEncoding.Seal(bytes);
            }
            AssertContract(bytes);
        }, iter: 3000);
    }

    [Fact]
    public void Cut_or_extended_data_units_never_throw()
    {
        Gen.Select(Gb32960Generators.AnyFrame, Gen.Int[-40, 8], Gen.Byte).Sample(t =>
        {
            var (frame, delta, fill) = t;
            var bytes = Gb32960Encoder.Encode(frame);
            var data = bytes.AsSpan(FrameHeader.Size, bytes.Length - FrameHeader.Overhead);
            int length = Math.Max(0, data.Length + delta);
            var edited = new byte[length];
            data[..Math.Min(length, data.Length)].CopyTo(edited);
            edited.AsSpan(Math.Min(length, data.Length)).Fill(fill);
            AssertContract(Reseal(bytes, edited));
        }, iter: 3000);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        Gen.Byte.Array[0, 100].Sample(bytes =>
        {
            AssertContract(bytes);
            // The same bytes behind a "##" or "$$" marker exercise header validation.
            AssertContract([0x23, 0x23, .. bytes]);
            AssertContract([0x24, 0x24, .. bytes]);
        }, iter: 3000);
    }
}
