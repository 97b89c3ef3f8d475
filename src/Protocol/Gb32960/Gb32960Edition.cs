using Ingest.Protocol.Framing;

namespace Ingest.Protocol.Gb32960;

/// <summary>
/// Which edition of GB/T 32960.3 a frame follows. The start marker says it: "##" is 2016, "$$" is 2025
/// (2025 §6.2). Info-unit layouts, type codes and the realtime signature trailer depend on it.
/// </summary>
public enum Gb32960Edition : short
{
    /// <summary>GB/T 32960.3-2016, start marker "##".</summary>
    V2016 = 2016,

    /// <summary>GB/T 32960.3-2025, start marker "$$".</summary>
    V2025 = 2025,
}

public static class Gb32960Editions
{
    public static Gb32960Edition FromMarker(FrameMarker marker) =>
        marker == FrameMarker.Dollar ? Gb32960Edition.V2025 : Gb32960Edition.V2016;

    public static FrameMarker Marker(this Gb32960Edition edition) =>
        edition == Gb32960Edition.V2025 ? FrameMarker.Dollar : FrameMarker.Hash;

    /// <summary>"2016" or "2025", as written in JSON and logs.</summary>
    public static string Name(this Gb32960Edition edition) => edition == Gb32960Edition.V2025 ? "2025" : "2016";
}
