using System.Buffers.Binary;
using Ingest.Protocol.Errors;

namespace Ingest.Protocol.Hj1239.InfoUnits;

/// <summary>
/// How the body of an info type outside the catalogue (reserved 0x06-0x7F and 0x00, user-defined 0x81-0xFE) is
/// delimited. HJ 1239.2 and Annex Q reserve these codes without a body layout, yet real terminals send them, so
/// the choice is the listener's (<c>Ingest:Listeners:N:Hj1239UserItems</c>). Decision record:
/// <c>src/Protocol/Hj1239/README.md</c>.
/// </summary>
public enum Hj1239UserItemLayout : byte
{
    /// <summary>
    /// Default. After the item's own prefix (HJ 1239: collection time; Annex Q: info serial) a WORD length and
    /// that many bytes, as Bitnei's G6 platform parser reads types 0x03-0x7F and 0x81-0xFE. [S + I for Annex Q]
    /// </summary>
    LengthPrefixed = 0,

    /// <summary>
    /// The body runs to the end of the items (to a signature that ends the data unit exactly, if there is one):
    /// for fleets whose custom item has a fixed length this codec does not know (a Shanghai decoder's 0x81 smoke
    /// stream). Such an item is always the last one.
    /// </summary>
    RestOfItems = 1,

    /// <summary>The behaviour before issue 10: the walk stops with <c>unknown_info_type</c> and the frame is rejected.</summary>
    Reject = 2,
}

/// <summary>
/// An info item whose type this codec has no layout for, kept as raw bytes (the GB codec keeps OEM types the same
/// way) so the frame's standard items still decode and the frame still re-encodes byte for byte.
/// </summary>
public sealed class UserDefinedData : Hj1239InfoUnit
{
    public UserDefinedData(byte infoType, Hj1239UserItemLayout layout, ReadOnlyMemory<byte> data)
    {
        if (layout == Hj1239UserItemLayout.Reject)
        {
            ThrowHelper.Argument(nameof(layout), "A kept item is length-prefixed or runs to the end of the items.");
        }
        if (layout == Hj1239UserItemLayout.LengthPrefixed && data.Length > ushort.MaxValue)
        {
            ThrowHelper.Argument(nameof(data), "A length-prefixed item holds at most 65535 bytes.");
        }
        InfoType = infoType;
        Layout = layout;
        Data = data;
    }

    public override byte InfoType { get; }

    /// <summary>How the body was delimited on the wire (never <see cref="Hj1239UserItemLayout.Reject"/>).</summary>
    public Hj1239UserItemLayout Layout { get; }

    /// <summary>The item's data: after the WORD length (length-prefixed), or the whole body (rest of items).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>"reserved" (0x00, 0x06-0x7F) or "user_defined" (0x81-0xFE, HJ 1239.2 "用户自定义").</summary>
    public string Category => InfoType >= 0x81 ? "user_defined" : "reserved";

    public override int EncodedLength => (Layout == Hj1239UserItemLayout.LengthPrefixed ? 2 : 0) + Data.Length;

    /// <summary>Reads a body delimited by the walker (for length-prefixed items: the WORD length included).</summary>
    public static bool TryRead(byte infoType, Hj1239UserItemLayout layout, ReadOnlySpan<byte> body, out UserDefinedData? value)
    {
        value = null;
        if (layout == Hj1239UserItemLayout.LengthPrefixed)
        {
            if (body.Length < 2 || BinaryPrimitives.ReadUInt16BigEndian(body) != body.Length - 2)
            {
                return false;
            }
            value = new UserDefinedData(infoType, layout, body[2..].ToArray());
            return true;
        }
        if (layout == Hj1239UserItemLayout.RestOfItems)
        {
            value = new UserDefinedData(infoType, layout, body.ToArray());
            return true;
        }
        return false;
    }

    public override void Write(Span<byte> destination)
    {
        if (Layout == Hj1239UserItemLayout.LengthPrefixed)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)Data.Length);
            Data.Span.CopyTo(destination[2..]);
            return;
        }
        Data.Span.CopyTo(destination);
    }
}
