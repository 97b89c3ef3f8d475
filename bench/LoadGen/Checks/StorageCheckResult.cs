using LoadGen.Fleet;

namespace LoadGen.Checks;

/// <summary>One VIN whose stored (or relayed) count disagrees with what its terminal saw.</summary>
public sealed record VinDiscrepancy(string Vin, long Acknowledged, long Sent, long Found);

/// <summary>
/// Stored or relayed frames per VIN compared with what the terminals had acknowledged. An acknowledged frame
/// must be there (missing = contract broken); more than was sent means duplicates, which ClickHouse must not hold
/// (exactly once) and a superior platform may (at least once).
/// </summary>
public sealed record StorageCheckResult
{
    public required string Target { get; init; }
    public required int VinsChecked { get; init; }
    public required long Acknowledged { get; init; }
    public required long Found { get; init; }
    /// <summary>VINs with fewer frames found than acknowledged.</summary>
    public required int VinsMissing { get; init; }
    public required long MissingFrames { get; init; }
    /// <summary>VINs with more frames found than were sent at all.</summary>
    public required int VinsWithDuplicates { get; init; }
    public required long DuplicateFrames { get; init; }
    public required bool DuplicatesAllowed { get; init; }
    /// <summary>Up to ten VINs that fail, for a first look.</summary>
    public required IReadOnlyList<VinDiscrepancy> Examples { get; init; }
    public required TimeSpan Waited { get; init; }
    /// <summary>Why the check could not be made (connection refused, SQL error, unreadable file); null when it ran.</summary>
    public string? Error { get; init; }

    public bool Passed => Error is null && VinsMissing == 0 && (DuplicatesAllowed || VinsWithDuplicates == 0);

    public static StorageCheckResult Failed(string target, string error, TimeSpan waited) => new()
    {
        Target = target, VinsChecked = 0, Acknowledged = 0, Found = 0, VinsMissing = 0, MissingFrames = 0,
        VinsWithDuplicates = 0, DuplicateFrames = 0, DuplicatesAllowed = false, Examples = [], Waited = waited, Error = error,
    };

    /// <summary>Compares <paramref name="found"/> (frames per VIN) with the terminals' acknowledged and sent counts of <paramref name="commands"/>.</summary>
    public static StorageCheckResult Compare(string target, IReadOnlyList<TerminalResult> terminals, IReadOnlyCollection<byte> commands,
        IReadOnlyDictionary<string, long> found, bool duplicatesAllowed, TimeSpan waited)
    {
        int vinsMissing = 0, vinsDuplicated = 0;
        long acknowledged = 0, foundTotal = 0, missing = 0, duplicates = 0;
        var examples = new List<VinDiscrepancy>();
        foreach (var terminal in terminals)
        {
            long acked = terminal.AcknowledgedOf(commands);
            long sent = terminal.SentOf(commands);
            long have = found.GetValueOrDefault(terminal.Vin);
            acknowledged += acked;
            foundTotal += have;
            bool bad = false;
            if (have < acked)
            {
                vinsMissing++;
                missing += acked - have;
                bad = true;
            }
            if (have > sent)
            {
                vinsDuplicated++;
                duplicates += have - sent;
                bad |= !duplicatesAllowed;
            }
            if (bad && examples.Count < 10)
            {
                examples.Add(new VinDiscrepancy(terminal.Vin, acked, sent, have));
            }
        }
        return new StorageCheckResult
        {
            Target = target,
            VinsChecked = terminals.Count,
            Acknowledged = acknowledged,
            Found = foundTotal,
            VinsMissing = vinsMissing,
            MissingFrames = missing,
            VinsWithDuplicates = vinsDuplicated,
            DuplicateFrames = duplicates,
            DuplicatesAllowed = duplicatesAllowed,
            Examples = examples,
            Waited = waited,
        };
    }
}
