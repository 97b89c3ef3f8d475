using System.Diagnostics.CodeAnalysis;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Hj1239;

/// <summary>
/// One info item of a realtime/reissue data unit, as a view into the frame: nothing is copied or allocated.
/// Decode the body with <see cref="TryDecode"/> or read the raw span directly.
/// </summary>
public readonly ref struct Hj1239Item
{
    internal Hj1239Item(byte type, Hj1239Layout layout, ushort serial, GbTime collectionTime, int offset, ReadOnlySpan<byte> body,
        Hj1239UserItemLayout userItemLayout = Hj1239UserItemLayout.LengthPrefixed)
    {
        UserItemLayout = userItemLayout;
        Type = type;
        Layout = layout;
        Serial = serial;
        CollectionTime = collectionTime;
        Offset = offset;
        Body = body;
    }

    /// <summary>The info type code (see <see cref="Hj1239InfoTypes"/>).</summary>
    public byte Type { get; }

    /// <summary>Which of <see cref="Serial"/> and <see cref="CollectionTime"/> the item carries.</summary>
    public Hj1239Layout Layout { get; }

    /// <summary>Annex Q: the item's info serial. Zero in the HJ 1239 layout (its serial is per frame).</summary>
    public ushort Serial { get; }

    /// <summary>HJ 1239: the item's collection time. Default (invalid) in the Annex Q layout (its time is per frame).</summary>
    public GbTime CollectionTime { get; }

    /// <summary>Offset of the type byte from the start of the frame.</summary>
    public int Offset { get; }

    /// <summary>The body bytes after the type and serial/time.</summary>
    public ReadOnlySpan<byte> Body { get; }

    /// <summary>
    /// True for an item of a reserved or user-defined type (not in <see cref="Hj1239InfoTypes"/>): its bytes are kept
    /// raw. <see cref="Body"/> is then everything after the prefix (for a length-prefixed item: the WORD length and
    /// the data), <see cref="UserData"/> the data alone, and <see cref="TryDecode"/> gives a <see cref="UserDefinedData"/>.
    /// </summary>
    public bool IsUserDefined => !Hj1239InfoTypes.IsKnown(Type);

    /// <summary>How a user-defined item's body was delimited (the walker's setting); meaningless for catalogue types.</summary>
    public Hj1239UserItemLayout UserItemLayout { get; }

    /// <summary>A user-defined item's data without its WORD length; empty for catalogue types.</summary>
    public ReadOnlySpan<byte> UserData => !IsUserDefined ? default
        : UserItemLayout == Hj1239UserItemLayout.LengthPrefixed ? Body[2..] : Body;

    /// <summary>Decodes the body into its typed info unit (allocates the unit).</summary>
    public bool TryDecode([NotNullWhen(true)] out Hj1239InfoUnit? unit) => Hj1239InfoTypes.TryRead(Type, UserItemLayout, Body, out unit);
}

/// <summary>
/// Walks the items of a realtime/reissue (0x02/0x03) data unit without allocating: the hot path for consumers that
/// only need some fields. Offsets in items and errors count from the start of the frame (the data unit starts at
/// byte 24). Loop on <see cref="TryReadNext"/>; when it returns false, <see cref="Error"/> says whether the walk
/// reached the end of the data unit (no error) or stopped early, and where.
/// <para>Items of reserved and user-defined info types are walked as raw items (see <see cref="Hj1239UserItemLayout"/>;
/// default length-prefixed) and reported like any other item, with <see cref="Hj1239Item.IsUserDefined"/> set.</para>
/// </summary>
public ref struct Hj1239ItemWalker
{
    private const int DataUnitOffset = FrameHeader.Size;

    private readonly ReadOnlySpan<byte> _data;
    private readonly Hj1239UserItemLayout _userItems;
    private int _position;
    private int _signatureOffset;
    private bool _done;
    private DecodeError _error;

    /// <param name="dataUnit">The data unit (frame bytes 24 .. length-2).</param>
    /// <param name="layout">The layout; <see cref="Hj1239Layout.Auto"/> is resolved from the bytes first (two dry walks).</param>
    public Hj1239ItemWalker(ReadOnlySpan<byte> dataUnit, Hj1239Layout layout)
        : this(dataUnit, layout, Hj1239UserItemLayout.LengthPrefixed)
    {
    }

    /// <param name="dataUnit">The data unit (frame bytes 24 .. length-2).</param>
    /// <param name="layout">The layout; <see cref="Hj1239Layout.Auto"/> is resolved from the bytes first (dry walks).</param>
    /// <param name="userItems">How items of reserved and user-defined info types are delimited.</param>
    public Hj1239ItemWalker(ReadOnlySpan<byte> dataUnit, Hj1239Layout layout, Hj1239UserItemLayout userItems)
    {
        _data = dataUnit;
        _userItems = userItems;
        _signatureOffset = -1;
        Layout = layout == Hj1239Layout.Auto ? Hj1239LayoutDetection.ChooseDataLayout(dataUnit, userItems) : layout;
        int headerSize = HeaderSize(Layout);
        if (dataUnit.Length < headerSize)
        {
            _done = true;
            _error = new DecodeError(DecodeErrorKind.Truncated, DataUnitOffset + dataUnit.Length, headerSize, dataUnit.Length);
            return;
        }
        Time = GbTime.Read(dataUnit);
        if (Layout == Hj1239Layout.Hj1239)
        {
            Serial = (ushort)(dataUnit[6] << 8 | dataUnit[7]);
        }
        _position = headerSize;
    }

    /// <summary>The layout walked (never <see cref="Hj1239Layout.Auto"/>).</summary>
    public Hj1239Layout Layout { get; }

    /// <summary>Annex Q: the collection time of every item. HJ 1239: the send time of the frame.</summary>
    public GbTime Time { get; }

    /// <summary>HJ 1239: the frame's info serial. Zero in the Annex Q layout (serials are per item).</summary>
    public ushort Serial { get; }

    /// <summary>Why the walk stopped early; <see cref="DecodeError.None"/> while walking and after a complete walk.</summary>
    public readonly DecodeError Error => _error;

    /// <summary>True once the walk ended at the end of the data unit (after the signature, if any) with no error.</summary>
    public readonly bool Completed => _done && !_error.IsError;

    /// <summary>True when the data unit ends with an R/S signature (HJ 1239 layout only).</summary>
    public readonly bool HasSignature => _signatureOffset >= 0;

    /// <summary>Frame offset of the R length byte, or -1.</summary>
    public readonly int SignatureOffset => HasSignature ? DataUnitOffset + _signatureOffset : -1;

    /// <summary>The signature's R bytes (empty without a signature).</summary>
    public readonly ReadOnlySpan<byte> SignatureR => HasSignature ? _data.Slice(_signatureOffset + 1, _data[_signatureOffset]) : default;

    /// <summary>The signature's S bytes (empty without a signature).</summary>
    public readonly ReadOnlySpan<byte> SignatureS
    {
        get
        {
            if (!HasSignature)
            {
                return default;
            }
            int sLengthAt = _signatureOffset + 1 + _data[_signatureOffset];
            return _data.Slice(sLengthAt + 1, _data[sLengthAt]);
        }
    }

    /// <summary>The bytes the terminal signed: the data unit from the send time to the end of the last item.</summary>
    public readonly ReadOnlySpan<byte> SignedBytes => HasSignature ? _data[.._signatureOffset] : _data;

    /// <summary>Size of the per-frame part before the first item: time, plus the serial in the HJ 1239 layout.</summary>
    public static int HeaderSize(Hj1239Layout layout) => layout == Hj1239Layout.Hj1239 ? GbTime.Size + 2 : GbTime.Size;

    /// <summary>Size of the per-item part between the type byte and the body.</summary>
    public static int ItemPrefixSize(Hj1239Layout layout) => layout == Hj1239Layout.Hj1239 ? 1 + GbTime.Size : 1 + 2;

    /// <summary>Reads the next item. False at the end of the data unit or at the first malformed byte (see <see cref="Error"/>).</summary>
    public bool TryReadNext(out Hj1239Item item)
    {
        item = default;
        if (_done)
        {
            return false;
        }
        int remaining = _data.Length - _position;
        if (remaining == 0)
        {
            _done = true;
            return false;
        }
        byte type = _data[_position];
        int prefix = ItemPrefixSize(Layout);
        var afterPrefix = remaining >= prefix ? _data[(_position + prefix)..] : default;
        if (Hj1239InfoTypes.TryGetBodyLength(type, afterPrefix, out int bodyLength))
        {
            item = ReadItem(type, prefix, bodyLength);
            _position += prefix + bodyLength;
            return true;
        }
        _done = true;
        bool known = Hj1239InfoTypes.IsKnown(type);
        // A byte that names an info type always starts an item: an R length equal to a type code cannot be told
        // from a cut item (the encoder refuses to write one), so only other bytes may start the signature.
        if (!known && Layout == Hj1239Layout.Hj1239 && SignatureEndsAt(_data, _position))
        {
            _signatureOffset = _position;
            _position = _data.Length;
            return false;
        }
        // Not a signature: a reserved or user-defined item, kept raw, unless the listener rejects them.
        if (!known && TryMeasureUserItem(prefix, remaining, out bodyLength))
        {
            _done = false;
            item = ReadItem(type, prefix, bodyLength);
            _position += prefix + bodyLength;
            return true;
        }
        _error = known || Layout == Hj1239Layout.Hj1239 && IsSm2RLength(type)
            ? new DecodeError(DecodeErrorKind.Truncated, DataUnitOffset + _position, known ? prefix + bodyLength : -1, remaining)
            : new DecodeError(DecodeErrorKind.UnknownInfoType, DataUnitOffset + _position, -1, type);
        return false;
    }

    private readonly Hj1239Item ReadItem(byte type, int prefix, int bodyLength)
    {
        var body = _data.Slice(_position + prefix, bodyLength);
        int offset = DataUnitOffset + _position;
        return Layout == Hj1239Layout.Hj1239
            ? new Hj1239Item(type, Layout, 0, GbTime.Read(_data[(_position + 1)..]), offset, body, _userItems)
            : new Hj1239Item(type, Layout, (ushort)(_data[_position + 1] << 8 | _data[_position + 2]), default, offset, body, _userItems);
    }

    /// <summary>
    /// The body length of a reserved/user-defined item at the current position: WORD length + data, or everything
    /// up to a signature that ends the data unit exactly (HJ 1239 layout) or to its end. False when it does not fit
    /// or the listener rejects such items.
    /// </summary>
    private readonly bool TryMeasureUserItem(int prefix, int remaining, out int bodyLength)
    {
        bodyLength = 0;
        int bodyAt = _position + prefix;
        switch (_userItems)
        {
            case Hj1239UserItemLayout.LengthPrefixed:
                if (remaining < prefix + 2)
                {
                    return false;
                }
                bodyLength = 2 + (_data[bodyAt] << 8 | _data[bodyAt + 1]);
                return prefix + bodyLength <= remaining;
            case Hj1239UserItemLayout.RestOfItems:
                if (remaining < prefix)
                {
                    return false;
                }
                int end = _data.Length;
                if (Layout == Hj1239Layout.Hj1239)
                {
                    for (int at = bodyAt; at < _data.Length; at++)
                    {
                        if (SignatureEndsAt(_data, at))
                        {
                            end = at;
                            break;
                        }
                    }
                }
                bodyLength = end - bodyAt;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Walks to the end, discarding items; true when the data unit is well formed.</summary>
    public bool SkipToEnd()
    {
        while (TryReadNext(out _))
        {
        }
        return Completed;
    }

    /// <summary>
    /// An SM2 R is 32 bytes (33 with a sign byte); neither is an info type, so such a byte where an item or the
    /// signature should start, with too few bytes behind it, is a signature cut short rather than an unknown type.
    /// </summary>
    private static bool IsSm2RLength(byte value) => value is 32 or 33;

    /// <summary>True when <c>R length + R + S length + S</c> starting at <paramref name="at"/> ends exactly at the end of <paramref name="data"/>.</summary>
    internal static bool SignatureEndsAt(ReadOnlySpan<byte> data, int at) => SignatureLength(data, at) == data.Length - at;

    /// <summary>Length of an R/S signature starting at <paramref name="at"/>, or -1 when it does not fit.</summary>
    internal static int SignatureLength(ReadOnlySpan<byte> data, int at)
    {
        if (at >= data.Length)
        {
            return -1;
        }
        int sLengthAt = at + 1 + data[at];
        if (sLengthAt >= data.Length)
        {
            return -1;
        }
        int end = sLengthAt + 1 + data[sLengthAt];
        return end <= data.Length ? end - at : -1;
    }
}
