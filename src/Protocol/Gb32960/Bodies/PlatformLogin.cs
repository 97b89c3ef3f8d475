using Ingest.Protocol.Errors;
using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.Bodies;

/// <summary>
/// 0x05 platform login (2016 Annex B table B.2): time, serial, username (12 ASCII), password (20 ASCII) and the
/// encryption rule the sender will use (same code table as the header's encryption byte). 41 bytes.
/// </summary>
public sealed class PlatformLogin : Gb32960Body
{
    public const int UsernameLength = 12;
    public const int PasswordLength = 20;
    public const int Size = GbTime.Size + 2 + UsernameLength + PasswordLength + 1;

    public GbTime Time { get; init; }

    public ushort LoginSerial { get; init; }

    public ReadOnlyMemory<byte> Username { get; init; } = new byte[UsernameLength];

    public ReadOnlyMemory<byte> Password { get; init; } = new byte[PasswordLength];

    /// <summary>See <see cref="Framing.Gb32960Encryption"/>.</summary>
    public byte EncryptionRule { get; init; }

    public string UsernameText => Ascii.Text(Username.Span);

    public override int EncodedLength => Size;

    internal override void Write(ref BigEndianWriter w)
    {
        Check.Length(Username, UsernameLength, nameof(Username));
        Check.Length(Password, PasswordLength, nameof(Password));
        w.Time(Time);
        w.UInt16(LoginSerial);
        w.Bytes(Username.Span);
        w.Bytes(Password.Span);
        w.Byte(EncryptionRule);
    }

    internal static DecodeError TryRead(ReadOnlyMemory<byte> data, out PlatformLogin? body)
    {
        body = null;
        var span = data.Span;
        if (span.Length < Size)
        {
            return BodyErrors.Truncated(span.Length, Size - span.Length, span.Length);
        }
        if (span.Length > Size)
        {
            return BodyErrors.Trailing(Size, span.Length);
        }
        body = new PlatformLogin
        {
            Time = GbTime.Read(span),
            LoginSerial = (ushort)(span[6] << 8 | span[7]),
            Username = data.Slice(8, UsernameLength),
            Password = data.Slice(8 + UsernameLength, PasswordLength),
            EncryptionRule = span[Size - 1],
        };
        return default;
    }
}
