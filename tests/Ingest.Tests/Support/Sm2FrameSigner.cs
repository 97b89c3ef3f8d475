using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Signatures;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace Ingest.Tests.Support;

/// <summary>
/// A security chip for tests and benchmarks: an SM2 key pair generated here, and a signer that rewrites the R/S of a
/// frame built with placeholder R and S of 32 bytes each (the load generator's templates) so they sign the frame's
/// signed bytes with the chip id as user id, then fixes the check byte.
/// </summary>
public sealed class Sm2FrameSigner
{
    private readonly ECPrivateKeyParameters _private;
    private readonly byte[] _userId;

    public Sm2FrameSigner(string chipId, SecureRandom? random = null)
    {
        ChipId = chipId;
        _userId = System.Text.Encoding.ASCII.GetBytes(chipId);
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(Sm2VerificationKey.Curve, random ?? new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        _private = (ECPrivateKeyParameters)pair.Private;
        PublicKey = ((ECPublicKeyParameters)pair.Public).Q.GetEncoded(compressed: false);
    }

    public string ChipId { get; }

    /// <summary>Uncompressed 0x04 || X || Y, 65 bytes, as the registry files it.</summary>
    public byte[] PublicKey { get; }

    /// <summary>A copy of <paramref name="frame"/> whose R and S are this chip's signature.</summary>
    public byte[] Sign(ReadOnlySpan<byte> frame, ListenerProtocol protocol)
    {
        var signed = frame.ToArray();
        var layout = signed[3] is >= (byte)'0' and <= (byte)'Z' ? HeaderLayout.Hj1239 : HeaderLayout.Gb32960;
        var header = FrameHeader.Read(signed, layout);
        if (SignedFrame.Locate(signed, header, protocol, Hj1239UserItemLayout.LengthPrefixed, out var parts) != SignedFrameKind.Sm2
            || parts.R.Length != 32 || parts.S.Length != 32)
        {
            throw new ArgumentException("The frame has no 32 + 32 byte SM2 signature to replace.", nameof(frame));
        }
        var signer = new SM2Signer(PlainDsaEncoding.Instance);
        signer.Init(true, new ParametersWithID(new ParametersWithRandom(_private, new SecureRandom()), _userId));
        signer.BlockUpdate(parts.Signed);
        var rs = signer.GenerateSignature();
        signed.AsSpan().Overlaps(parts.R, out int rAt);
        signed.AsSpan().Overlaps(parts.S, out int sAt);
        rs.AsSpan(0, 32).CopyTo(signed.AsSpan(rAt));
        rs.AsSpan(32, 32).CopyTo(signed.AsSpan(sAt));
        FixCheckByte(signed);
        return signed;
    }

    /// <summary>XOR of every byte from the command through the data unit, into the last byte.</summary>
    public static void FixCheckByte(byte[] frame)
    {
        byte check = 0;
        foreach (byte b in frame.AsSpan(2, frame.Length - 3))
        {
            check ^= b;
        }
        frame[^1] = check;
    }
}
