using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Ingest.Signatures;

/// <summary>
/// One vehicle's SM2 public key with its user id, ready to verify: the signer is initialised once (the ZA digest of
/// the user id, curve and key is computed here, not per frame) and the key point keeps BouncyCastle's precomputed
/// multiples between calls. Calls are serialised on the key, which costs nothing in practice: one vehicle's frames
/// arrive on one connection, one after another.
/// </summary>
public sealed class Sm2VerificationKey
{
    /// <summary>
    /// GB/T 32918.5 recommended curve (sm2p256v1), BouncyCastle's fixed-width implementation: the same curve from
    /// GMNamedCurves does its arithmetic with BigInteger and costs about ten times as much (2 MB allocated per check).
    /// </summary>
    public static readonly ECDomainParameters Curve = new(CustomNamedCurves.GetByName("sm2p256v1"));

    private const int ComponentLength = 32;

    private readonly SM2Signer _signer = new(PlainDsaEncoding.Instance);
    private readonly byte[] _rs = new byte[2 * ComponentLength];

    private Sm2VerificationKey(ECPublicKeyParameters key, byte[] userId)
    {
        _signer.Init(false, new ParametersWithID(key, userId));
    }

    /// <summary>
    /// The key for <paramref name="publicKey"/> (uncompressed 0x04 || X || Y, or compressed) on
    /// <paramref name="domain"/> (default <see cref="Curve"/>); false when the bytes are not a point of the curve.
    /// </summary>
    public static bool TryCreate(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> userId, out Sm2VerificationKey? key,
        ECDomainParameters? domain = null)
    {
        key = null;
        domain ??= Curve;
        try
        {
            var point = domain.Curve.DecodePoint(publicKey.ToArray());
            key = new Sm2VerificationKey(new ECPublicKeyParameters(point, domain), userId.ToArray());
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// True when (<paramref name="r"/>, <paramref name="s"/>) is this key's SM2 signature of <paramref name="message"/>.
    /// R and S are big-endian integers of at most 32 significant bytes (a leading sign byte 0x00 is accepted).
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> r, ReadOnlySpan<byte> s)
    {
        lock (_signer)
        {
            if (!TryPlace(r, _rs.AsSpan(0, ComponentLength)) || !TryPlace(s, _rs.AsSpan(ComponentLength)))
            {
                return false;
            }
            // Reset re-primes the digest with ZA; a previous call that failed inside the signer may have left bytes in it.
            _signer.Reset();
            _signer.BlockUpdate(message);
            return _signer.VerifySignature(_rs);
        }
    }

    /// <summary>Right-aligns a big-endian integer into a 32-byte field; false when it does not fit.</summary>
    private static bool TryPlace(ReadOnlySpan<byte> value, Span<byte> field)
    {
        int firstNonZero = value.IndexOfAnyExcept((byte)0);
        var significant = firstNonZero < 0 ? default : value[firstNonZero..];
        if (significant.Length > field.Length)
        {
            return false;
        }
        field[..^significant.Length].Clear();
        significant.CopyTo(field[^significant.Length..]);
        return true;
    }
}
