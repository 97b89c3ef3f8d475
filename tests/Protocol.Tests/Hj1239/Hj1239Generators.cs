using System.Buffers.Binary;
using CsCheck;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;

namespace Protocol.Tests.Hj1239;

/// <summary>CsCheck generators for every HJ 1239 body, info unit and both layouts.</summary>
internal static class Hj1239Generators
{
    /// <summary>Any six bytes: invalid times must round-trip too.</summary>
    public static readonly Gen<GbTime> AnyTime = Gen.Byte.Array[GbTime.Size].Select(b => GbTime.Read(b));

    public static readonly Gen<Vin> VinGen = Gen.Char["0123456789ABCDEFGHJKLMNPRSTUVWXYZ"].Array[Vin.Length]
        .Select(c => Vin.Parse(new string(c)));

    /// <summary>Only 0x01 is plaintext: 0xFE/0xFF (abnormal/invalid) make the data unit an Encrypted error, as in GB/T 32960.</summary>
    public static readonly Gen<byte> PlaintextEncryption = Gen.Const((byte)0x01);

    private static readonly Gen<byte> AnyEncryptionMarker = Gen.OneOf(Gen.Byte[1, 3], Gen.Const((byte)0xFE), Gen.Const((byte)0xFF));

    private static Gen<Hj1239InfoUnit> FixedUnit(byte type, int length) =>
        Gen.Byte.Array[length].Select(b => Hj1239InfoTypes.TryRead(type, b, out var unit) ? unit : throw new InvalidOperationException());

    private static readonly Gen<byte> DtcCount = Gen.Frequency(
        (8, Gen.Byte[0, 4]),
        (1, Gen.Const((byte)0xFE)),
        (1, Gen.Const((byte)0xFF)));

    public static readonly Gen<Hj1239InfoUnit> Obd =
        Gen.Select(Gen.Byte.Array[ObdInfo.FixedLength - 1], DtcCount)
            .SelectMany((head, count) => Gen.UInt.Array[count <= ObdInfo.MaxDtcCount ? count : 0].Select(dtcs =>
            {
                var body = new byte[ObdInfo.FixedLength + 4 * dtcs.Length];
                head.CopyTo(body, 0);
                body[ObdInfo.FixedLength - 1] = count;
                for (int i = 0; i < dtcs.Length; i++)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(ObdInfo.FixedLength + 4 * i), dtcs[i]);
                }
                return ObdInfo.TryRead(body, out var obd) ? (Hj1239InfoUnit)obd : throw new InvalidOperationException();
            }));

    public static readonly Gen<Hj1239InfoUnit> Unit = Gen.OneOf(
        Obd,
        FixedUnit(DieselDataStream.TypeCode, DieselDataStream.Length),
        FixedUnit(SparkIgnitionDataStream.TypeCode, SparkIgnitionDataStream.Length),
        FixedUnit(HybridSupplement.TypeCode, HybridSupplement.Length),
        FixedUnit(TwcNoxDataStream.TypeCode, TwcNoxDataStream.Length),
        FixedUnit(SupplementaryDataStream.TypeCode, SupplementaryDataStream.Length));

    /// <summary>R/S of any length a data report can carry unambiguously (an R length equal to a type code cannot).</summary>
    public static readonly Gen<Hj1239Signature> Signature =
        Gen.Select(Gen.Int[0, 70].Where(n => !Hj1239InfoTypes.IsKnown((byte)n)), Gen.Int[0, 70])
            .SelectMany((r, s) => Gen.Select(Gen.Byte.Array[r], Gen.Byte.Array[s], (rb, sb) => new Hj1239Signature(rb, sb)));

    private static Gen<Hj1239Signature?> Optional(Gen<Hj1239Signature> signature) =>
        Gen.Frequency((1, Gen.Const((Hj1239Signature?)null)), (2, signature.Select(s => (Hj1239Signature?)s)));

    private static readonly Gen<Hj1239InfoItem> AnnexQItem = Gen.Select(Gen.UShort, Unit, Hj1239InfoItem.AnnexQ);

    private static readonly Gen<Hj1239InfoItem> HjItem = Gen.Select(AnyTime, Unit, Hj1239InfoItem.Hj1239);

    /// <summary>A body with the command and layout it belongs to.</summary>
    public readonly record struct Shape(byte Command, Hj1239Layout Layout, Hj1239Body Body, byte? Encryption = null);

    private static readonly Gen<Shape> AnnexQReport =
        Gen.Select(Gen.Bool, AnyTime, AnnexQItem.Array[0, 12], (reissue, time, items) =>
            new Shape(reissue ? Hj1239Command.Reissue : Hj1239Command.Realtime, Hj1239Layout.AnnexQ,
                new Hj1239DataBody(reissue, time, null, items)));

    private static readonly Gen<Shape> HjReport =
        Gen.Select(Gen.Bool, AnyTime, Gen.UShort, HjItem.Array[0, 12], Optional(Signature), (reissue, time, serial, items, signature) =>
            new Shape(reissue ? Hj1239Command.Reissue : Hj1239Command.Realtime, Hj1239Layout.Hj1239,
                new Hj1239DataBody(reissue, time, serial, items, signature)));

    private static readonly Gen<Shape> Login = Gen.Select(AnyTime, Gen.UShort, Gen.Byte.Array[Hj1239LoginBody.IccidLength],
        (t, s, iccid) => new Shape(Hj1239Command.Login, Hj1239Layout.Auto, new Hj1239LoginBody(t, s, iccid)));

    private static readonly Gen<Shape> Logout = Gen.Select(AnyTime, Gen.UShort,
        (t, s) => new Shape(Hj1239Command.Logout, Hj1239Layout.Auto, new Hj1239LogoutBody(t, s)));

    private static readonly Gen<Shape> TimeSync = Gen.Frequency(
        (1, Gen.Const(new Shape(Hj1239Command.TimeSync, Hj1239Layout.Auto, Hj1239TimeSyncBody.Request))),
        (1, AnyTime.Select(t => new Shape(Hj1239Command.TimeSync, Hj1239Layout.Auto, new Hj1239TimeSyncBody(t)))));

    private static readonly Gen<Shape> RemovalAlarm = Gen.Select(AnyTime, Gen.UShort, Gen.Byte, Gen.UInt, Gen.UInt, Optional(Signature),
        (t, s, status, lon, lat, signature) => new Shape(Hj1239Command.RemovalAlarm, Hj1239Layout.Hj1239,
            new Hj1239RemovalAlarmBody(t, s, new GnssPosition(status, lon, lat), signature)));

    private static readonly Gen<Shape> Activation = Gen.Select(AnyTime, Gen.Byte.Array[Hj1239ActivationBody.ChipIdLength],
        Gen.Byte.Array[Hj1239ActivationBody.PublicKeyLength], VinGen, Signature,
        (t, chip, key, vin, signature) => new Shape(Hj1239Command.Activation, Hj1239Layout.Hj1239,
            new Hj1239ActivationBody(t, chip, key, vin, signature)));

    private static readonly Gen<Shape> ActivationResponse = Gen.Select(Gen.Byte, Gen.Byte,
        (status, reason) => new Shape(Hj1239Command.ActivationResponse, Hj1239Layout.Hj1239, new Hj1239ActivationResponseBody(status, reason)));

    private static readonly Gen<Shape> Raw = Gen.OneOf(
        Gen.Byte.Array[0, 80].Select(b => new Shape(Hj1239Command.ParameterQuery, Hj1239Layout.Hj1239,
            new Hj1239RawBody(Hj1239RawReason.UndefinedBody, b))),
        Gen.Select(Gen.Byte[0x81, 0x82], Gen.Byte.Array[0, 80], (c, b) => new Shape(c, Hj1239Layout.Auto,
            new Hj1239RawBody(Hj1239RawReason.UnknownCommand, b))),
        // Ciphertext lengths the named cipher can produce: RSA whole 64-byte blocks, SM2 at least 96 bytes.
        Gen.Select(Gen.Byte[1, 7], Gen.Byte[2, 3], Gen.Int[0, 2], Gen.Byte.Array[192], (c, e, k, all) =>
        {
            var b = all[..(e == 2 ? 64 * (k + 1) : 96 + 16 * k)];
            return new Shape(c, Hj1239LayoutDetection.Resolve(Hj1239Layout.Auto, c, b, encrypted: true),
                new Hj1239RawBody(Hj1239RawReason.Encrypted, b), e);
        }));

    public static readonly Gen<Shape> AnyShape = Gen.Frequency(
        (4, AnnexQReport), (4, HjReport), (1, Login), (1, Logout), (1, TimeSync), (1, RemovalAlarm), (1, Activation),
        (1, ActivationResponse), (2, Raw));

    public static readonly Gen<Hj1239Frame> Frame = Gen.Select(AnyShape, VinGen, Gen.Byte, PlaintextEncryption,
        (shape, vin, version, plaintext) =>
            Hj1239Frame.Create(shape.Command, vin, version, shape.Layout, shape.Body, shape.Encryption ?? plaintext));

    /// <summary>A plausible header (so framing passes) over arbitrary data-unit bytes.</summary>
    public static readonly Gen<byte[]> HeaderOverRandomData = Gen.Select(
        Gen.OneOf(Gen.Byte[1, 8], Gen.Byte[0x80, 0x82]), VinGen, Gen.Byte, AnyEncryptionMarker,
        Gen.Byte.Array[0, 300],
        (command, vin, version, encryption, data) =>
        {
            var bytes = new byte[FrameHeader.Overhead + data.Length];
            new FrameHeader(FrameMarker.Hash, HeaderLayout.Hj1239, command, 0, vin, version, encryption, data.Length).Write(bytes);
            data.CopyTo(bytes, FrameHeader.Size);
            FrameEncoding.Seal(bytes);
            return bytes;
        });

    /// <summary>A valid frame's bytes with a few data-unit bytes changed, and sometimes cut or extended; resealed.</summary>
    public static readonly Gen<byte[]> MutatedFrame = Gen.Select(Frame, Gen.Select(Gen.Int, Gen.Byte).Array[1, 4], Gen.Int[-3, 3],
        (frame, flips, resize) =>
        {
            var bytes = Hj1239Encoder.Encode(frame);
            var data = bytes.AsSpan(FrameHeader.Size, bytes.Length - FrameHeader.Overhead).ToArray();
            foreach (var (at, value) in flips)
            {
                if (data.Length > 0)
                {
                    data[(int)((uint)at % data.Length)] = value;
                }
            }
            int length = Math.Max(0, data.Length + resize);
            Array.Resize(ref data, length);
            return Hj1239Samples.WithDataUnit(bytes, data);
        });
}
