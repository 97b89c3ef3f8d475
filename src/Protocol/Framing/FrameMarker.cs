namespace Ingest.Protocol.Framing;

/// <summary>The two start markers. The byte value is repeated twice on the wire.</summary>
public enum FrameMarker : byte
{
    /// <summary>"##": GB/T 32960.3-2016, GB 17691 Annex Q and HJ 1239.2.</summary>
    Hash = 0x23,

    /// <summary>"$$": GB/T 32960.3-2025.</summary>
    Dollar = 0x24,
}

/// <summary>
/// How the 24-byte header is laid out. Both share the marker, the length at offset 22 and the XOR check; they
/// differ at byte 3 (response flag vs first VIN byte) and byte 20 (last VIN byte vs software version).
/// </summary>
public enum HeaderLayout : byte
{
    /// <summary>GB/T 32960.3: marker, command, response flag, 17-byte id, encryption, length.</summary>
    Gb32960,

    /// <summary>GB 17691 Annex Q and HJ 1239.2: marker, command, 17-byte VIN, software version, encryption, length.</summary>
    Hj1239,
}

/// <summary>Which frame families a listener accepts. A frame of another family is treated as junk.</summary>
[Flags]
public enum AcceptedProtocols : byte
{
    None = 0,
    Gb32960v2016 = 1,
    Gb32960v2025 = 2,
    Hj1239 = 4,
    Gb32960 = Gb32960v2016 | Gb32960v2025,
    All = Gb32960 | Hj1239,
}
