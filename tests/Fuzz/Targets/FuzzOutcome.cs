namespace Ingest.Fuzz.Targets;

/// <summary>What one input did, so the replay tests can check the corpus still reaches both sides of each target.</summary>
public enum FuzzOutcome
{
    /// <summary>Too short to mean anything (no control byte).</summary>
    Empty,
    /// <summary>Nothing was accepted: no frame found, decode failed, nothing stored.</summary>
    Rejected,
    /// <summary>At least one frame was found, decoded or stored (and every invariant held for it).</summary>
    Accepted,
}
