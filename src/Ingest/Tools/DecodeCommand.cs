using System.CommandLine;

namespace Ingest.Tools;

/// <summary>Placeholder replaced once the codecs land.</summary>
public static class DecodeCommand
{
    public static Command Create() => new("decode", "Decode frames to JSON Lines.");
}
