namespace LoadGen.Frames;

/// <summary>What a terminal's realtime frames look like: the info-type mix and the sizes that drive frame length.</summary>
public sealed record FrameShape
{
    /// <summary>Info items per realtime frame; null for the protocol's default (<see cref="InfoMix.DefaultFor"/>).</summary>
    public InfoMix? Mix { get; init; }

    /// <summary>Battery cells reported in the cell-voltage item (GB 0x08 / 2025 0x07). Default 96. GB-2016 packs over 200 cells are split into subsystems of at most 200.</summary>
    public int CellCount { get; init; } = 96;

    /// <summary>Temperature probes reported in the probe item (GB 0x09 / 2025 0x08). Default 32.</summary>
    public int ProbeCount { get; init; } = 32;

    /// <summary>Drive motors in the motor item (GB 0x02). Default 1.</summary>
    public int MotorCount { get; init; } = 1;

    /// <summary>Append a signature: GB-2025 "0xFF + SM2 signature" after the items, HJ 1239 R/S after the items. Default true.</summary>
    public bool Signed { get; init; } = true;

    /// <summary>HJ 1239 / Annex Q header byte 20, the terminal software version. Default 0x02.</summary>
    public byte SoftwareVersion { get; init; } = 0x02;

    public InfoMix MixFor(TerminalProtocol protocol) => Mix ?? InfoMix.DefaultFor(protocol);

    /// <summary>Null when the shape is usable for <paramref name="protocol"/>, else why not.</summary>
    public string? Validate(TerminalProtocol protocol)
    {
        if (CellCount is < 1 or > 50_000)
        {
            return "The cell count must be 1-50000.";
        }
        if (ProbeCount is < 1 or > 50_000)
        {
            return "The probe count must be 1-50000.";
        }
        if (MotorCount is < 1 or > 253)
        {
            return "The motor count must be 1-253.";
        }
        return MixFor(protocol).Validate(protocol);
    }
}
