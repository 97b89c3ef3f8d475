using Ingest.Protocol.Framing;

namespace Ingest.Protocol.Gb32960.Internal;

/// <summary>
/// Whether an encrypted data unit's length is possible for the algorithm its header names. The codec holds no keys:
/// a plausible ciphertext is passed on as a flagged raw body; an impossible one (a plaintext login labelled RSA, seen
/// in the wild) is an error.
/// </summary>
internal static class Ciphertext
{
    public static bool IsPlausible(byte encryption, int length, Gb32960Edition edition) => encryption switch
    {
        // RSA: whole blocks of the modulus size, 512 bits at least.
        Gb32960Encryption.Rsa => length >= 64 && length % 64 == 0,
        // AES-128 (both editions) and SM4 (2025): 16-byte blocks.
        Gb32960Encryption.Aes128OrSm2 => length % 16 == 0,
        Gb32960Encryption.Sm4 => edition == Gb32960Edition.V2025 && length % 16 == 0,
        // SM2: C1 (64 or 65 bytes) + C3 (32) + C2.
        Gb32960Encryption.Sm2 => edition == Gb32960Edition.V2025 && length >= 96,
        _ => false,
    };
}
